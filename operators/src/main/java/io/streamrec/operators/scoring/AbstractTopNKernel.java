package io.streamrec.operators.scoring;

import java.util.Objects;

/** Argument checks and per-user heaps shared by the kernels; subclasses only compute dot blocks. */
abstract class AbstractTopNKernel implements TopNKernel {

    @Override
    public final ScoredItems[] topN(
            ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(users, "users");
        int batch = users.length;
        int dim = items.dim();
        if (userOffsets != null && userOffsets.length != batch) {
            throw new IllegalArgumentException(
                    "userOffsets has " + userOffsets.length + " entries for " + batch + " users");
        }
        if (excludedRows != null && excludedRows.length != batch) {
            throw new IllegalArgumentException(
                    "excludedRows has " + excludedRows.length + " entries for " + batch + " users");
        }
        for (int u = 0; u < batch; u++) {
            if (users[u] == null || users[u].length != dim) {
                throw new IllegalArgumentException(
                        "user " + u + " of the batch has "
                                + (users[u] == null ? "no vector" : users[u].length + " components")
                                + ", expected " + dim);
            }
        }
        ScoredItems[] results = new ScoredItems[batch];
        int rowCount = items.size();
        if (batch == 0) {
            return results;
        }
        if (n <= 0 || rowCount == 0) {
            java.util.Arrays.fill(results, ScoredItems.empty());
            return results;
        }
        int capacity = Math.min(n, rowCount);
        TopNHeap[] heaps = new TopNHeap[batch];
        for (int u = 0; u < batch; u++) {
            float offset = userOffsets == null ? 0f : userOffsets[u];
            int[] excluded = excludedRows == null ? null : excludedRows[u];
            heaps[u] = new TopNHeap(capacity, offset, excluded);
        }
        scan(items, users, heaps);
        for (int u = 0; u < batch; u++) {
            results[u] = heaps[u].toResult();
        }
        return results;
    }

    /**
     * Computes dot products of every user with every row, block by block in increasing row order,
     * and offers each block to the users' heaps. Arguments are already validated and non-empty.
     */
    abstract void scan(ItemMatrix items, float[][] users, TopNHeap[] heaps);
}
