package io.streamrec.operators.user;

import java.util.HashSet;
import java.util.Set;

/**
 * Items that left lists, gathered for one pass over the lists that may hold them, and when that
 * pass runs: the first one {@code firstDelay} after the first item, each later one also at least
 * {@code spacing} after the previous pass. A pass reads every list a subtask owns, so items that
 * leave by the thousand (an expiry flood, a catalogue import) must share passes; the spacing bounds
 * how often the lists are read, and how long an item may wait for its pass (one spacing after the
 * previous pass). Not state: a failure forgets the gathered items, so callers say what brings them
 * back. Not thread-safe.
 */
public final class PassSchedule {

    private final Set<String> gathered = new HashSet<>();
    private final long firstDelay;
    private final long spacing;
    private long lastPass = Long.MIN_VALUE;
    private boolean scheduled;

    public PassSchedule(long firstDelay, long spacing) {
        this.firstDelay = firstDelay;
        this.spacing = spacing;
    }

    /**
     * {@code item} left lists at processing time {@code now}: returns when to run the pass, or -1
     * when one is scheduled already (it serves this item too).
     */
    public long add(String item, long now) {
        gathered.add(item);
        if (scheduled) {
            return -1;
        }
        scheduled = true;
        long earliest = lastPass == Long.MIN_VALUE ? now : lastPass + spacing;
        return Math.max(now + firstDelay, earliest);
    }

    /** Gathers {@code item} without scheduling a pass: {@link #scheduleHeld} does when it may run. */
    public void hold(String item) {
        gathered.add(item);
    }

    /** When to run a pass for the items held meanwhile: {@code now}, or -1 when none are held or one is scheduled. */
    public long scheduleHeld(long now) {
        if (gathered.isEmpty() || scheduled) {
            return -1;
        }
        scheduled = true;
        return now;
    }

    /** The items gathered for a pass at {@code now}; then cleared, and the next pass is spaced from {@code now}. */
    public Set<String> drain(long now) {
        lastPass = now;
        scheduled = false;
        Set<String> out = new HashSet<>(gathered);
        gathered.clear();
        return out;
    }
}
