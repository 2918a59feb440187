package io.streamrec.operators.scoring;

/**
 * A kernel for batches of any size: batches smaller than {@link #SMALL_BATCH} go to the Java kernel,
 * whose fixed cost per call is far lower than a BLAS or vector kernel's, the others to the configured
 * kernel; a kernel that searches an index user by user ({@link TopNKernel#perUser()}) takes every
 * batch. Used by both the users' refreshes and the similar-item lists. Not thread-safe (it holds two
 * kernels).
 */
public final class BatchSizeKernel implements TopNKernel {

    /** Below this many queries in one call the Java kernel scores. */
    public static final int SMALL_BATCH = 8;

    private final TopNKernel kernel;
    private final TopNKernel small = new JavaTopNKernel();

    public BatchSizeKernel(TopNKernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public ScoredItems[] topN(ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n) {
        boolean smallBatch = users.length < SMALL_BATCH && !kernel.perUser();
        return (smallBatch ? small : kernel).topN(items, users, userOffsets, excludedRows, n);
    }

    /** The configured kernel (for its index and its resources). */
    public TopNKernel configured() {
        return kernel;
    }

    @Override
    public boolean perUser() {
        return kernel.perUser();
    }

    @Override
    public String name() {
        return kernel.name();
    }
}
