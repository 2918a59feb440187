package io.streamrec.operators.scoring;

import org.jblas.NativeBlas;

/**
 * Top-N kernel on jblas: one single-precision GEMM per item block scores the whole batch.
 *
 * <p>The item matrix is row-major within each segment, so rows {@code [s, s + k)} of one segment are,
 * in place, a column-major {@code dim × k} matrix {@code Q}; the packed batch is a column-major {@code dim × B} matrix {@code P}. One call
 * {@code sgemm('T', 'N')} computes the {@code k × B} block {@code Qᵀ P}, whose column {@code u} holds
 * user {@code u}'s dot products for the block contiguously. This is what {@code FloatMatrix.mmul}
 * does, called on {@link NativeBlas} directly so the item block is read with an offset instead of
 * being copied. The block height shrinks with the batch so the score block stays about 1 MiB.
 *
 * <p>Needs jblas' native library (on Linux: libgfortran5); use {@link TopNKernels#best()} to fall
 * back to {@link JavaTopNKernel} when it does not load. Not thread-safe (scratch buffers).
 */
public final class JblasTopNKernel extends AbstractTopNKernel {

    private static final int SCORE_BLOCK_FLOATS = 256 * 1024;
    private static final int MIN_BLOCK_ROWS = 256;
    private static final int MAX_BLOCK_ROWS = 4096;

    private final int fixedBlockRows;
    private float[] packedUsers = new float[0];
    private float[] dots = new float[0];

    public JblasTopNKernel() {
        this(0);
    }

    /**
     * A kernel scanning {@code blockRows} items per GEMM, or a batch-dependent height if {@code
     * blockRows} is 0.
     */
    public JblasTopNKernel(int blockRows) {
        if (blockRows < 0) {
            throw new IllegalArgumentException("blockRows must not be negative, got " + blockRows);
        }
        this.fixedBlockRows = blockRows;
    }

    @Override
    public String name() {
        return "jblas";
    }

    @Override
    void scan(ItemMatrix items, float[][] users, TopNHeap[] heaps) {
        final int dim = items.dim();
        final int rowCount = items.size();
        final int batch = users.length;
        int blockRows = fixedBlockRows > 0
                ? fixedBlockRows
                : Math.max(MIN_BLOCK_ROWS, Math.min(MAX_BLOCK_ROWS, SCORE_BLOCK_FLOATS / batch));
        blockRows = Math.min(blockRows, Math.min(rowCount, items.segmentRows()));

        if (packedUsers.length < batch * dim) {
            packedUsers = new float[batch * dim];
        }
        for (int u = 0; u < batch; u++) {
            System.arraycopy(users[u], 0, packedUsers, u * dim, dim);
        }
        if (dots.length < blockRows * batch) {
            dots = new float[blockRows * batch];
        }
        for (int s = 0, segments = items.usedSegments(); s < segments; s++) {
            final float[] data = items.vectorSegment(s);
            final float[] biases = items.biasSegment(s);
            final int segmentCount = items.rowsIn(s);
            final int base = s * items.segmentRows();
            for (int start = 0; start < segmentCount; start += blockRows) {
                int k = Math.min(blockRows, segmentCount - start);
                NativeBlas.sgemm('T', 'N', k, batch, dim,
                        1f, data, start * dim, dim,
                        packedUsers, 0, dim,
                        0f, dots, 0, k);
                for (int u = 0; u < batch; u++) {
                    heaps[u].offer(dots, u * k, k, base + start, biases, start);
                }
            }
        }
    }
}
