package io.streamrec.operators.model;

import java.util.SplittableRandom;

/**
 * A ring buffer of the most recent positive interactions' items. Drawing uniformly from it samples
 * items in proportion to their recent popularity, which is what negative sampling for implicit
 * feedback wants. Heap only: after a restore it refills from the stream.
 */
public final class RecentItems {
    private final String[] ring;
    private int next;
    private int filled;

    public RecentItems(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.ring = new String[capacity];
    }

    public void add(String item) {
        ring[next] = item;
        next = (next + 1) % ring.length;
        if (filled < ring.length) {
            filled++;
        }
    }

    public int size() {
        return filled;
    }

    /** A recently interacted item drawn uniformly from the buffer, or null when it is empty. */
    public String sample(SplittableRandom random) {
        return filled == 0 ? null : ring[random.nextInt(filled)];
    }
}
