package io.streamrec.operators.scoring;

/**
 * Which top-N kernel scores users. Measured on the 2-core development machine (JMH, 100k items,
 * d = 64, N = 20): the Java kernel scores 1,578 / 1,720 users/s at batches of 64 / 256, jblas'
 * bundled BLAS 744 / 788, so Java is the default; jblas is there for machines where its BLAS wins.
 */
public enum ScoringKernel {
    /** The vectorizing pure-Java kernel. */
    JAVA,
    /** jblas sgemm on item blocks; falls back to {@link #JAVA} (logged once) if its native library cannot load. */
    JBLAS;

    /** A new kernel instance (kernels are not thread-safe). */
    public TopNKernel create() {
        return this == JBLAS ? TopNKernels.best() : new JavaTopNKernel();
    }
}
