package io.streamrec.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopNKernelTest {

    private static final float SCORE_TOLERANCE = 1e-4f;
    private static final double TIE_TOLERANCE = 1e-5;

    /** Kernels under test; small blocks make scans cross block edges in every test. */
    static Stream<Arguments> kernels() {
        List<Arguments> list = new ArrayList<>();
        list.add(Arguments.of(new JavaTopNKernel()));
        list.add(Arguments.of(new JavaTopNKernel(7)));
        list.add(Arguments.of(new JblasTopNKernel()));
        list.add(Arguments.of(new JblasTopNKernel(7)));
        // the test JVM runs with --add-modules jdk.incubator.vector (surefire argLine);
        // VectorTopNKernelTest fails if it does not, so these are never silently skipped
        if (TopNKernels.vectorAvailable()) {
            list.add(Arguments.of(new VectorTopNKernel()));
            list.add(Arguments.of(new VectorTopNKernel(7)));
        }
        return list.stream();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchesBruteForceOnRandomDataWithExclusions(TopNKernel kernel) {
        assumeKernelWorks(kernel);
        Random random = new Random(42);
        ItemMatrix items = randomItems(random, 1_000, 16);
        float[][] users = randomUsers(random, 37, 16);
        float[] offsets = new float[users.length];
        int[][] excluded = new int[users.length][];
        for (int u = 0; u < users.length; u++) {
            offsets[u] = random.nextFloat() - 0.5f;
            excluded[u] = random.ints(random.nextInt(300), -5, 1_005).toArray(); // incl. out of range
        }
        excluded[3] = null;
        excluded[4] = new int[0];

        ScoredItems[] actual = kernel.topN(items, users, offsets, excluded, 20);

        for (int u = 0; u < users.length; u++) {
            assertMatchesReference(actual[u], reference(items, users[u], offsets[u], excluded[u], 20));
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchesBruteForceAcrossSegmentEdgesAndAfterRemovals(TopNKernel kernel) {
        assumeKernelWorks(kernel);
        Random random = new Random(7);
        int dim = 12;
        ItemMatrix items = new ItemMatrix(dim, 1, 64, ItemMatrix.MAX_ROWS); // 1,000 rows: 16 segments
        for (int i = 0; i < 1_000; i++) {
            float[] v = new float[dim];
            for (int c = 0; c < dim; c++) {
                v[c] = (float) random.nextGaussian() * 0.3f;
            }
            items.upsert("item-" + i, v, (float) random.nextGaussian() * 0.1f);
        }
        for (int i = 0; i < 1_000; i += 9) {
            items.remove("item-" + i); // the last rows move into the gaps
        }
        assertThat(items.size()).isEqualTo(888);
        assertThat(items.usedSegments()).isEqualTo(14);
        for (int batch : new int[] {1, 2, 5, 40}) {
            float[][] users = randomUsers(random, batch, dim);
            float[] offsets = new float[batch];
            int[][] excluded = new int[batch][];
            for (int u = 0; u < batch; u++) {
                offsets[u] = random.nextFloat() - 0.5f;
                excluded[u] = random.ints(50, 0, 888).toArray();
            }
            ScoredItems[] actual = kernel.topN(items, users, offsets, excluded, 30);
            for (int u = 0; u < batch; u++) {
                assertMatchesReference(actual[u], reference(items, users[u], offsets[u], excluded[u], 30));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void returnsAllEligibleRowsWhenNExceedsThem(TopNKernel kernel) {
        assumeKernelWorks(kernel);
        Random random = new Random(1);
        ItemMatrix items = randomItems(random, 30, 8);
        float[][] users = randomUsers(random, 2, 8);
        int[][] excluded = {{0, 1, 2, 2, 29}, null};

        ScoredItems[] actual = kernel.topN(items, users, null, excluded, 100);

        assertThat(actual[0].size()).isEqualTo(26);
        assertThat(actual[1].size()).isEqualTo(30);
        assertThat(actual[0].rows).doesNotContain(0, 1, 2, 29);
        assertMatchesReference(actual[0], reference(items, users[0], 0f, excluded[0], 100));
        assertMatchesReference(actual[1], reference(items, users[1], 0f, null, 100));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void breaksExactTiesByLowerRow(TopNKernel kernel) {
        assumeKernelWorks(kernel);
        // Small integers: every summation order gives the exact same float, so ties are exact.
        ItemMatrix items = new ItemMatrix(3);
        for (int i = 0; i < 50; i++) {
            items.upsert("i" + i, new float[] {i % 3, 1, -(i % 2)}, i % 5 == 0 ? 1f : 0f);
        }
        // one batch below and one at the Java kernel's transposed-path threshold
        for (int batch : new int[] {2, JavaTopNKernel.MIN_TRANSPOSED_BATCH + 1}) {
            float[][] users = new float[batch][];
            float[] offsets = new float[batch];
            for (int u = 0; u < batch; u++) {
                users[u] = u % 2 == 0 ? new float[] {1, 2, 3 - u} : new float[] {0, 0, 0};
                offsets[u] = u % 2 == 0 ? 0.5f : 0f;
            }
            assertBreaksTiesByLowerRow(kernel, items, users, offsets);
        }
    }

    private static void assertBreaksTiesByLowerRow(TopNKernel kernel, ItemMatrix items, float[][] users, float[] offsets) {
        ScoredItems[] actual = kernel.topN(items, users, offsets, null, 12);

        for (int u = 0; u < users.length; u++) {
            ScoredItems expected = reference(items, users[u], offsets[u], null, 12);
            assertThat(actual[u].rows).containsExactly(expected.rows);
            assertThat(actual[u].scores).containsExactly(expected.scores);
        }
        // user 1 scores only the bias: rows 0, 5, 10, ... (bias 1) first, in row order
        assertThat(actual[1].rows).startsWith(0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 1, 2);
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void emptyMatrixOrEmptyBatchOrZeroN(TopNKernel kernel) {
        assumeKernelWorks(kernel);
        ItemMatrix empty = new ItemMatrix(4);
        float[][] users = {{1, 2, 3, 4}};
        assertThat(kernel.topN(empty, users, null, null, 10)[0].size()).isZero();
        assertThat(kernel.topN(empty, new float[0][], null, null, 10)).isEmpty();

        ItemMatrix items = randomItems(new Random(3), 10, 4);
        assertThat(kernel.topN(items, users, null, null, 0)[0].size()).isZero();
        int[][] excludeAll = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}};
        assertThat(kernel.topN(items, users, null, excludeAll, 5)[0].size()).isZero();
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void scoresABatchOfOne(TopNKernel kernel) {
        assumeKernelWorks(kernel);
        Random random = new Random(5);
        ItemMatrix items = randomItems(random, 5_000, 64);
        float[][] user = randomUsers(random, 1, 64);
        int[][] excluded = {random.ints(200, 0, 5_000).toArray()};

        ScoredItems[] actual = kernel.topN(items, user, new float[] {0.25f}, excluded, 20);

        assertThat(actual).hasSize(1);
        assertMatchesReference(actual[0], reference(items, user[0], 0.25f, excluded[0], 20));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void rejectsVectorsOfTheWrongDimension(TopNKernel kernel) {
        ItemMatrix items = randomItems(new Random(6), 10, 4);
        assertThatThrownBy(() -> kernel.topN(items, new float[][] {{1, 2, 3}}, null, null, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 4");
        assertThatThrownBy(() -> kernel.topN(items, new float[][] {{1, 2, 3, 4}}, new float[2], null, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("userOffsets");
    }

    @Test
    void javaAndJblasKernelsAgree() {
        assumeJblasLoads();
        Random random = new Random(9);
        ItemMatrix items = randomItems(random, 20_000, 64);
        float[][] users = randomUsers(random, 64, 64);
        float[] offsets = new float[64];
        int[][] excluded = new int[64][];
        for (int u = 0; u < 64; u++) {
            offsets[u] = random.nextFloat();
            excluded[u] = random.ints(100, 0, 20_000).toArray();
        }
        ScoredItems[] java = new JavaTopNKernel().topN(items, users, offsets, excluded, 20);
        ScoredItems[] jblas = new JblasTopNKernel().topN(items, users, offsets, excluded, 20);
        for (int u = 0; u < 64; u++) {
            assertAgree(jblas[u], java[u]);
        }
    }

    @Test
    void bestKernelIsJblasWhenItsNativeLibraryLoads() {
        // libgfortran5 is optional (README): without it this test is skipped, with the reason
        assumeJblasLoads();
        assertThat(TopNKernels.best().name()).isEqualTo("jblas");
        assertThat(TopNKernels.jblasUnavailableReason()).isNull();
    }

    @Test
    void bestKernelFallsBackToJavaWithAReasonWhenJblasCannotLoad() {
        assumeThat(TopNKernels.jblasAvailable()).as("this JVM cannot load jblas").isFalse();
        assertThat(TopNKernels.best().name()).isEqualTo("java");
        assertThat(TopNKernels.jblasUnavailableReason()).isNotBlank();
    }

    private static void assumeKernelWorks(TopNKernel kernel) {
        if (kernel instanceof JblasTopNKernel) {
            assumeJblasLoads();
        }
    }

    /** Skips (never fails) the calling test when jblas' native library cannot load here. */
    private static void assumeJblasLoads() {
        assumeThat(TopNKernels.jblasAvailable())
                .as("jblas native library loads (optional, needs libgfortran5): %s",
                        TopNKernels.jblasUnavailableReason())
                .isTrue();
    }

    /** Full sort in double precision; ties by lower row. */
    static ScoredItems reference(ItemMatrix items, float[] user, float offset, int[] excluded, int n) {
        Set<Integer> skip = new HashSet<>();
        if (excluded != null) {
            for (int r : excluded) {
                skip.add(r);
            }
        }
        List<double[]> scored = new ArrayList<>();
        for (int row = 0; row < items.size(); row++) {
            if (skip.contains(row)) {
                continue;
            }
            float[] v = items.vectorAt(row);
            double s = (double) offset + items.biasAt(row);
            for (int c = 0; c < v.length; c++) {
                s += (double) user[c] * v[c];
            }
            scored.add(new double[] {s, row});
        }
        scored.sort(Comparator.<double[]>comparingDouble(a -> -a[0]).thenComparingDouble(a -> a[1]));
        int k = Math.min(n, scored.size());
        int[] rows = new int[k];
        float[] scores = new float[k];
        for (int i = 0; i < k; i++) {
            rows[i] = (int) scored.get(i)[1];
            scores[i] = (float) scored.get(i)[0];
        }
        return new ScoredItems(rows, scores);
    }

    /** Same length, scores within tolerance, rows equal except where neighbours tie within 1e-5. */
    static void assertMatchesReference(ScoredItems actual, ScoredItems expected) {
        assertAgree(actual, expected);
    }

    static void assertAgree(ScoredItems actual, ScoredItems expected) {
        assertThat(actual.size()).isEqualTo(expected.size());
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.scores[i]).isCloseTo(expected.scores[i], org.assertj.core.data.Offset.offset(SCORE_TOLERANCE));
            if (i > 0) {
                assertThat(actual.scores[i]).isLessThanOrEqualTo(actual.scores[i - 1]);
            }
            if (actual.rows[i] != expected.rows[i]) {
                boolean nearTie = (i > 0 && Math.abs(expected.scores[i] - expected.scores[i - 1]) <= TIE_TOLERANCE)
                        || (i + 1 < expected.size()
                                && Math.abs(expected.scores[i] - expected.scores[i + 1]) <= TIE_TOLERANCE)
                        || i == expected.size() - 1; // the last slot may hold either of two near-equal rows
                assertThat(nearTie).as("row %d differs at rank %d: %s vs %s", actual.rows[i], i, actual, expected).isTrue();
            }
        }
    }

    static ItemMatrix randomItems(Random random, int count, int dim) {
        ItemMatrix items = new ItemMatrix(dim, 16); // small initial capacity: exercises growth
        for (int i = 0; i < count; i++) {
            float[] v = new float[dim];
            for (int c = 0; c < dim; c++) {
                v[c] = (float) random.nextGaussian() * 0.3f;
            }
            items.upsert("item-" + i, v, (float) random.nextGaussian() * 0.1f);
        }
        return items;
    }

    static float[][] randomUsers(Random random, int count, int dim) {
        float[][] users = new float[count][dim];
        for (float[] user : users) {
            for (int c = 0; c < dim; c++) {
                user[c] = (float) random.nextGaussian() * 0.3f;
            }
        }
        return users;
    }
}
