/**
 * The Redis sink and its public output contract.
 *
 * <h2>What lands in Redis</h2>
 *
 * <p>For each list (a user's recommendations, or the popular-items fallback) there are two keys:
 *
 * <ul>
 *   <li>{@code {prefix}{user}}: a sorted set, member = item id, score = predicted score; the top N
 *       items of the user. Read it with {@code ZREVRANGE key 0 -1 WITHSCORES}. The key does not
 *       exist when the list is empty.
 *   <li>{@code {prefix}{user}:meta}: a hash with {@code version} (a non-negative integer,
 *       monotonic per key), {@code updated} (epoch milliseconds when the list was computed) and any
 *       extra fields the producer adds (for example {@code events}).
 * </ul>
 *
 * <p>The popular-items list uses the same layout under {@code {prefix}_popular}; readers fall back
 * to it for users without a list ({@link io.streamrec.sinks.redis.RedisRecommendations}). An item's
 * similar items ({@code {prefix}_sim:{item}}, member = item id, score = the model's score for a user whose vector is the item's, q_i · q_j + b_j) use the
 * same layout too. {@link
 * io.streamrec.sinks.redis.RedisKeys} builds these names.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>A list and its meta hash are replaced together by one Lua script: readers never see a
 *       half-written list or a list with the meta of another version.
 *   <li>A write is applied only if its version is greater than the stored one, so retries, replays
 *       after failover and re-commits are idempotent and a list never moves backwards. Extra meta
 *       fields the producer marks monotonic ({@link io.streamrec.sinks.redis.VersionedWrite#monotonicMeta()})
 *       keep the larger of the stored and the new value.
 *   <li>With {@link io.streamrec.sinks.redis.RedisSink} lists become visible when the checkpoint
 *       that computed them completes (Sink V2 two-phase commit), never before, and nothing of a
 *       checkpoint that does not complete; Redis outages are retried with backoff, which
 *       backpressures the job instead of dropping lists, for at most the maximum retry duration
 *       per commit, after which the job fails over and commits again.
 * </ul>
 *
 * <p>The entry points are {@link io.streamrec.sinks.redis.RedisSink#builder()}, {@link
 * io.streamrec.sinks.redis.VersionedWrite}, {@link io.streamrec.sinks.redis.RedisWriteSerializer}
 * and {@link io.streamrec.sinks.redis.RedisRecommendations}. Everything else is implementation.
 */
package io.streamrec.sinks.redis;
