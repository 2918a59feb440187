package io.streamrec.sinks.redis.internal;

import io.streamrec.sinks.redis.VersionedWrite;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Applies {@link VersionedWrite}s to one Redis server through {@link VersionedWriteScript}, with
 * pipelined {@code EVALSHA} calls ({@code batchSize} per round trip) and retries.
 *
 * <p>Failures (connection lost, server restarting, out of memory, ...) are retried with
 * exponential backoff from {@link #INITIAL_BACKOFF} up to {@link #MAX_BACKOFF}, resending only the
 * writes whose result is unknown. Because the script is idempotent, resending a write that did
 * reach Redis is harmless. The caller's thread blocks while retrying, which backpressures the job.
 *
 * <p>One {@link #apply} call holds its thread for at most {@code maxRetryDuration} (plus at most
 * one round trip in flight, bounded by the connection timeout), whatever happens: retries, slow
 * replies, or a Redis that comes and goes and so makes some progress. Past that deadline it throws
 * an {@link IOException}. This bound matters because the caller is the task thread of the sink's
 * committer: while it is held no checkpoint barrier passes, and no checkpoint can complete, which
 * keeps the job's pre-committed Kafka transactions open (see the job's start check).
 * {@code WRONGTYPE} (a key holds another type, i.e. a key clash) fails at once: retrying cannot
 * fix it.
 *
 * <p>Owns one connection, opened lazily and reopened after connection errors; the script is
 * loaded on every new connection and again on {@code NOSCRIPT}. Not thread-safe.
 */
