/**
 * Job wiring: the dataflow ({@link io.streamrec.job.StreamRecJob}), typed options
 * ({@link io.streamrec.job.StreamRecOptions}), stable operator uids
 * ({@link io.streamrec.job.OperatorIds}) and the Redis key schema
 * ({@link io.streamrec.job.RedisWrites}).
 */
package io.streamrec.job;
