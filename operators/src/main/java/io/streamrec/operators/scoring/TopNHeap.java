package io.streamrec.operators.scoring;

import java.util.Arrays;

/**
 * Bounded min-heap of (score, row) for one user: the root is the worst kept candidate, so a new
 * candidate is compared against a single threshold while scanning. "Worse" means a lower score, or
 * an equal score with a higher row.
 */
final class TopNHeap {

    private final int capacity;
    private final float userOffset;
    private final int[] excludedSorted;
    private final float[] scores;
    private final int[] rows;
    private int size;

    TopNHeap(int capacity, float userOffset, int[] excludedRows) {
        this.capacity = capacity;
        this.userOffset = userOffset;
        this.excludedSorted = sortedOrNull(excludedRows);
        this.scores = new float[capacity];
        this.rows = new int[capacity];
    }

    /**
     * Offers {@code count} consecutive rows starting at {@code firstRow}; {@code dots[dotsOffset + i]}
     * is the dot product for row {@code firstRow + i} and {@code biases[biasOffset + i]} its bias. Rows must be offered in increasing order,
     * which lets an equal score never displace the root (the root always has the lower row).
     */
    void offer(float[] dots, int dotsOffset, int count, int firstRow, float[] biases, int biasOffset) {
        final float offset = userOffset;
        for (int i = 0; i < count; i++) {
            offerScore(firstRow + i, dots[dotsOffset + i] + biases[biasOffset + i] + offset);
        }
    }

    /**
     * Offers one row with its final score ({@code dot + bias + userOffset}, computed by the caller).
     * Rows must come in increasing order, as for {@link #offer}.
     */
    void offerScore(int row, float s) {
        if (size == capacity) {
            if (!(s > scores[0])) {
                return; // also drops NaN
            }
            if (isExcluded(row)) {
                return;
            }
            scores[0] = s;
            rows[0] = row;
            siftDown(0);
        } else {
            if (!(s > Float.NEGATIVE_INFINITY) || isExcluded(row)) {
                return; // NaN, or a masked row (ItemMatrix#setMasked)
            }
            scores[size] = s;
            rows[size] = row;
            siftUp(size++);
        }
    }

    /**
     * A score every row must reach ({@code >=}) to have a chance of entering the heap: the worst
     * kept score once the heap is full, else negative infinity. Kernels compare whole vectors of
     * scores against it and call {@link #offerScore} only for the few that pass; a score equal to
     * the threshold passes here and is then rejected by the heap's exact rule.
     */
    float threshold() {
        return size == capacity ? scores[0] : Float.NEGATIVE_INFINITY;
    }

    /** The additive term of this user's scores (user bias, plus global mean for explicit ratings). */
    float userOffset() {
        return userOffset;
    }

    /** Drains the heap into a result, best first. */
    ScoredItems toResult() {
        int n = size;
        int[] outRows = new int[n];
        float[] outScores = new float[n];
        for (int i = n - 1; i >= 0; i--) {
            outRows[i] = rows[0];
            outScores[i] = scores[0];
            size--;
            if (size > 0) {
                scores[0] = scores[size];
                rows[0] = rows[size];
                siftDown(0);
            }
        }
        return new ScoredItems(outRows, outScores);
    }

    private boolean isExcluded(int row) {
        return excludedSorted != null && Arrays.binarySearch(excludedSorted, row) >= 0;
    }

    private boolean worse(int a, int b) {
        float sa = scores[a];
        float sb = scores[b];
        return sa < sb || (sa == sb && rows[a] > rows[b]);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!worse(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int right = left + 1;
            int child = right < size && worse(right, left) ? right : left;
            if (!worse(child, i)) {
                return;
            }
            swap(i, child);
            i = child;
        }
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
    }

    private static int[] sortedOrNull(int[] excluded) {
        if (excluded == null || excluded.length == 0) {
            return null;
        }
        int[] copy = excluded.clone();
        Arrays.sort(copy);
        return copy;
    }
}
