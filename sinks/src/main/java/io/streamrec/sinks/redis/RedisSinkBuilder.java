package io.streamrec.sinks.redis;

import static java.util.Objects.requireNonNull;

import io.streamrec.sinks.redis.internal.RedisUrl;
import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Builds a {@link RedisSink}. The Redis URL and the serializer are required:
 *
 * <pre>{@code
 * RedisSink.<T>builder()
 *     .setRedisUrl("redis://user:secret@redis:6379/0")   // or rediss:// for TLS
 *     .setSerializer(element -> new VersionedWrite(...))
 *     .setMaxRetryDuration(Duration.ofMinutes(2))        // default
 *     .setBatchSize(500)                                  // default
 *     .setTimeout(Duration.ofSeconds(5))                  // default
 *     .build();
 * }</pre>
 *
 * @param <IN> the type of the stream elements
 */
@PublicEvolving
public final class RedisSinkBuilder<IN> {

    public static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofMinutes(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_BATCH_SIZE = 500;

    private String redisUrl;
    private RedisWriteSerializer<IN> serializer;
    private Duration maxRetryDuration = DEFAULT_MAX_RETRY_DURATION;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private String tlsCaFile;

    RedisSinkBuilder() {}

    /** {@code redis://[user:password@]host[:port][/db]}, or {@code rediss://...} for TLS. */
    public RedisSinkBuilder<IN> setRedisUrl(String redisUrl) {
        this.redisUrl = requireNonNull(redisUrl, "redisUrl");
        return this;
    }

    /** Turns each element into the list to write. */
    public RedisSinkBuilder<IN> setSerializer(RedisWriteSerializer<IN> serializer) {
        this.serializer = requireNonNull(serializer, "serializer");
        return this;
    }

    /**
     * The longest one commit may hold the committer's task thread, retries and slow replies
     * included, before it fails the job (default 2 minutes); the job then restores and commits
     * again. Until then the job is backpressured, and no checkpoint can complete: keep it well
     * below the transaction timeout of any exactly-once Kafka sink in the same job.
     */
    public RedisSinkBuilder<IN> setMaxRetryDuration(Duration maxRetryDuration) {
        this.maxRetryDuration = requireNonNull(maxRetryDuration, "maxRetryDuration");
        return this;
    }

    /** Connect and reply timeout of the Redis connection (default 5 seconds). */
    public RedisSinkBuilder<IN> setTimeout(Duration timeout) {
        this.timeout = requireNonNull(timeout, "timeout");
        return this;
    }

    /** Writes sent per pipelined round trip to Redis (default 500). */
    public RedisSinkBuilder<IN> setBatchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
    }

    /**
     * For {@code rediss://}: trust the certificate authorities in this PEM file instead of the
     * JVM's trust store (default: none, the JVM's). The file must be readable where the job runs.
     */
    public RedisSinkBuilder<IN> setTlsCaFile(String pemFile) {
        this.tlsCaFile = pemFile;
        return this;
    }

    public RedisSink<IN> build() {
        sanityCheck();
        return new RedisSink<>(redisUrl, serializer, maxRetryDuration, timeout, batchSize, tlsCaFile);
    }

    private void sanityCheck() {
        requireNonNull(redisUrl, "The Redis URL must be set with setRedisUrl(...)");
        requireNonNull(serializer, "The serializer must be set with setSerializer(...)");
        RedisUrl.parse(redisUrl);
        if (maxRetryDuration.isNegative() || maxRetryDuration.isZero()) {
            throw new IllegalArgumentException(
                    "maxRetryDuration must be positive, got " + maxRetryDuration);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
    }
}
