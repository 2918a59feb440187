package io.streamrec.evaluation.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Test-then-learn accounting: each evaluated event contributes a hit (its item was in the top k
 * before learning) and a gain 1/log2(rank+2) for a hit at 0-based rank (nDCG@k with one relevant
 * item, whose ideal DCG is 1). Events are grouped into consecutive windows of
 * {@code windowEvents} events for a curve over time. Not thread-safe.
 */
public final class PrequentialTally {

    private final int k;
    private final int windowEvents;
    private final List<Window> windows = new ArrayList<>();
    private long events;
    private long hits;
    private double gain;
    private Window current;

    public PrequentialTally(int k, int windowEvents) {
        if (k <= 0 || windowEvents <= 0) {
            throw new IllegalArgumentException("k and window size must be positive");
        }
        this.k = k;
        this.windowEvents = windowEvents;
    }

    /** Records one evaluated event: {@code rank} is the 0-based position in the list, -1 for a miss. */
    public void record(int rank, long ts) {
        boolean hit = rank >= 0 && rank < k;
        double g = hit ? RankingMetrics.discount(rank) : 0;
        events++;
        if (hit) {
            hits++;
        }
        gain += g;
        if (current == null || current.events == windowEvents) {
            current = new Window(windows.size(), ts);
            windows.add(current);
        }
        current.events++;
        current.hits += hit ? 1 : 0;
        current.gain += g;
        current.lastTs = ts;
    }

    public long events() {
        return events;
    }

    public double hitRate() {
        return events == 0 ? 0 : hits / (double) events;
    }

    public double ndcg() {
        return events == 0 ? 0 : gain / events;
    }

    public List<Window> windows() {
        return Collections.unmodifiableList(windows);
    }

    /** One window of consecutive events. */
    public static final class Window {
        public final int index;
        public final long firstTs;
        public long lastTs;
        public long events;
        public long hits;
        public double gain;

        Window(int index, long firstTs) {
            this.index = index;
            this.firstTs = firstTs;
            this.lastTs = firstTs;
        }

        public double hitRate() {
            return events == 0 ? 0 : hits / (double) events;
        }

        public double ndcg() {
            return events == 0 ? 0 : gain / events;
        }
    }
}
