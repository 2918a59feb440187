/**
 * Implementation of the Redis sink, not part of the public API: Redis URL parsing, the versioned
 * write Lua script and the pipelined, retrying applier the committer delegates to.
 */
package io.streamrec.sinks.redis.internal;
