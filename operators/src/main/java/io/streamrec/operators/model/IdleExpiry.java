package io.streamrec.operators.model;

import java.time.Duration;

/**
 * When an idle user or item leaves the state: {@code ttl} of event time after their newest
 * interaction. The expiry timer is rounded up to a granularity of 1% of the TTL (at most one hour),
 * so a user or item with many interactions within that granularity keeps one timer instead of
 * moving it every time.
 */
public final class IdleExpiry {

    private static final long MAX_GRANULARITY_MS = Duration.ofHours(1).toMillis();

    private final long ttlMs;
    private final long granularityMs;

    public IdleExpiry(Duration ttl) {
        this.ttlMs = ttl.toMillis();
        this.granularityMs = Math.max(1, Math.min(MAX_GRANULARITY_MS, ttlMs / 100));
    }

    /** False when users or items are kept forever (a TTL of zero). */
    public boolean enabled() {
        return ttlMs > 0;
    }

    /** The event time of the expiry timer of a user or item whose newest interaction is at {@code lastTs}. */
    public long timerFor(long lastTs) {
        long due = lastTs > Long.MAX_VALUE - ttlMs ? Long.MAX_VALUE : lastTs + ttlMs;
        long rounded = (due / granularityMs) * granularityMs;
        return rounded == due || rounded > Long.MAX_VALUE - granularityMs ? rounded : rounded + granularityMs;
    }

    /** True when a user or item whose newest interaction is at {@code lastTs} has expired at event time {@code time}. */
    public boolean expired(long lastTs, long time) {
        return enabled() && timerFor(lastTs) <= time;
    }
}
