package io.streamrec.operators.scoring;

import java.util.Arrays;
import java.util.Objects;

/**
 * One user's top-N result: item rows of an {@link ItemMatrix} and their scores, best first (ties by
 * lower row). The arrays are exposed without copying (the result is a hot-path value handed from
 * the kernel to its caller); treat them as read-only.
 */
public final class ScoredItems {

    private static final ScoredItems EMPTY = new ScoredItems(new int[0], new float[0]);

    /** Item rows, best first. */
    public final int[] rows;

    /** Scores matching {@link #rows}, non-increasing. */
    public final float[] scores;

    public ScoredItems(int[] rows, float[] scores) {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(scores, "scores");
        if (rows.length != scores.length) {
            throw new IllegalArgumentException(
                    "rows and scores differ in length: " + rows.length + " vs " + scores.length);
        }
        this.rows = rows;
        this.scores = scores;
    }

    /** A result without items. */
    public static ScoredItems empty() {
        return EMPTY;
    }

    /** Item rows, best first. */
    public int[] rows() {
        return rows;
    }

    /** Scores matching {@link #rows()}, non-increasing. */
    public float[] scores() {
        return scores;
    }

    /** Number of items in the result. */
    public int size() {
        return rows.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoredItems other
                && Arrays.equals(rows, other.rows)
                && Arrays.equals(scores, other.scores);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(rows) + Arrays.hashCode(scores);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ScoredItems[");
        for (int i = 0; i < rows.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(rows[i]).append('=').append(scores[i]);
        }
        return sb.append(']').toString();
    }
}
