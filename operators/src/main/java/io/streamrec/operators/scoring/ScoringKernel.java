package io.streamrec.operators.scoring;

/**
 * Which top-N kernel scores users. Measured on the 2-core development machine (JMH {@code
 * TopNKernelBenchmark}, 100k items, d = 64, N = 20, 100 excluded rows per user; medians, figures in
 * the README's Performance section): vector 4,745–5,081 / 3,827–3,955 users/s at batches of 64 /
 * 256, Java 1,333–1,599 / 1,242–1,737, jblas 1,150 / 1,114; single-thread OpenBLAS sgemm without
 * selection 4,675–8,298 / 4,959–5,922 in the same sessions. So VECTOR is the default; jblas stays
 * for machines where its BLAS wins.
 */
public enum ScoringKernel {
    /**
     * The Vector API kernel ({@link VectorTopNKernel}); needs {@code --add-modules
     * jdk.incubator.vector} and falls back to {@link #JAVA} (logged once) without it.
     */
    VECTOR,
    /** The auto-vectorized pure-Java kernel. */
    JAVA,
    /** jblas sgemm on item blocks; falls back to {@link #JAVA} (logged once) if its native library cannot load. */
    JBLAS;

    /** A new kernel instance (kernels are not thread-safe). */
    public TopNKernel create() {
        switch (this) {
            case VECTOR:
                return TopNKernels.vector();
            case JBLAS:
                return TopNKernels.best();
            default:
                return new JavaTopNKernel();
        }
    }
}
