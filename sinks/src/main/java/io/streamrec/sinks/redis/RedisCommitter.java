package io.streamrec.sinks.redis;

import io.streamrec.sinks.redis.internal.RedisWriteApplier;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Makes the lists of a completed checkpoint visible in Redis.
 *
 * <p>Idempotent: Flink commits restored committables again after a failover, and each write is
 * guarded by its version in Redis, so a second commit changes nothing. Writes are pipelined in
 * batches (see {@link RedisWriteApplier}). While Redis is unavailable, {@link #commit} blocks and
 * retries, which backpressures the job; one call never takes longer than the maximum retry
 * duration (plus one connection timeout): past it, it throws, the job fails over and the
 * committables are committed again after the restore. It does not use {@code retryLater()}: Flink
 * 2.2 retries those at once, on the same thread, a fixed number of times.
 *
 * <p>One notification can commit several checkpoints in a row (Flink commits the lists of
 * checkpoints that did not complete together with the next one that does, one call per
 * checkpoint). Calls that follow each other within {@link #BACK_TO_BACK} therefore share one
 * window of the maximum retry duration: the bound is on how long the task thread is held, not on
 * one call.
 *
 * <p>Metrics: counters {@code redisWritesApplied}, {@code redisWritesSkippedStale},
 * {@code redisRetries}; gauges {@code listEventToVisibleMs} and {@code listRefreshToVisibleMs}
 * (freshness of the user lists of the newest commit).
 */
final class RedisCommitter implements Committer<WriteBatch> {

    private final RedisWriteApplier applier;
    private final Counter applied;
    private final Counter skippedStale;
    private final Counter retries;

    /** A call starting within this time after the previous one returned continues its hold. */
    static final long BACK_TO_BACK = Duration.ofMillis(50).toNanos();

    /**
     * Freshness of the lists of the newest commit, at the time it returned: the longest time from
     * a list's newest event ({@link RedisKeys#FIELD_EVENT_TS}) and from its computation
     * ({@code updated}) to its being visible in Redis; -1 before the first commit with such lists.
     * The event lag is negative when the producers' event times run ahead of this machine's clock
     * (the demo's generated events do). Read by the metric reporters' threads, hence volatile.
     */
    private volatile long eventToVisibleMs = -1;
    private volatile long refreshToVisibleMs = -1;

    private long holdStarted;
    private long lastReturned = System.nanoTime() - 2 * BACK_TO_BACK;

    RedisCommitter(RedisWriteApplier applier, MetricGroup metrics) {
        this.applier = applier;
        this.applied = metrics.counter("redisWritesApplied");
        this.skippedStale = metrics.counter("redisWritesSkippedStale");
        this.retries = metrics.counter("redisRetries");
        metrics.gauge("listEventToVisibleMs", () -> eventToVisibleMs);
        metrics.gauge("listRefreshToVisibleMs", () -> refreshToVisibleMs);
    }

    @Override
    public void commit(Collection<CommitRequest<WriteBatch>> requests)
            throws IOException, InterruptedException {
        // After a restore several checkpoints may be committed at once; only the newest list per
        // key matters (and a deletion it follows).
        WriteCoalescer newest = new WriteCoalescer();
        for (CommitRequest<WriteBatch> request : requests) {
            for (VersionedWrite write : request.getCommittable().writes()) {
                newest.add(write);
            }
        }
        long appliedBefore = applier.appliedCount();
        long skippedBefore = applier.skippedCount();
        long retriesBefore = applier.retryCount();
        long now = System.nanoTime();
        if (now - lastReturned > BACK_TO_BACK) {
            holdStarted = now;
        }
        List<VersionedWrite> writes = newest.drain();
        try {
            applier.apply(writes, holdStarted);
        } finally {
            lastReturned = System.nanoTime();
            applied.inc(applier.appliedCount() - appliedBefore);
            skippedStale.inc(applier.skippedCount() - skippedBefore);
            retries.inc(applier.retryCount() - retriesBefore);
        }
        recordFreshness(writes, System.currentTimeMillis());
    }

    private void recordFreshness(Collection<VersionedWrite> writes, long visibleAt) {
        long eventLag = Long.MIN_VALUE;
        long refreshLag = -1;
        for (VersionedWrite write : writes) {
            String eventTs = write.extraMeta().get(RedisKeys.FIELD_EVENT_TS);
            if (eventTs == null) {
                continue; // not a user list (popular list, item stats, quality figures)
            }
            long ts = Long.parseLong(eventTs);
            if (ts >= 0) {
                eventLag = Math.max(eventLag, visibleAt - ts);
            }
            refreshLag = Math.max(refreshLag, visibleAt - write.updatedMillis());
        }
        if (refreshLag >= 0) {
            refreshToVisibleMs = refreshLag;
        }
        if (eventLag != Long.MIN_VALUE) {
            eventToVisibleMs = eventLag;
        }
    }

    @Override
    public void close() {
        applier.close();
    }
}
