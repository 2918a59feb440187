package io.streamrec.operators.scoring;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WarmUpTopNKernelTest {

    /** A kernel that takes {@code nanosPerPair} of the shared clock per user × item and records its calls. */
    private static final class TimedKernel implements TopNKernel {
        final String name;
        final long[] clock;
        long nanosPerPair;
        int calls;

        TimedKernel(String name, long[] clock, long nanosPerPair) {
            this.name = name;
            this.clock = clock;
            this.nanosPerPair = nanosPerPair;
        }

        @Override
        public ScoredItems[] topN(ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n) {
            calls++;
            clock[0] += nanosPerPair * users.length * items.size();
            return new JavaTopNKernel().topN(items, users, userOffsets, excludedRows, n);
        }

        @Override
        public String name() {
            return name;
        }
    }

    @Test
    void theJavaKernelScoresUntilTheVectorKernelWinsTwoProbesInARowAndProbesGetRarerWhileItLoses() {
        long[] clock = {0};
        TimedKernel vector = new TimedKernel("vector", clock, 20); // the Vector API's scalar fallback
        TimedKernel java = new TimedKernel("java", clock, 2);
        WarmUpTopNKernel kernel = new WarmUpTopNKernel(vector, java, () -> clock[0]);
        ItemMatrix items = new ItemMatrix(2);
        for (int i = 0; i < 10; i++) {
            items.upsert("i" + i, new float[] {i, 1}, 0f);
        }
        float[][] users = {{1, 0}, {0, 1}};
        ScoredItems[] expected = new JavaTopNKernel().topN(items, users, null, null, 3);

        List<Integer> probes = new ArrayList<>();
        for (int call = 1; call <= 8 + 16 + 32; call++) {
            int before = vector.calls;
            ScoredItems[] r = kernel.topN(items, users, null, null, 3);
            assertThat(r[0].rows()).containsExactly(expected[0].rows());
            if (vector.calls > before) {
                probes.add(call);
            }
        }
        assertThat(probes).containsExactly(8, 8 + 16, 8 + 16 + 32); // every 8th, then 16th, then 32nd
        assertThat(kernel.settled()).isFalse();
        assertThat(kernel.vectorNanosPerPair()).isEqualTo(20.0);
        assertThat(kernel.javaNanosPerPair()).isEqualTo(2.0);

        vector.nanosPerPair = 1; // compiled
        int javaCalls = java.calls;
        for (int call = 0; call < 64; call++) { // the next probe, after 64 batches, wins
            kernel.topN(items, users, null, null, 3);
        }
        assertThat(kernel.settled()).isFalse();
        for (int call = 0; call < 8; call++) { // and the one 8 batches later settles it
            kernel.topN(items, users, null, null, 3);
        }
        assertThat(kernel.settled()).isTrue();
        int javaAfterSettling = java.calls;
        assertThat(javaAfterSettling).isEqualTo(javaCalls + 63 + 7);
        for (int call = 0; call < 10; call++) {
            assertThat(kernel.topN(items, users, null, null, 3)[1].rows()).containsExactly(expected[1].rows());
        }
        assertThat(java.calls).isEqualTo(javaAfterSettling);
        assertThat(kernel.name()).isEqualTo("vector");
    }

    @Test
    void probesStopGrowingAtTheirLimit() {
        long[] clock = {0};
        TimedKernel vector = new TimedKernel("vector", clock, 5);
        TimedKernel java = new TimedKernel("java", clock, 1);
        WarmUpTopNKernel kernel = new WarmUpTopNKernel(vector, java, () -> clock[0]);
        ItemMatrix items = new ItemMatrix(1);
        items.upsert("a", new float[] {1}, 0f);
        int calls = 0;
        for (int every = WarmUpTopNKernel.FIRST_PROBE_EVERY; every <= WarmUpTopNKernel.MAX_PROBE_EVERY; every *= 2) {
            calls += every;
        }
        calls += 3 * WarmUpTopNKernel.MAX_PROBE_EVERY;
        for (int i = 0; i < calls; i++) {
            kernel.topN(items, new float[][] {{1}}, null, null, 1);
        }
        int steps = Integer.numberOfTrailingZeros(WarmUpTopNKernel.MAX_PROBE_EVERY / WarmUpTopNKernel.FIRST_PROBE_EVERY) + 1;
        assertThat(vector.calls).isEqualTo(steps + 3);
        assertThat(kernel.settled()).isFalse();
    }
}
