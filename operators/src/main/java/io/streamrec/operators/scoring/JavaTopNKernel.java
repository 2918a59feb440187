package io.streamrec.operators.scoring;

/**
 * Pure-Java top-N kernel, the fallback when jblas cannot load its native library.
 *
 * <p>Each block of item rows is transposed once into a {@code dim × block} scratch matrix; every user
 * then accumulates its dot products column by column ({@code dots[j] += u[c] * itemT[c][j]}). That
 * inner loop is a unit-stride multiply-add the JIT turns into SIMD, unlike a per-item dot product
 * whose float reduction it must keep sequential. The block (dim × 1024 floats, 256 KiB at dim 64) is
 * read from L2 by every user of the batch; the transpose is amortized over the batch.
 *
 * <p>Not thread-safe (scratch buffers).
 */
public final class JavaTopNKernel extends AbstractTopNKernel {

    static final int DEFAULT_BLOCK_ROWS = 1024;

    private final int blockRows;
    private float[] transposed = new float[0];
    private final float[] dots;

    public JavaTopNKernel() {
        this(DEFAULT_BLOCK_ROWS);
    }

    /** A kernel scanning {@code blockRows} items at a time (tests use small blocks to hit edges). */
    public JavaTopNKernel(int blockRows) {
        if (blockRows < 1) {
            throw new IllegalArgumentException("blockRows must be positive, got " + blockRows);
        }
        this.blockRows = blockRows;
        this.dots = new float[blockRows];
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    void scan(ItemMatrix items, float[][] users, TopNHeap[] heaps) {
        final int dim = items.dim();
        final int rowCount = items.size();
        final float[] data = items.vectorData();
        final float[] biases = items.biasData();
        if (transposed.length < dim * blockRows) {
            transposed = new float[dim * blockRows];
        }
        final float[] t = transposed;
        final float[] d = dots;
        for (int start = 0; start < rowCount; start += blockRows) {
            final int k = Math.min(blockRows, rowCount - start);
            transpose(data, start, k, dim, t);
            for (int u = 0; u < users.length; u++) {
                final float[] user = users[u];
                float w = user[0];
                for (int j = 0; j < k; j++) {
                    d[j] = w * t[j];
                }
                for (int c = 1; c < dim; c++) {
                    w = user[c];
                    final int base = c * k;
                    for (int j = 0; j < k; j++) {
                        d[j] += w * t[base + j];
                    }
                }
                heaps[u].offer(d, 0, k, start, biases);
            }
        }
    }

    /** Rows {@code [start, start + k)} of the row-major matrix into {@code t} as {@code dim × k}. */
    private static void transpose(float[] data, int start, int k, int dim, float[] t) {
        int src = start * dim;
        for (int j = 0; j < k; j++, src += dim) {
            for (int c = 0; c < dim; c++) {
                t[c * k + j] = data[src + c];
            }
        }
    }
}