@Internal
public final class RedisWriteApplier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisWriteApplier.class);

    public static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final long WARN_INTERVAL_NANOS = Duration.ofSeconds(5).toNanos();

    private final RedisUrl url;
    private final JedisClientConfig clientConfig;
    private final int batchSize;
    private final long maxRetryNanos;

    private Jedis jedis;
    private String scriptSha;
    private long lastWarnNanos;

    /** Number of writes applied, skipped as stale, and failed round trips, since creation. */
    private long applied;
    private long skipped;
    private long retries;

    public RedisWriteApplier(
            RedisUrl url, Duration timeout, int batchSize, Duration maxRetryDuration) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        this.url = url;
        this.clientConfig = url.clientConfig(timeout, "streamrec-redis-sink");
        this.batchSize = batchSize;
        this.maxRetryNanos = maxRetryDuration.toNanos();
    }

    /**
     * Applies all writes, in order, retrying until each is applied or skipped as stale.
     *
     * @throws IOException if Redis keeps failing for longer than the maximum retry duration, or a
     *     key holds a value of another type
     * @throws InterruptedException if interrupted while waiting to retry (task cancellation)
     */
    public void apply(List<VersionedWrite> writes) throws IOException, InterruptedException {
        apply(writes, System.nanoTime());
    }

    /**
     * Like {@link #apply(List)}, but the {@code maxRetryDuration} window started at {@code
     * started} ({@link System#nanoTime()}), e.g. when the caller has been holding its thread for
     * a while already.
     */
    public void apply(List<VersionedWrite> writes, long started)
            throws IOException, InterruptedException {
        Attempts attempts = new Attempts();
        for (int from = 0; from < writes.size(); from += batchSize) {
            int to = Math.min(from + batchSize, writes.size());
            applyBatch(writes.subList(from, to), writes.size() - to, started, attempts);
        }
    }

    public long appliedCount() {
        return applied;
    }

    public long skippedCount() {
        return skipped;
    }

    public long retryCount() {
        return retries;
    }

    @Override
    public void close() {
        disconnect();
    }

    /**
     * Applies one batch, retrying until the deadline {@code started + maxRetryDuration} of the
     * whole {@link #apply} call. Progress resets the backoff, never the deadline.
     */
    private void applyBatch(List<VersionedWrite> batch, int notYetSent, long started, Attempts attempts)
            throws IOException, InterruptedException {
        List<VersionedWrite> pending = batch;
        long backoffMillis = INITIAL_BACKOFF.toMillis();
        boolean scriptReloaded = false;
        Exception lastFailure = attempts.lastFailure;
        while (true) {
            long elapsed = System.nanoTime() - started;
            if (elapsed >= maxRetryNanos) {
                throw gaveUp(pending.size() + notYetSent, elapsed, attempts.count, lastFailure);
            }
            RoundTrip roundTrip = new RoundTrip();
            try {
                pending = sendOnce(pending, roundTrip);
            } catch (JedisException e) {
                // Connection lost or the script could not be loaded: every result is unknown.
                disconnect();
                roundTrip.failure = e;
            }
            attempts.count++;
            if (pending.isEmpty()) {
                return;
            }
            lastFailure = roundTrip.failure;
            attempts.lastFailure = lastFailure;
            if (roundTrip.progress) {
                backoffMillis = INITIAL_BACKOFF.toMillis();
            }
            if (roundTrip.scriptMissing && !roundTrip.progress && !scriptReloaded) {
                // The script cache was flushed under us; it is reloaded on the next round trip.
                scriptReloaded = true;
                continue;
            }
            retries++;
            elapsed = System.nanoTime() - started;
            if (elapsed >= maxRetryNanos) {
                throw gaveUp(pending.size() + notYetSent, elapsed, attempts.count, lastFailure);
            }
            long sleepMillis =
                    Math.min(backoffMillis, Math.max(1, (maxRetryNanos - elapsed) / 1_000_000));
            warnRateLimited(pending.size(), attempts.count, elapsed, sleepMillis, lastFailure);
            Thread.sleep(sleepMillis);
            backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
        }
    }

    private IOException gaveUp(int lists, long elapsedNanos, int attempts, Exception lastFailure) {
        return new IOException(
                String.format(
                        "Gave up writing %d lists to Redis at %s: the commit has taken %s"
                                + " (maxRetryDuration %s, %d attempts), longer than it may hold"
                                + " the task thread. The job fails over and re-commits them."
                                + " Last error: %s",
                        lists,
                        url,
                        Duration.ofNanos(elapsedNanos),
                        Duration.ofNanos(maxRetryNanos),
                        attempts,
                        lastFailure == null ? "none (Redis too slow)" : lastFailure),
                lastFailure);
    }

    /** Sends the writes in one pipeline and returns those that must be sent again. */
    private List<VersionedWrite> sendOnce(List<VersionedWrite> writes, RoundTrip roundTrip)
            throws IOException {
        Jedis connection = connection();
        Pipeline pipeline = connection.pipelined();
        List<Response<Object>> responses = new ArrayList<>(writes.size());
        for (VersionedWrite write : writes) {
            responses.add(
                    pipeline.evalsha(
                            scriptSha,
                            VersionedWriteScript.keys(write),
                            VersionedWriteScript.args(write)));
        }
        pipeline.sync();

        List<VersionedWrite> failed = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            try {
                Object result = responses.get(i).get();
                if (Long.valueOf(VersionedWriteScript.APPLIED).equals(result)) {
                    applied++;
                } else {
                    skipped++;
                }
                roundTrip.progress = true;
            } catch (JedisDataException e) {
                String message = String.valueOf(e.getMessage());
                if (message.startsWith("WRONGTYPE")) {
                    throw new IOException(
                            "Redis key "
                                    + writes.get(i).key()
                                    + " or "
                                    + writes.get(i).metaKey()
                                    + " holds a value of another type ("
                                    + message
                                    + "); another application uses the same key prefix",
                            e);
                }
                if (message.startsWith("NOSCRIPT")) {
                    roundTrip.scriptMissing = true;
                    scriptSha = null;
                }
                roundTrip.failure = e;
                failed.add(writes.get(i));
            }
        }
        return failed;
    }

    private Jedis connection() {
        if (jedis == null) {
            jedis = new Jedis(url.hostAndPort(), clientConfig);
            scriptSha = null;
        }
        if (scriptSha == null) {
            scriptSha = jedis.scriptLoad(VersionedWriteScript.SOURCE);
        }
        return jedis;
    }

    private void disconnect() {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing the Redis connection to {} failed", url, e);
            }
            jedis = null;
            scriptSha = null;
        }
    }

    private void warnRateLimited(
            int pending, int attempts, long elapsedNanos, long sleepMillis, Exception cause) {
        long now = System.nanoTime();
        if (lastWarnNanos == 0 || now - lastWarnNanos >= WARN_INTERVAL_NANOS) {
            lastWarnNanos = now;
            LOG.warn(
                    "Writing {} lists to Redis at {} failed (attempt {}, failing for {} of at most"
                            + " {}); retrying in {} ms. Cause: {}",
                    pending,
                    url,
                    attempts,
                    Duration.ofNanos(elapsedNanos),
                    Duration.ofNanos(maxRetryNanos),
                    sleepMillis,
                    String.valueOf(cause));
        } else {
            LOG.debug("Redis write attempt {} failed", attempts, cause);
        }
    }

    /** Round trips of one {@link #apply} call, and the last error seen. */
    private static final class Attempts {
        int count;
        Exception lastFailure;
    }

    /** What one pipeline round trip achieved. */
    private static final class RoundTrip {
        boolean progress;
        boolean scriptMissing;
        Exception failure;
    }
}
