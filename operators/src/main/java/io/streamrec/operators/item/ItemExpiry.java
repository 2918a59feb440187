package io.streamrec.operators.item;

import io.streamrec.operators.model.IdleExpiry;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimeServiceManager;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.watermark.Watermark;

import java.time.Duration;
import java.util.List;

/**
 * {@code state.item-ttl} on the ItemServer: an item without interactions for that long in event
 * time leaves the model. The ItemServer reads gradients, not interactions, so it has no watermark
 * of its own; its clock is the newest interaction time among the deltas it has applied (each subtask
 * its own, checkpointed in union operator state, the maximum taken on restore, so a rescale keeps
 * it). Each item has one event-time timer in the keyed timer service ({@link IdleExpiry}: its newest
 * interaction plus the TTL, rounded up to 1% of it), and the ItemServer advances that service to its
 * clock, at most once per rounding step. Deltas of negative samples carry no interaction time and
 * move neither the item's time nor the clock, so an item that is only ever sampled as a negative
 * expires.
 *
 * <p>Timers exist only for the TTL they were registered with. State from a release without item
 * expiry, or from a run with a different TTL, has items without (the right) timers: the operator
 * state records the TTL of the timers, and when it differs the ItemServer registers every item's
 * timer again at the start ({@link #needsTimersForAllItems}). Not thread-safe.
 */
final class ItemExpiry {

    /** Operator state: (clock, TTL in ms of the registered timers). */
    static final String STATE = "item-expiry-clock";

    private final IdleExpiry expiry;
    private final long ttlMs;
    private final long stepMs;
    private ListState<Tuple2<Long, Long>> state;
    private InternalTimerService<VoidNamespace> timers;
    private long clock = Long.MIN_VALUE;
    private long advancedTo = Long.MIN_VALUE;
    private boolean timersForAllItems = true;

    ItemExpiry(Duration ttl) {
        this.expiry = new IdleExpiry(ttl);
        this.ttlMs = ttl.toMillis();
        this.stepMs = Math.max(1, expiry.timerFor(0) - ttlMs);
    }

    boolean enabled() {
        return expiry.enabled();
    }

    /** Restores the clock; also when disabled, so that enabling it later registers every item's timer. */
    void initializeState(OperatorStateStore store, boolean restored) throws Exception {
        state = store.getUnionListState(new ListStateDescriptor<>(STATE,
                TypeInformation.of(new TypeHint<Tuple2<Long, Long>>() {})));
        Long timersTtl = null;
        for (Tuple2<Long, Long> entry : state.get()) {
            clock = Math.max(clock, entry.f0);
            timersTtl = entry.f1;
        }
        timersForAllItems = !restored || (timersTtl != null && timersTtl == ttlMs);
    }

    void open(InternalTimerService<VoidNamespace> timerService) {
        this.timers = timerService;
    }

    /**
     * True once after a restore from state whose items have no timers for this TTL: the caller
     * registers every item's timer with {@link #itemTouched} (previous time: none) before anything else.
     */
    boolean needsTimersForAllItems() {
        boolean needed = enabled() && !timersForAllItems;
        timersForAllItems = true;
        return needed;
    }

    void snapshotState() throws Exception {
        state.update(List.of(Tuple2.of(clock, enabled() ? ttlMs : 0L)));
    }

    /**
     * The current item's newest interaction moved from {@code before} ({@code Long.MIN_VALUE}: it
     * had none, or no timer) to {@code after}: its timer moves with it, and the clock follows.
     */
    void itemTouched(long before, long after) {
        if (!enabled()) {
            return;
        }
        long due = expiry.timerFor(after);
        if (before != Long.MIN_VALUE) {
            long old = expiry.timerFor(before);
            if (old == due) {
                clock = Math.max(clock, after);
                return;
            }
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, old);
        }
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, due);
        clock = Math.max(clock, after);
    }

    /**
     * Fires the timers the clock has passed, when it has moved by a rounding step since the last
     * time (timers are rounded to that step anyway). The callbacks change the current key.
     */
    void advance(InternalTimeServiceManager<?> manager) throws Exception {
        if (enabled() && clock != Long.MIN_VALUE
                && (advancedTo == Long.MIN_VALUE || clock - advancedTo >= stepMs)) {
            advancedTo = clock;
            manager.advanceWatermark(new Watermark(clock));
        }
    }

    /** True when an item whose newest interaction is at {@code lastTs} has expired when its timer at {@code time} fires. */
    boolean expired(long lastTs, long time) {
        return expiry.expired(lastTs, time);
    }

    /** The newest interaction time this subtask has applied (its clock), {@code Long.MIN_VALUE} before any. */
    long clock() {
        return clock;
    }
}
