package io.streamrec.operators.user;

import io.streamrec.operators.model.ModelConfig;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NegativeSamplerTest {

    @Test
    void neverReturnsThePositiveOrASeenItemAndPrefersTheHighestRankedCandidate() {
        ModelConfig model = ModelConfig.builder().dimension(2).negativePool(8).seed(3).build();
        ItemCache cache = new ItemCache(model);
        for (int i = 0; i < 6; i++) {
            cache.apply(new io.streamrec.operators.records.ItemUpdate("i" + i, new float[] {i, 0f}, 0f, 1), 0);
        }
        NegativeSampler sampler = new NegativeSampler(model, 1);
        float[] p = {1f, 0f};
        int best = 0;
        for (int t = 0; t < 200; t++) {
            int row = sampler.sample(p, "i0", new String[] {"i5"}, cache, 1)[0];
            String item = cache.matrix().idAt(row);
            assertThat(item).isNotIn("i0", "i5");
            if (item.equals("i4")) {
                best++;
            }
        }
        // the highest-scoring allowed item (i4) wins whenever it is among the 8 candidates
        assertThat(best).isGreaterThan(150);
    }

    @Test
    void returnsNoRowWhenNothingQualifies() {
        ModelConfig model = ModelConfig.builder().dimension(2).seed(3).build();
        ItemCache cache = new ItemCache(model);
        cache.rowOf("only");
        assertThat(new NegativeSampler(model, 1).sample(new float[2], "only", new String[0], cache, 3)).isEmpty();
    }
}
