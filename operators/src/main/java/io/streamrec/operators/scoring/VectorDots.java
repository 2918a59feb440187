package io.streamrec.operators.scoring;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of single rows on the Vector API: lanes along the components, fused multiply-adds,
 * one lane reduction per dot. Loading this class needs {@code --add-modules jdk.incubator.vector};
 * reach it only through {@link Dots#fast}, which checks {@link TopNKernels#vectorAvailable()} first.
 */
final class VectorDots {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    private VectorDots() {}

    static float dot(float[] a, int aOffset, float[] b, int bOffset, int dim) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int k = 0;
        int bound = dim - dim % L;
        for (; k < bound; k += L) {
            acc = FloatVector.fromArray(SPECIES, a, aOffset + k).fma(FloatVector.fromArray(SPECIES, b, bOffset + k), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; k < dim; k++) {
            sum += a[aOffset + k] * b[bOffset + k];
        }
        return sum;
    }
}
