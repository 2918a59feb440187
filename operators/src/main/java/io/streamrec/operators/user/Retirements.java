package io.streamrec.operators.user;

import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.state.UserState;

import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Retiring and un-retiring items on the UserWorker side. A {@code retire} or {@code unretire}
 * control record becomes a marker that goes with the next barrier's deltas through the gradient
 * topic to the item's ItemServer (the owner of the flag, so it is exactly-once and survives
 * restarts); the ItemServer broadcasts the retirement to every UserWorker subtask, whose cache drops
 * the item ({@link ItemCache}) and which then refreshes, at the next refresh interval, every user
 * whose last list holds it ({@link #refreshListsWith}). Un-retiring brings the vector back through
 * an ordinary broadcast.
 *
 * <p>Items that expire ({@code state.item-ttl}) leave the lists the same way, but many may expire
 * at once, and a flood of junk items expires continuously: they are gathered ({@link #expired})
 * and one pass over the users serves all of those gathered ({@link #drainExpired}); a pass starts a
 * second after the first expiry, and at least a minute after the previous pass, so a subtask with
 * many users does not scan them over and over.
 *
 * <p>Items that become unavailable (or leave a configured category) through the item topic are
 * gathered too ({@link #leftLists}), but their pass is due sooner: at once, or one refresh interval
 * after the previous such pass, so the lists holding them are recomputed within about two refresh
 * intervals (a catalogue import that flips thousands of items still costs one pass per interval).
 * Before the item cache has resynced after a restore they are held, and the pass comes when it is
 * ready ({@link #leftListsWhenReady}). Not thread-safe.
 */
final class Retirements {

    private record Request(String item, boolean retire) {}

    /** Requests since the last barrier (not state: a replay after a failure reads the records again). */
    private final List<Request> pending = new ArrayList<>();
    static final long FIRST_PASS_DELAY_MS = 1_000;
    static final long MIN_PASS_SPACING_MS = 60_000;
    /** Items that expired since the last pass over the users' lists for them. */
    private final PassSchedule expired = new PassSchedule(FIRST_PASS_DELAY_MS, MIN_PASS_SPACING_MS);
    /** Items that became unavailable or left a category since the last pass for them. */
    private final PassSchedule leftLists;

    Retirements() {
        this(1_000);
    }

    /** @param leftListsSpacing the least time between two passes for items that left lists ({@code recs.refresh-interval}) */
    Retirements(long leftListsSpacing) {
        this.leftLists = new PassSchedule(0, leftListsSpacing);
    }

    /**
     * An item became unavailable or left a configured category at {@code now}; returns when to run
     * the pass over the users' lists, or -1 when one is scheduled already or the cache is not
     * {@code ready} (then {@link #leftListsWhenReady} schedules it).
     */
    long leftLists(String item, long now, boolean ready) {
        if (!ready) {
            leftLists.hold(item);
            return -1;
        }
        return leftLists.add(item, now);
    }

    /** The cache became ready: when to run the pass for the items held meanwhile, or -1 for none. */
    long leftListsWhenReady(long now) {
        return leftLists.scheduleHeld(now);
    }

    /**
     * Runs the pass for the items gathered by {@link #leftLists} at processing time {@code at}, if
     * {@code at} is not -1 (as {@link #leftLists} and {@link #leftListsWhenReady} return).
     */
    void passAt(long at, ProcessingTimeService time, UserStateCache users, UserTimers timers) {
        if (at >= 0) {
            time.registerTimer(at, t -> {
                long now = time.getCurrentProcessingTime();
                refreshListsWith(leftLists.drain(now), users, timers, now);
            });
        }
    }

    /**
     * An item expired at processing time {@code now}; returns when to run the pass over the users'
     * lists, or -1 when one is already scheduled.
     */
    long expired(String item, long now) {
        return expired.add(item, now);
    }

    /** The expired items gathered since the last pass, for a pass at {@code now}; then cleared. */
    Set<String> drainExpired(long now) {
        return expired.drain(now);
    }

    /** A control record read from the input. */
    void request(String item, boolean retire) {
        pending.add(new Request(item, retire));
    }

    /** The markers of the requests since the last barrier, stamped like that barrier's deltas; then cleared. */
    List<ItemDelta> drain(int dim, String origin, long checkpointId, int sender) {
        List<ItemDelta> out = new ArrayList<>(pending.size());
        for (Request r : pending) {
            ItemDelta d = ItemDelta.retirementMarker(r.item(), dim, r.retire());
            d.origin = origin;
            d.checkpointId = checkpointId;
            d.sender = sender;
            out.add(d);
        }
        pending.clear();
        return out;
    }

    /**
     * Asks for a refresh of every user of this subtask whose last list (or category list) holds one
     * of {@code items}: one pass over the subtask's users. Returns how many were asked.
     */
    static long refreshListsWith(Set<String> items, UserStateCache users, UserTimers timers, long now) throws Exception {
        if (items.isEmpty()) {
            return 0;
        }
        Set<Integer> hashes = new HashSet<>();
        items.forEach(item -> hashes.add(item.hashCode()));
        long[] asked = {0};
        users.applyToAllUsers((user, state) -> {
                    UserState s = state.value();
                    if (s != null && (s.lastList != null && holdsAny(s.lastList, items)
                            || s.categoryListItems != null && holdsAnyHash(s.categoryListItems, hashes))) {
                        timers.requestRefresh(s, now);
                        state.update(s);
                        asked[0]++;
                    }
                });
        return asked[0];
    }

    private static boolean holdsAnyHash(int[] hashes, Set<Integer> of) {
        for (int h : hashes) {
            if (of.contains(h)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsAny(String[] list, Set<String> items) {
        for (String item : list) {
            if (items.contains(item)) {
                return true;
            }
        }
        return false;
    }
}
