package io.streamrec.operators.scoring;

/**
 * The items nearest to one item by cosine similarity of their vectors: one exact scan of an
 * {@link ItemMatrix} (2 × items × dim multiply-adds: the dot product and each row's norm), keeping
 * the best {@code n} in a bounded heap. Biases are left out: they hold popularity, not likeness.
 * The item itself and rows with a zero vector are skipped. Pure and deterministic (plain float
 * loops in row order, ties by lower row), so the owner of a list computes the same one after a
 * restore from the same cache.
 */
public final class CosineNeighbours {

    private CosineNeighbours() {}

    /**
     * The {@code n} rows most similar to {@code row}, best first, with their cosine similarity.
     *
     * @param items the item matrix
     * @param row   the query item's row (excluded from the result)
     * @param n     how many neighbours at most
     */
    public static ScoredItems of(ItemMatrix items, int row, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        int dim = items.dim();
        float[] q = items.vectorAt(row);
        float qNorm = (float) Math.sqrt(Dots.dot(q, 0, q, 0, dim));
        if (!(qNorm > 0f)) {
            return ScoredItems.empty();
        }
        TopNHeap heap = new TopNHeap(n, 0f, new int[] {row});
        int segmentRows = items.segmentRows();
        for (int s = 0; s < items.usedSegments(); s++) {
            float[] vectors = items.vectorSegment(s);
            int rows = items.rowsIn(s);
            for (int local = 0; local < rows; local++) {
                int offset = local * dim;
                float normSq = Dots.dot(vectors, offset, vectors, offset, dim);
                if (!(normSq > 0f)) {
                    continue;
                }
                float cosine = Dots.dot(vectors, offset, q, 0, dim) / (qNorm * (float) Math.sqrt(normSq));
                heap.offerScore(s * segmentRows + local, cosine);
            }
        }
        return heap.toResult();
    }

    /**
     * The cosine distance {@code 1 − cos(a, b)} between two vectors (0: same direction, 2: opposite);
     * 2 when either is zero, so a zero vector always counts as moved.
     */
    public static double distance(float[] a, float[] b) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            aa += (double) a[k] * a[k];
            bb += (double) b[k] * b[k];
        }
        if (aa == 0 || bb == 0) {
            return 2;
        }
        return 1 - dot / Math.sqrt(aa * bb);
    }
}
