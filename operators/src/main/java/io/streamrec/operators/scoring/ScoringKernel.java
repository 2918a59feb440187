package io.streamrec.operators.scoring;

/**
 * Which top-N kernel scores users. Measured on the 2-core development machine (JMH {@code
 * TopNKernelBenchmark}, 100k items, d = 64, N = 20, 100 excluded rows per user; figures in
 * docs/PERFORMANCE.md): the vector kernel is several times faster than the Java kernel on batches
 * and is the default; jblas' bundled BLAS is the slowest and stays for machines where it wins.
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
