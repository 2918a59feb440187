package io.streamrec.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vector kernel against the Java kernel. The shared contract tests (ties, exclusions, empty
 * inputs, batch of one) run it too, in {@link TopNKernelTest}. This JVM has the incubator module
 * (surefire's argLine); the fallback without it is {@link VectorKernelFallbackTest}.
 */
class VectorTopNKernelTest {

    @Test
    void runsInTheTestJvmWithWideLanes() {
        assertThat(TopNKernels.vectorUnavailableReason()).isNull();
        assertThat(TopNKernels.vectorAvailable()).isTrue();
        assertThat(TopNKernels.vector()).isInstanceOf(WarmUpTopNKernel.class);
        assertThat(ScoringKernel.VECTOR.create().name()).isEqualTo("vector");
        assertThat(VectorTopNKernel.lanes()).isGreaterThanOrEqualTo(TopNKernels.MIN_VECTOR_LANES);
    }

    @Test
    void scoresAHandComputedExample() {
        ItemMatrix items = new ItemMatrix(2);
        items.upsert("a", new float[] {1, 0}, 0f);      // row 0
        items.upsert("b", new float[] {0, 1}, 0.5f);    // row 1
        items.upsert("c", new float[] {1, 1}, 0f);      // row 2
        items.upsert("d", new float[] {-1, 2}, 0f);     // row 3
        items.upsert("e", new float[] {3, -1}, -0.25f); // row 4
        float[][] users = {{2, 1}, {-1, 1}};
        float[] offsets = {1f, 0f};
        int[][] excluded = {{2}, null};

        ScoredItems[] r = new VectorTopNKernel().topN(items, users, offsets, excluded, 3);

        // user 0: a=3, b=2.5, c=4 (excluded), d=1, e=5.75 -> e, a, b
        assertThat(r[0].rows).containsExactly(4, 0, 1);
        assertThat(r[0].scores).containsExactly(5.75f, 3f, 2.5f);
        // user 1: a=-1, b=1.5, c=0, d=3, e=-4.25 -> d, b, c
        assertThat(r[1].rows).containsExactly(3, 1, 2);
        assertThat(r[1].scores).containsExactly(3f, 1.5f, 0f);
    }

    /**
     * Small integer vectors make every dot product exact in any summation order, so the two kernels
     * must return identical lists (rows and scores) for a single user (dot-product path, d = 24 is
     * not a multiple of the lane count), batch sizes around the lane width and the 4-group register
     * block, and row counts that are not a multiple of the 4-item block.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 15, 16, 17, 63, 64, 65, 100, 256})
    void equalsTheJavaKernelExactlyOnExactArithmetic(int batch) {
        Random random = new Random(batch);
        int dim = 24;
        ItemMatrix items = new ItemMatrix(dim);
        for (int i = 0; i < 3_001; i++) {
            float[] v = new float[dim];
            for (int c = 0; c < dim; c++) {
                v[c] = random.nextInt(9) - 4;
            }
            items.upsert("i" + i, v, random.nextInt(5) - 2);
        }
        float[][] users = new float[batch][dim];
        float[] offsets = new float[batch];
        int[][] excluded = new int[batch][];
        for (int u = 0; u < batch; u++) {
            for (int c = 0; c < dim; c++) {
                users[u][c] = random.nextInt(7) - 3;
            }
            offsets[u] = random.nextInt(3);
            excluded[u] = u % 5 == 0 ? null : random.ints(200, 0, 3_001).toArray();
        }

        ScoredItems[] java = new JavaTopNKernel().topN(items, users, offsets, excluded, 25);
        ScoredItems[] vector = new VectorTopNKernel(97).topN(items, users, offsets, excluded, 25);

        for (int u = 0; u < batch; u++) {
            assertThat(vector[u]).as("user %d", u).isEqualTo(java[u]);
            assertThat(vector[u].size()).isEqualTo(25);
        }
    }

    @Test
    void agreesWithTheJavaKernelOnTheBenchmarkShape() {
        Random random = new Random(9);
        ItemMatrix items = TopNKernelTest.randomItems(random, 20_000, 64);
        float[][] users = TopNKernelTest.randomUsers(random, 64, 64);
        float[] offsets = new float[64];
        int[][] excluded = new int[64][];
        for (int u = 0; u < 64; u++) {
            offsets[u] = random.nextFloat();
            excluded[u] = random.ints(100, 0, 20_000).toArray();
        }
        ScoredItems[] java = new JavaTopNKernel().topN(items, users, offsets, excluded, 20);
        ScoredItems[] vector = new VectorTopNKernel().topN(items, users, offsets, excluded, 20);
        int sameBest = 0;
        for (int u = 0; u < 64; u++) {
            TopNKernelTest.assertAgree(vector[u], java[u]);
            sameBest += vector[u].rows[0] == java[u].rows[0] ? 1 : 0;
        }
        // no near ties at rank 0 with this seed: every user's best item is the same row
        assertThat(sameBest).isEqualTo(64);
    }

    @Test
    void nonFiniteOffsetsBehaveLikeTheJavaKernel() {
        ItemMatrix items = TopNKernelTest.randomItems(new Random(4), 50, 8);
        float[][] users = TopNKernelTest.randomUsers(new Random(5), 3, 8);
        float[] offsets = {Float.NaN, Float.NEGATIVE_INFINITY, 0f};

        ScoredItems[] java = new JavaTopNKernel().topN(items, users, offsets, null, 5);
        ScoredItems[] vector = new VectorTopNKernel().topN(items, users, offsets, null, 5);

        assertThat(vector[0].size()).isZero(); // NaN scores are never returned
        // all -inf: never returned either (negative infinity is how a masked row scores, ItemMatrix#setMasked)
        assertThat(vector[1].size()).isZero();
        assertThat(vector[1]).isEqualTo(java[1]);
        assertThat(vector[0]).isEqualTo(java[0]);
        TopNKernelTest.assertAgree(vector[2], java[2]);
    }

    @Test
    void reusesItsBuffersAcrossBatchesOfDifferentSizes() {
        Random random = new Random(11);
        ItemMatrix items = TopNKernelTest.randomItems(random, 2_000, 16);
        VectorTopNKernel kernel = new VectorTopNKernel();
        for (int batch : new int[] {70, 3, 40}) {
            float[][] users = TopNKernelTest.randomUsers(random, batch, 16);
            ScoredItems[] actual = kernel.topN(items, users, null, null, 10);
            for (int u = 0; u < batch; u++) {
                TopNKernelTest.assertMatchesReference(actual[u], TopNKernelTest.reference(items, users[u], 0f, null, 10));
            }
        }
    }
}
