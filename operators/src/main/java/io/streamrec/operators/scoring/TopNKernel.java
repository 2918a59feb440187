package io.streamrec.operators.scoring;

/**
 * Scores a batch of users against every item of an {@link ItemMatrix} and keeps each user's best
 * {@code n} items.
 *
 * <p>For user {@code u} and row {@code j}: {@code score = userOffsets[u] + itemBias[j] + users[u] ·
 * item[j]}. Rows listed in {@code excludedRows[u]} (unsorted, duplicates and out-of-range values
 * allowed) are skipped; NaN scores are never returned, nor rows masked in the matrix ({@link
 * ItemMatrix#setMasked}). Results are ordered by descending score, ties
 * broken by the lower row, and hold {@code min(n, eligible rows)} entries.
 *
 * <p>Implementations select while scanning item blocks and never materialize a users × items matrix.
 * They keep scratch buffers and are therefore not thread-safe: use one instance per thread.
 */
public interface TopNKernel {

    /**
     * @param items the item cache; not modified
     * @param users one vector of {@code items.dim()} components per user in the batch
     * @param userOffsets per-user additive term (user bias, plus global mean for explicit ratings);
     *     {@code null} means all zero
     * @param excludedRows per-user rows to skip (seen items); the array or any entry may be {@code
     *     null}
     * @param n how many items to keep per user; 0 or less yields empty results
     * @return one result per user, in batch order
     */
    ScoredItems[] topN(ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n);

    /**
     * True if the kernel now handles users one at a time (an index search per user), so a batch of
     * one costs no more per user than a large batch and needs no special small-batch kernel.
     */
    default boolean perUser() {
        return false;
    }

    /** Short name for logs and benchmarks. */
    String name();
}
