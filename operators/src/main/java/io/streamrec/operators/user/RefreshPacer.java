package io.streamrec.operators.user;

/**
 * Keeps scoring from starving learning on the UserWorker's thread. It measures the share of wall
 * time spent scoring (exponentially decayed, time constant {@link #WINDOW_INTERVALS} refresh
 * intervals, at least {@link #MIN_WINDOW_MS}); while that share is above the budget, a due refresh
 * is deferred instead of scored, and the refresh interval stretches in proportion to the overload
 * (up to {@code maxStretch} times the configured one). Ingestion and SGD therefore always get at
 * least {@code 1 − budget} of the thread, and a deferred user is refreshed later with everything
 * that happened meanwhile: refreshes coalesce more as load grows. Deferring only helps while input
 * is waiting: when none has arrived for two intervals (the stream is idle or has ended), refreshes
 * are scored at full speed.
 *
 * <p>It decides only when a list is computed, never what it holds: a list is always a function of
 * the user's state and the item cache at scoring time, and a user with a pending refresh keeps its
 * timer (checkpointed), so deferral does not touch the exactly-once guarantees.
 */
public final class RefreshPacer {

    static final int WINDOW_INTERVALS = 10;
    static final long MIN_WINDOW_MS = 5_000;

    private final long intervalMs;
    private final double budget;
    private final int maxStretch;
    private final double windowMs;
    // written by the task thread only; volatile so that metric gauges may read them
    private volatile double busyMs;
    private volatile long lastMs = Long.MIN_VALUE;
    private long lastInputMs = Long.MIN_VALUE;

    /**
     * @param intervalMs the configured refresh interval
     * @param budget     the largest share of wall time scoring may take, in (0, 1]
     * @param maxStretch how many times the interval may stretch under load, at least 1
     */
    public RefreshPacer(long intervalMs, double budget, int maxStretch) {
        if (intervalMs < 1) {
            throw new IllegalArgumentException("refresh interval must be positive, got " + intervalMs);
        }
        if (!(budget > 0 && budget <= 1)) {
            throw new IllegalArgumentException("scoring share must be in (0, 1], got " + budget);
        }
        if (maxStretch < 1) {
            throw new IllegalArgumentException("max stretch must be at least 1, got " + maxStretch);
        }
        this.intervalMs = intervalMs;
        this.budget = budget;
        this.maxStretch = maxStretch;
        this.windowMs = Math.max(MIN_WINDOW_MS, WINDOW_INTERVALS * (double) intervalMs);
    }

    /** Records {@code durationMs} of scoring that ended at {@code nowMs}. */
    public void recordScoring(long nowMs, double durationMs) {
        decayTo(nowMs);
        busyMs += Math.max(0, durationMs);
    }

    /** The share of recent wall time spent scoring, as of {@code nowMs}. Safe to call from any thread. */
    public double scoringShare(long nowMs) {
        long last = lastMs;
        double busy = busyMs;
        if (last != Long.MIN_VALUE && nowMs > last) {
            busy *= Math.exp(-(nowMs - last) / windowMs);
        }
        return busy / windowMs;
    }

    /** Records that an input element (learning work) arrived at {@code nowMs}. */
    public void recordInput(long nowMs) {
        lastInputMs = nowMs;
    }

    /**
     * True when a refresh due at {@code nowMs} should wait: scoring is over its budget while input
     * keeps arriving (some arrived within the last two intervals).
     */
    public boolean shouldDefer(long nowMs) {
        boolean inputWaiting = lastInputMs != Long.MIN_VALUE && nowMs - lastInputMs < 2 * intervalMs(nowMs);
        return inputWaiting && scoringShare(nowMs) > budget;
    }

    /** The configured refresh interval, unstretched. */
    public long configuredIntervalMs() {
        return intervalMs;
    }

    /** The refresh interval now: the configured one, stretched by the overload. Safe to call from any thread. */
    public long intervalMs(long nowMs) {
        double stretch = Math.min(maxStretch, Math.max(1.0, scoringShare(nowMs) / budget));
        return (long) Math.ceil(intervalMs * stretch);
    }

    /**
     * When a refresh requested at {@code nowMs} is due: the next boundary of the current interval,
     * so that users requested in the same interval are scored in one batch.
     */
    public long nextRefreshTime(long nowMs) {
        long interval = intervalMs(nowMs);
        return (nowMs / interval + 1) * interval;
    }

    /**
     * When the {@code index}-th refresh of a bulk request made at {@code nowMs} is due, at
     * {@code perSecond} users per second from the next interval boundary on. Flink fires every due
     * timer in one go, and the lists scored before a checkpoint wait in the Redis sink until it
     * completes: requesting all users for one instant would hold them all in memory at once.
     */
    public long bulkRefreshTime(long nowMs, long index, int perSecond) {
        return nextRefreshTime(nowMs) + index * 1000L / Math.max(1, perSecond);
    }

    private void decayTo(long nowMs) {
        if (nowMs > lastMs) {
            busyMs = scoringShare(nowMs) * windowMs;
            lastMs = nowMs;
        }
    }
}
