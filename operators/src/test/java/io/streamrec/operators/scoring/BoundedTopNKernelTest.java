package io.streamrec.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The bounded kernel's lists are the exact kernel's: same rows in the same order, and the same
 * scores (the hot set is scored by the same kernel; a user it cannot accept is scored again with
 * the others it rejected, and a kernel whose summation order depends on the batch size may then
 * differ in the last bits: {@link #assertSameLists}).
 */
class BoundedTopNKernelTest {

    private static final int DIM = 16;
    private static final int HOT = 64;
    private static final int N = 10;

    static Stream<TopNKernel> exactKernels() {
        List<TopNKernel> list = new ArrayList<>();
        list.add(new JavaTopNKernel());
        list.add(new JavaTopNKernel(7));
        if (TopNKernels.vectorAvailable()) {
            list.add(new VectorTopNKernel());
            list.add(new VectorTopNKernel(7));
        }
        return list.stream();
    }

    /** Catalogue with a wide spread of biases and ordinary norms, as after some training. */
    private static ItemMatrix trainedItems(Random random, int count) {
        ItemMatrix items = new ItemMatrix(DIM, 16);
        for (int i = 0; i < count; i++) {
            items.upsert("item-" + i, gaussian(random, 0.3f), (float) random.nextGaussian());
        }
        return items;
    }

    private static float[] gaussian(Random random, float scale) {
        float[] v = new float[DIM];
        for (int c = 0; c < DIM; c++) {
            v[c] = (float) random.nextGaussian() * scale;
        }
        return v;
    }

    private static float[][] users(Random random, int count, float scale) {
        float[][] users = new float[count][];
        for (int u = 0; u < count; u++) {
            users[u] = gaussian(random, scale);
        }
        return users;
    }

    private static float[] offsets(Random random, int count) {
        float[] offsets = new float[count];
        for (int u = 0; u < count; u++) {
            offsets[u] = random.nextFloat() - 0.5f;
        }
        return offsets;
    }

    /** Rows of the best-biased items (the hot set of cold users) plus random and out-of-range ones. */
    private static int[][] seen(Random random, ItemMatrix items, int count) {
        Integer[] byBias = new Integer[items.size()];
        for (int r = 0; r < byBias.length; r++) {
            byBias[r] = r;
        }
        Arrays.sort(byBias, (a, b) -> Float.compare(items.biasAt(b), items.biasAt(a)));
        int[][] seen = new int[count][];
        for (int u = 0; u < count; u++) {
            int[] rows = new int[12];
            for (int k = 0; k < rows.length; k++) {
                rows[k] = k % 3 == 0 ? random.nextInt(items.size() + 10) - 5 : byBias[random.nextInt(3 * N)];
            }
            seen[u] = rows;
        }
        seen[1] = null;
        seen[2] = new int[0];
        return seen;
    }

    private static void assertSameLists(ScoredItems[] actual, ScoredItems[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int u = 0; u < expected.length; u++) {
            assertThat(actual[u].rows()).as("rows of user %d", u).containsExactly(expected[u].rows());
            for (int k = 0; k < expected[u].size(); k++) {
                float e = expected[u].scores()[k];
                assertThat(actual[u].scores()[k]).as("score %d of user %d", k, u)
                        .isCloseTo(e, org.assertj.core.data.Offset.offset(1e-5f * Math.max(1f, Math.abs(e))));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("exactKernels")
    void coldUsersAreAcceptedWithTheExactKernelsLists(TopNKernel exact) {
        Random random = new Random(1);
        ItemMatrix items = trainedItems(random, 2_000);
        for (int r = 0; r < 2_000; r += 37) {
            items.setMasked(r, true);
        }
        float[][] users = users(random, 40, 0.01f);
        float[] offsets = offsets(random, users.length);
        int[][] seen = seen(random, items, users.length);
        BoundedTopNKernel bounded = new BoundedTopNKernel(exact, HOT);

        ScoredItems[] actual = bounded.topN(items, users, offsets, seen, N);

        assertThat(bounded.boundedUsers()).isEqualTo(40);
        assertThat(bounded.acceptedUsers()).isEqualTo(40);
        // every list from the hot set: the same kernel, the same batch, so bit for bit the exact result
        assertThat(actual).containsExactly(exact.topN(items, users, offsets, seen, N));
        for (ScoredItems list : actual) {
            for (int row : list.rows()) {
                assertThat(items.isMasked(row)).isFalse();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("exactKernels")
    void mixedBatchesMatchTheExactKernelOnRandomData(TopNKernel exact) {
        Random random = new Random(2);
        for (int round = 0; round < 20; round++) {
            ItemMatrix items = trainedItems(random, 300 + random.nextInt(3_000));
            float[][] users = new float[1 + random.nextInt(50)][];
            for (int u = 0; u < users.length; u++) {
                users[u] = gaussian(random, (float) Math.pow(10, -3 + 3 * random.nextDouble())); // 0.001 to 1
            }
            float[] offsets = random.nextBoolean() ? null : offsets(random, users.length);
            int[][] seen = random.nextBoolean() ? null : seen(random, items, users.length);
            int n = 1 + random.nextInt(HOT / 4);

            ScoredItems[] actual = new BoundedTopNKernel(exact, HOT).topN(items, users, offsets, seen, n);

            assertSameLists(actual, exact.topN(items, users, offsets, seen, n));
        }
    }

    /**
     * Between batches the matrix changes as it does in a UserWorker: hot and cold rows move, cold
     * rows jump to the top bias or to a huge norm, new rows arrive, and now and then a row is removed
     * or masked. The hot set is followed through the writes (chosen afresh only after a removal, a
     * mask or a low acceptance), and every list is still the exact kernel's.
     */
    @ParameterizedTest
    @MethodSource("exactKernels")
    void listsStayExactWhileTheHotSetFollowsWrites(TopNKernel exact) {
        Random random = new Random(10);
        ItemMatrix items = trainedItems(random, 3_000);
        BoundedTopNKernel bounded = new BoundedTopNKernel(exact, HOT);
        int reshapes = 0;
        int rounds = 60;
        for (int round = 0; round < rounds; round++) {
            for (int w = 0; w < 20; w++) {
                int row = random.nextInt(items.size());
                String id = items.idAt(row);
                int kind = random.nextInt(10);
                if (kind < 6) { // a small step, as SGD takes
                    float[] q = items.vectorAt(row);
                    q[random.nextInt(DIM)] += 0.05f * (float) random.nextGaussian();
                    items.upsert(id, q, items.biasAt(row) + 0.05f * (float) random.nextGaussian());
                } else if (kind == 6) {
                    items.upsert(id, gaussian(random, 0.3f), 4f + random.nextFloat()); // to the top
                } else if (kind == 7) {
                    items.upsert("new-" + round + "-" + w, gaussian(random, 0.3f), 5f * random.nextFloat());
                } else if (kind == 8) {
                    items.upsert(id, gaussian(random, 1f), items.biasAt(row)); // a longer vector
                } else {
                    items.upsert(id, items.vectorAt(row), items.biasAt(row) - 1f);
                }
            }
            if (round % 15 == 14) {
                reshapes++;
                if (random.nextBoolean()) {
                    items.remove(items.idAt(random.nextInt(items.size())));
                } else {
                    items.setMasked(random.nextInt(items.size()), true);
                }
            }
            float[][] users = users(random, 1 + random.nextInt(30), 0.02f);
            users[0] = gaussian(random, 0.3f); // a warmer user, whose list reaches the longer vectors
            int[][] seen = random.nextBoolean() ? null : seen(random, items, users.length);

            ScoredItems[] actual = bounded.topN(items, users, null, seen, N);

            assertSameLists(actual, exact.topN(items, users, null, seen, N));
        }
        assertThat(bounded.acceptedUsers()).as("lists answered by the hot set").isPositive();
        assertThat(bounded.hotSetChoices()).as("passes over the whole matrix")
                .isGreaterThan(reshapes).isLessThan(rounds / 2);
    }

    @Test
    void tiesAcrossTheHotSetsEdgeGoToTheLowerRow() {
        // equal biases and zero vectors: every score ties, so the bound can never be beaten strictly
        ItemMatrix items = new ItemMatrix(DIM, 16);
        for (int i = 0; i < 1_000; i++) {
            items.upsert("item-" + i, new float[DIM], i % 2 == 0 ? 1f : 0.5f);
        }
        float[][] users = new float[6][DIM];
        int[][] seen = {{0, 2, 4}, null, {998}, {}, {10, 12}, {0}};
        TopNKernel exact = new JavaTopNKernel();
        BoundedTopNKernel bounded = new BoundedTopNKernel(exact, HOT);

        ScoredItems[] actual = bounded.topN(items, users, null, seen, N);

        assertThat(bounded.acceptedUsers()).isZero();
        assertThat(actual).containsExactly(exact.topN(items, users, null, seen, N));
        assertThat(actual[0].rows()).startsWith(6, 8, 10);
    }

    @Test
    void tiesInsideTheHotSetKeepTheExactOrder() {
        // hot rows scattered among the others, in groups of equal scores
        ItemMatrix items = new ItemMatrix(DIM, 16);
        for (int i = 0; i < 1_000; i++) {
            items.upsert("item-" + i, new float[DIM], i % 7 == 3 ? 2f + (i % 3) : 0f);
        }
        float[][] users = new float[5][DIM];
        TopNKernel exact = new JavaTopNKernel();
        BoundedTopNKernel bounded = new BoundedTopNKernel(exact, HOT);

        ScoredItems[] actual = bounded.topN(items, users, null, null, N);

        assertThat(bounded.acceptedUsers()).isEqualTo(5);
        assertThat(actual).containsExactly(exact.topN(items, users, null, null, N));
        assertThat(actual[0].rows()).startsWith(17, 38, 59); // bias 4 at rows 17, 38, 59 …
    }

    @Test
    void anItemWithAHugeNormOutsideTheHotSetIsFound() {
        Random random = new Random(3);
        ItemMatrix items = trainedItems(random, 2_000);
        float[] huge = new float[DIM];
        huge[0] = 1_000f;
        items.upsert("item-77", huge, -5f); // low bias: outside the hot set of short users
        float[][] users = users(random, 20, 0.01f);
        users[5][0] = 0.5f; // points at it
        TopNKernel exact = new JavaTopNKernel();
        BoundedTopNKernel bounded = new BoundedTopNKernel(exact, HOT);

        ScoredItems[] actual = bounded.topN(items, users, null, null, N);

        assertThat(actual).containsExactly(exact.topN(items, users, null, null, N));
        assertThat(actual[5].rows()[0]).isEqualTo(77);
    }

    @Test
    void longUsersAreNotAcceptedAndTheNextBatchesSkipTheBound() {
        Random random = new Random(4);
        ItemMatrix items = trainedItems(random, 2_000);
        float[][] users = users(random, 16, 3f);
        TopNKernel exact = new JavaTopNKernel();
        BoundedTopNKernel bounded = new BoundedTopNKernel(exact, HOT);

        ScoredItems[] first = bounded.topN(items, users, null, null, N);
        ScoredItems[] second = bounded.topN(items, users, null, null, N);
        ScoredItems[] third = bounded.topN(items, users, null, null, N);

        ScoredItems[] expected = exact.topN(items, users, null, null, N);
        assertThat(first).containsExactly(expected);
        assertThat(second).containsExactly(expected);
        assertThat(third).containsExactly(expected);
        assertThat(bounded.acceptedUsers()).isZero();
        assertThat(bounded.boundedUsers()).isEqualTo(32); // the second batch skipped the bound, the third tried again
    }

    @Test
    void tinyCataloguesAndLargeNGoToTheExactKernel() {
        Random random = new Random(5);
        TopNKernel exact = new JavaTopNKernel();
        BoundedTopNKernel bounded = new BoundedTopNKernel(exact, HOT);
        float[][] users = users(random, 8, 0.01f);
        for (int size : new int[] {0, 1, 5, HOT, 4 * HOT}) {
            ItemMatrix items = trainedItems(random, size);
            assertThat(bounded.topN(items, users, null, null, N)).containsExactly(exact.topN(items, users, null, null, N));
        }
        ItemMatrix items = trainedItems(random, 2_000);
        assertThat(bounded.topN(items, users, null, null, HOT)).containsExactly(exact.topN(items, users, null, null, HOT));
        assertThat(bounded.topN(items, users, null, null, 0)).containsExactly(exact.topN(items, users, null, null, 0));
        assertThat(bounded.boundedUsers()).isZero();
    }

    @Test
    void aCatalogueWithFewUnmaskedRowsGoesToTheExactKernel() {
        Random random = new Random(6);
        ItemMatrix items = trainedItems(random, 2_000);
        for (int r = 0; r < 2_000; r++) {
            items.setMasked(r, r % 50 != 0); // 40 scorable rows, fewer than the hot set
        }
        float[][] users = users(random, 8, 0.01f);
        TopNKernel exact = new JavaTopNKernel();
        BoundedTopNKernel bounded = new BoundedTopNKernel(exact, HOT);

        ScoredItems[] actual = bounded.topN(items, users, null, null, N);

        assertThat(actual).containsExactly(exact.topN(items, users, null, null, N));
        assertThat(bounded.boundedUsers()).isZero();
    }

    @Test
    void usersWhoseHotListIsShortAreScoredExactly() {
        Random random = new Random(7);
        ItemMatrix items = trainedItems(random, 2_000);
        float[][] users = users(random, 8, 0.01f);
        int[][] seen = new int[8][];
        seen[3] = java.util.stream.IntStream.range(0, 2_000).toArray(); // has seen everything
        TopNKernel exact = new JavaTopNKernel();

        ScoredItems[] actual = new BoundedTopNKernel(exact, HOT).topN(items, users, null, seen, N);

        assertThat(actual[3].size()).isZero();
        assertSameLists(actual, exact.topN(items, users, null, seen, N));
    }

    @Test
    void invalidArgumentsFailAsInTheExactKernel() {
        ItemMatrix items = trainedItems(new Random(8), 2_000);
        BoundedTopNKernel bounded = new BoundedTopNKernel(new JavaTopNKernel(), HOT);
        assertThatThrownBy(() -> bounded.topN(items, new float[][] {new float[DIM + 1]}, null, null, N))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected " + DIM);
        assertThatThrownBy(() -> bounded.topN(items, new float[2][DIM], new float[1], null, N))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userOffsets");
        assertThatThrownBy(() -> new BoundedTopNKernel(new JavaTopNKernel(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kthLargestMatchesASort() {
        Random random = new Random(9);
        for (int round = 0; round < 200; round++) {
            int size = 1 + random.nextInt(300);
            float[] a = new float[size];
            for (int i = 0; i < size; i++) {
                a[i] = random.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : random.nextInt(20); // ties and -inf
            }
            int k = 1 + random.nextInt(size);
            float[] sorted = a.clone();
            Arrays.sort(sorted);
            assertThat(BoundedTopNKernel.kthLargest(a, size, k)).isEqualTo(sorted[size - k]);
        }
    }
}
