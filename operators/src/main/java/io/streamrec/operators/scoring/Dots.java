package io.streamrec.operators.scoring;

/**
 * Dot products of single rows, with four independent accumulators so the JIT can overlap the
 * multiply-adds (a float reduction in one accumulator must stay sequential).
 */
final class Dots {

    /** Whether {@link #fast} runs on the Vector API (probed once, with the vector kernel). */
    private static final boolean VECTOR = TopNKernels.vectorAvailable();

    private Dots() {}

    /**
     * The same product as {@link #dot}, on the Vector API where the vector kernel works (the sum
     * order differs, so results may differ in the last bits), else {@link #dot}. For the index,
     * whose searches and builds are dot products of single rows.
     */
    static float fast(float[] a, int aOffset, float[] b, int bOffset, int dim) {
        return VECTOR ? VectorDots.dot(a, aOffset, b, bOffset, dim) : dot(a, aOffset, b, bOffset, dim);
    }

    /** {@code a[aOffset .. aOffset + dim) · b[bOffset .. bOffset + dim)}. */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int dim) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int k = 0;
        for (; k + 3 < dim; k += 4) {
            s0 += a[aOffset + k] * b[bOffset + k];
            s1 += a[aOffset + k + 1] * b[bOffset + k + 1];
            s2 += a[aOffset + k + 2] * b[bOffset + k + 2];
            s3 += a[aOffset + k + 3] * b[bOffset + k + 3];
        }
        for (; k < dim; k++) {
            s0 += a[aOffset + k] * b[bOffset + k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code a[aOffset .. aOffset + dim) · b[0 .. dim)}. */
    static float dot(float[] a, int aOffset, float[] b, int dim) {
        return dot(a, aOffset, b, 0, dim);
    }
}
