package io.streamrec.operators.scoring;

import java.util.Arrays;

/**
 * The rows of an {@link ItemMatrix} written since a reader last {@linkplain #restart restarted}
 * it, for a reader that keeps something derived from every row and would rather update it than
 * recompute it ({@link BoundedTopNKernel}'s hot set and norm bands). The matrix appends a row at
 * each {@link ItemMatrix#upsert} (a new row too), and marks the list {@linkplain #complete()
 * incomplete} when rows change in ways a list of rows cannot tell: a {@link ItemMatrix#remove}
 * (the last row moves) or a mask. It is incomplete too when more rows were written than the limit
 * the reader set: past it, re-reading every row is cheaper than following the list. A new list is
 * incomplete until its first restart. A row written twice is listed twice.
 *
 * <p>Not thread-safe, like the matrix.
 */
public final class RowChanges {

    private int[] rows = new int[64];
    private int count;
    private int limit;
    private boolean complete;

    RowChanges() {}

    void written(int row) {
        if (!complete) {
            return;
        }
        if (count == limit) {
            complete = false;
            return;
        }
        if (count == rows.length) {
            rows = Arrays.copyOf(rows, Math.min(limit, 2 * rows.length));
        }
        rows[count++] = row;
    }

    void reshaped() {
        complete = false;
    }

    /** True when {@link #row} lists every change since the last restart. */
    public boolean complete() {
        return complete;
    }

    /** Rows listed (with repeats). */
    public int count() {
        return count;
    }

    /** The {@code i}-th row written since the restart. */
    public int row(int i) {
        return rows[i];
    }

    /** Forgets what is listed: from now on, up to {@code limit} writes are listed before the list gives up. */
    public void restart(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        this.limit = limit;
        count = 0;
        complete = true;
    }

    /** Marks the list incomplete, so that the reader's next look re-reads every row. */
    public void invalidate() {
        complete = false;
    }
}
