package io.streamrec.sinks.redis;

import io.streamrec.sinks.redis.internal.RedisUrl;
import io.streamrec.sinks.redis.internal.RedisWriteApplier;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes versioned lists to Redis when checkpoints complete (Flink Sink V2 with a committer).
 *
 * <p>Each element becomes a {@link VersionedWrite} through the {@link RedisWriteSerializer}. The
 * writer keeps the newest write per key until the next checkpoint; when that checkpoint completes,
 * the committer applies the writes (handed over as one {@link WriteBatch} per checkpoint and writer
 * subtask) with one atomic, version-guarded Lua script per key, pipelined
 * in batches. The resulting Redis layout is described in the {@linkplain io.streamrec.sinks.redis
 * package documentation}.
 *
 * <p>Guarantees: lists appear in Redis only for completed checkpoints, each list is replaced
 * atomically together with its meta hash, and a list never moves back to an older version, so
 * replays and repeated commits after failover are idempotent (effectively exactly-once per key).
 * Unbounded jobs therefore need checkpointing; without it lists are committed only at the end of a
 * bounded input. While Redis is
 * unavailable the committer retries with exponential backoff (100 ms doubling up to 5 s) and
 * blocks, which backpressures the job. One commit never holds the task thread longer than {@code
 * maxRetryDuration} (plus one connection timeout), whether Redis is down, slow or flapping: past
 * that it fails the job, which then restores and commits again. While the committer holds the
 * thread no checkpoint can complete, so this bound, not the outage, decides how long other
 * exactly-once sinks of the job keep their transactions open.
 *
 * <pre>{@code
 * RedisSink<UserList> sink = RedisSink.<UserList>builder()
 *     .setRedisUrl("redis://redis:6379")
 *     .setSerializer(list -> new VersionedWrite(
 *         RedisKeys.userList("rec:", list.user), list.version, list.updated,
 *         list.items, toDoubles(list.scores),
 *         Map.of("events", Long.toString(list.interactions))))
 *     .build();
 * stream.sinkTo(sink).uid(OperatorIds.REDIS_SINK).name("Redis lists");
 * }</pre>
 *
 * <p>This class is only a serializable factory; the writer and committer own the runtime state, and
 * the committer owns the Redis connection (the writer only buffers and needs none). Metrics: the
 * writer registers {@code redisPendingLists} and {@code redisWritesCoalesced}, the committer
 * {@code redisWritesApplied}, {@code redisWritesSkippedStale} and {@code redisRetries}.
 *
 * <p>Redis Cluster is not supported: a list and its meta hash live in different hash slots.
 *
 * @param <IN> the type of the stream elements
 */
@PublicEvolving
public final class RedisSink<IN> implements Sink<IN>, SupportsCommitter<WriteBatch> {

    private static final long serialVersionUID = 1L;

    private final String redisUrl;
    private final RedisWriteSerializer<IN> serializer;
    private final Duration maxRetryDuration;
    private final Duration timeout;
    private final int batchSize;
    private final String tlsCaFile;

    RedisSink(
            String redisUrl,
            RedisWriteSerializer<IN> serializer,
            Duration maxRetryDuration,
            Duration timeout,
            int batchSize,
            String tlsCaFile) {
        this.tlsCaFile = tlsCaFile;
        this.redisUrl = redisUrl;
        this.serializer = serializer;
        this.maxRetryDuration = maxRetryDuration;
        this.timeout = timeout;
        this.batchSize = batchSize;
    }

    /** Starts building a sink; see {@link RedisSinkBuilder} for the settings and defaults. */
    public static <IN> RedisSinkBuilder<IN> builder() {
        return new RedisSinkBuilder<>();
    }

    @Override
    public CommittingSinkWriter<IN, WriteBatch> createWriter(WriterInitContext context) {
        return new RedisSinkWriter<>(serializer, context.metricGroup());
    }

    @Override
    public Committer<WriteBatch> createCommitter(CommitterInitContext context) {
        RedisWriteApplier applier =
                new RedisWriteApplier(
                        RedisUrl.parse(redisUrl).withCaFile(tlsCaFile), timeout, batchSize, maxRetryDuration);
        return new RedisCommitter(applier, context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<WriteBatch> getCommittableSerializer() {
        return new WriteBatchSerializer();
    }
}
