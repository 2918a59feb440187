package io.streamrec.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The HNSW kernel against the exact Java kernel: recall@20 on random and on clustered (planted)
 * item vectors, seen-item exclusion, items added and moved after the build, and the background
 * build. Graphs are built synchronously except in the background test, so results are repeatable.
 */
class HnswTopNKernelTest {

    private static final int N = 20;
    private static final int DIM = 32;

    @Test
    void recallOnRandomVectorsIsAtLeast95Percent() {
        Random random = new Random(1);
        ItemMatrix items = gaussianItems(random, 10_000, DIM);
        float[][] users = gaussianUsers(random, 100, DIM);

        assertThat(recall(items, users, null)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void recallOnClusteredVectorsWithBiasesIsAtLeast95Percent() {
        Random random = new Random(2);
        int clusters = 50;
        float[][] centres = gaussianUsers(random, clusters, DIM);
        ItemMatrix items = new ItemMatrix(DIM, 10_000);
        for (int i = 0; i < 10_000; i++) {
            float[] c = centres[random.nextInt(clusters)];
            float[] v = new float[DIM];
            for (int k = 0; k < DIM; k++) {
                v[k] = c[k] + 0.3f * (float) random.nextGaussian();
            }
            items.upsert("item-" + i, v, 0.5f * (float) random.nextGaussian());
        }
        float[][] users = new float[100][];
        for (int u = 0; u < users.length; u++) {
            float[] c = centres[random.nextInt(clusters)];
            users[u] = new float[DIM];
            for (int k = 0; k < DIM; k++) {
                users[u][k] = c[k] + 0.5f * (float) random.nextGaussian();
            }
        }

        assertThat(recall(items, users, null)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void afterRemovalsItAnswersOnlyLiveItemsAndRebuildsForTheSmallerMatrix() {
        Random random = new Random(4);
        ItemMatrix items = gaussianItems(random, 3_000, DIM);
        HnswTopNKernel hnsw = new HnswTopNKernel(new JavaTopNKernel(), 1_000, false);
        float[][] users = gaussianUsers(random, 5, DIM);
        hnsw.topN(items, users, null, null, N);
        assertThat(hnsw.builds()).isEqualTo(1);
        java.util.Set<String> removed = new java.util.HashSet<>();
        for (int i = 0; i < 3_000; i += 3) {
            items.remove("item-" + i);
            removed.add("item-" + i);
        }
        // the next call sees a matrix smaller than its graph: rebuilt before answering (not in the background here)
        ScoredItems[] got = hnsw.topN(items, users, null, null, N);
        assertThat(hnsw.builds()).isEqualTo(2);
        assertThat(hnsw.indexedItems()).isEqualTo(2_000);
        ScoredItems[] exact = new JavaTopNKernel().topN(items, users, null, null, N);
        for (int u = 0; u < users.length; u++) {
            for (int k = 0; k < got[u].size(); k++) {
                assertThat(got[u].rows()[k]).isLessThan(items.size());
                assertThat(removed).doesNotContain(items.idAt(got[u].rows()[k]));
            }
            assertThat(got[u].scores()[0]).isCloseTo(exact[u].scores()[0], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void findsPlantedBestItemsAndRanksThemExactly() {
        Random random = new Random(3);
        ItemMatrix items = gaussianItems(random, 5_000, DIM);
        float[] user = gaussianUsers(random, 1, DIM)[0];
        // ten items pointing along the user's vector, with known and distinct scores
        int[] planted = new int[10];
        for (int j = 0; j < planted.length; j++) {
            float[] v = new float[DIM];
            for (int k = 0; k < DIM; k++) {
                v[k] = user[k] * (3f + j);
            }
            planted[j] = items.upsert("planted-" + j, v, 0f);
        }
        HnswTopNKernel hnsw = new HnswTopNKernel(new JavaTopNKernel(), 1_000, false);

        ScoredItems got = hnsw.topN(items, new float[][] {user}, new float[] {0.5f}, null, N)[0];
        ScoredItems exact = new JavaTopNKernel().topN(items, new float[][] {user}, new float[] {0.5f}, null, N)[0];

        assertThat(hnsw.indexedItems()).isEqualTo(items.size());
        assertThat(hnsw.exactCalls()).isZero();
        assertThat(got.size()).isEqualTo(N);
        for (int j = 0; j < planted.length; j++) {
            assertThat(got.rows()[j]).isEqualTo(planted[planted.length - 1 - j]).isEqualTo(exact.rows()[j]);
            assertThat(got.scores()[j]).isCloseTo(exact.scores()[j], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void excludesSeenItemsAndStillFillsTheList() {
        Random random = new Random(4);
        ItemMatrix items = gaussianItems(random, 5_000, DIM);
        float[][] users = gaussianUsers(random, 20, DIM);
        // each user has seen their 300 best items: the list must come from below them
        int[][] seen = new int[users.length][];
        ScoredItems[] best = new JavaTopNKernel().topN(items, users, null, null, 300);
        for (int u = 0; u < users.length; u++) {
            seen[u] = best[u].rows().clone();
        }
        HnswTopNKernel hnsw = new HnswTopNKernel(new JavaTopNKernel(), 1_000, false);

        ScoredItems[] got = hnsw.topN(items, users, null, seen, N);
        ScoredItems[] exact = new JavaTopNKernel().topN(items, users, null, seen, N);

        int found = 0;
        for (int u = 0; u < users.length; u++) {
            assertThat(got[u].size()).isEqualTo(N);
            Set<Integer> seenRows = toSet(seen[u]);
            for (int row : got[u].rows()) {
                assertThat(seenRows).doesNotContain(row);
            }
            found += overlap(got[u], exact[u]);
        }
        assertThat(found / (double) (users.length * N)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void newItemsAreScoredBeforeTheyAreInTheGraph() {
        Random random = new Random(5);
        ItemMatrix items = gaussianItems(random, 5_000, DIM);
        float[] user = gaussianUsers(random, 1, DIM)[0];
        HnswTopNKernel hnsw = new HnswTopNKernel(new JavaTopNKernel(), 1_000, false);
        hnsw.topN(items, new float[][] {user}, null, null, N);
        assertThat(hnsw.builds()).isEqualTo(1);

        float[] v = new float[DIM];
        for (int k = 0; k < DIM; k++) {
            v[k] = user[k] * 100f;
        }
        int fresh = items.upsert("fresh", v, 0f); // 1 new item: far below the rebuild share
        ScoredItems got = hnsw.topN(items, new float[][] {user}, null, null, N)[0];

        assertThat(hnsw.builds()).isEqualTo(1);
        assertThat(hnsw.indexedItems()).isEqualTo(5_000);
        assertThat(got.rows()[0]).isEqualTo(fresh);
    }

    @Test
    void movedItemsKeepRecallAndTriggerARebuildPastTheirShare() {
        Random random = new Random(6);
        ItemMatrix items = gaussianItems(random, 10_000, DIM);
        float[][] users = gaussianUsers(random, 100, DIM);
        HnswTopNKernel hnsw = new HnswTopNKernel(new JavaTopNKernel(), 1_000, false);
        hnsw.topN(items, users, null, null, N);

        // just under the rebuild share, items move by about the tolerance: the old graph still finds them
        int belowShare = (int) (HnswTopNKernel.MAX_MOVED_SHARE * items.size()) - 100;
        moveItems(items, random, belowShare, HnswTopNKernel.MOVE_TOLERANCE * 1.2f);
        assertThat(items.movedRows()).isBetween(1, belowShare);
        ScoredItems[] got = hnsw.topN(items, users, null, null, N);
        assertThat(hnsw.builds()).isEqualTo(1);
        assertThat(recallOf(got, new JavaTopNKernel().topN(items, users, null, null, N))).isGreaterThanOrEqualTo(0.95);

        // more of them move: the next call rebuilds (synchronously here) and answers from the new graph
        moveItems(items, random, 2 * belowShare, HnswTopNKernel.MOVE_TOLERANCE * 1.2f);
        got = hnsw.topN(items, users, null, null, N);
        assertThat(hnsw.builds()).isEqualTo(2);
        assertThat(items.movedRows()).isZero();
        assertThat(recallOf(got, new JavaTopNKernel().topN(items, users, null, null, N))).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void answersExactlyUntilTheBackgroundGraphIsReady() throws Exception {
        Random random = new Random(7);
        ItemMatrix items = gaussianItems(random, 5_000, DIM);
        float[][] users = gaussianUsers(random, 10, DIM);
        try (HnswTopNKernel hnsw = new HnswTopNKernel(new JavaTopNKernel(), 1_000)) {
            ScoredItems[] first = hnsw.topN(items, users, null, null, N);
            assertThat(hnsw.exactCalls()).isEqualTo(1);
            assertThat(first).containsExactly(new JavaTopNKernel().topN(items, users, null, null, N));

            assertThat(hnsw.awaitIndex(items, 60, TimeUnit.SECONDS)).isTrue();
            hnsw.topN(items, users, null, null, N);
            assertThat(hnsw.exactCalls()).isEqualTo(1);
            assertThat(hnsw.builds()).isEqualTo(1);
        }
    }

    @Test
    void smallCataloguesAreScoredExactly() {
        HnswTopNKernel hnsw = new HnswTopNKernel(new JavaTopNKernel(), 1_000, false);
        Random random = new Random(8);
        ItemMatrix items = gaussianItems(random, 500, DIM); // fewer than the 1,000 a graph needs
        float[][] users = gaussianUsers(random, 3, DIM);

        assertThat(hnsw.topN(items, users, null, null, N)).containsExactly(new JavaTopNKernel().topN(items, users, null, null, N));
        assertThat(hnsw.builds()).isZero();
        assertThat(ItemIndex.EXACT.kernel(new JavaTopNKernel())).isInstanceOf(JavaTopNKernel.class);
        assertThat(ItemIndex.AUTO.kernel(new JavaTopNKernel())).isInstanceOf(HnswTopNKernel.class);
    }

    private static double recall(ItemMatrix items, float[][] users, int[][] excluded) {
        HnswTopNKernel hnsw = new HnswTopNKernel(new JavaTopNKernel(), 1_000, false);
        ScoredItems[] got = hnsw.topN(items, users, null, excluded, N);
        assertThat(hnsw.exactCalls()).isZero();
        return recallOf(got, new JavaTopNKernel().topN(items, users, null, excluded, N));
    }

    static double recallOf(ScoredItems[] got, ScoredItems[] exact) {
        long found = 0;
        long wanted = 0;
        for (int u = 0; u < got.length; u++) {
            found += overlap(got[u], exact[u]);
            wanted += exact[u].size();
        }
        return found / (double) wanted;
    }

    private static int overlap(ScoredItems got, ScoredItems exact) {
        Set<Integer> want = toSet(exact.rows());
        int n = 0;
        for (int row : got.rows()) {
            if (want.contains(row)) {
                n++;
            }
        }
        return n;
    }

    private static Set<Integer> toSet(int[] rows) {
        Set<Integer> set = new HashSet<>();
        for (int r : rows) {
            set.add(r);
        }
        return set;
    }

    /** Moves {@code count} random items by {@code relative} × the RMS norm, in small SGD-like steps. */
    private static void moveItems(ItemMatrix items, Random random, int count, float relative) {
        int dim = items.dim();
        float step = relative / (float) Math.sqrt(10) / (float) Math.sqrt(dim + 1); // 10 steps, per component
        float rms = (float) Math.sqrt(dim * 0.01 + 0.01); // items are N(0, 0.1²) per component and bias
        for (int j = 0; j < count; j++) {
            int row = random.nextInt(items.size());
            for (int s = 0; s < 10; s++) {
                float[] v = items.vectorAt(row);
                for (int k = 0; k < dim; k++) {
                    v[k] += rms * step * (float) random.nextGaussian();
                }
                items.upsert(items.idAt(row), v, items.biasAt(row) + rms * step * (float) random.nextGaussian());
            }
        }
    }

    static ItemMatrix gaussianItems(Random random, int count, int dim) {
        ItemMatrix items = new ItemMatrix(dim, count);
        float[] v = new float[dim];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < dim; k++) {
                v[k] = 0.1f * (float) random.nextGaussian();
            }
            items.upsert("item-" + i, v, 0.1f * (float) random.nextGaussian());
        }
        return items;
    }

    static float[][] gaussianUsers(Random random, int count, int dim) {
        float[][] users = new float[count][dim];
        for (float[] u : users) {
            for (int k = 0; k < dim; k++) {
                u[k] = (float) random.nextGaussian();
            }
        }
        return users;
    }
}
