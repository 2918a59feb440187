package io.streamrec.operators.user;

import io.streamrec.operators.model.ModelConfig;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NegativeSamplerTest {

    @Test
    void neverReturnsThePositiveOrASeenItemAndPrefersTheHighestRankedCandidate() {
        ModelConfig model = ModelConfig.builder().dimension(2).negativePool(8).seed(3).build();
        ItemCache cache = new ItemCache(model);
        for (int i = 0; i < 6; i++) {
            cache.apply(new io.streamrec.operators.records.ItemUpdate("i" + i, new float[] {i, 0f}, 0f, 1), 0);
        }
        NegativeSampler sampler = new NegativeSampler(model);
        float[] p = {1f, 0f};
        int best = 0;
        for (int t = 0; t < 200; t++) {
            int row = sampler.sample(p, "i0", new String[] {"i5"}, cache, 1, sampler.seedOf("u", t))[0];
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
        NegativeSampler sampler = new NegativeSampler(model);
        assertThat(sampler.sample(new float[2], "only", new String[0], cache, 3, 1L)).isEmpty();
    }

    @Test
    void drawsTheSameItemsForTheSameInteractionWhateverOrderTheCacheWasFilledIn() {
        ModelConfig model = ModelConfig.builder().dimension(3).negativePool(2).seed(5).build();
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            items.add("item-" + i);
        }
        ItemCache arrival = new ItemCache(model);
        items.forEach(arrival::rowOf);
        List<String> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new Random(9));
        ItemCache resent = new ItemCache(model);
        shuffled.forEach(resent::rowOf);
        assertThat(resent.matrix().idAt(0)).as("rows are in a different order").isNotEqualTo(arrival.matrix().idAt(0));

        NegativeSampler sampler = new NegativeSampler(model);
        float[] p = {0.3f, -0.1f, 0.2f};
        Set<String> distinct = new HashSet<>();
        for (int n = 0; n < 50; n++) {
            long seed = sampler.seedOf("user-7", n);
            List<String> a = ids(arrival, sampler.sample(p, "item-1", new String[] {"item-2"}, arrival, 5, seed));
            List<String> b = ids(resent, sampler.sample(p, "item-1", new String[] {"item-2"}, resent, 5, seed));
            assertThat(b).as("interaction %d", n).hasSize(5).isEqualTo(a);
            distinct.addAll(a);
        }
        assertThat(distinct).as("the draws still vary between interactions").hasSizeGreaterThan(100);
        assertThat(sampler.seedOf("user-7", 3)).isNotEqualTo(sampler.seedOf("user-7", 4)).isNotEqualTo(sampler.seedOf("user-8", 3));
    }

    private static List<String> ids(ItemCache cache, int[] rows) {
        List<String> out = new ArrayList<>();
        for (int r : rows) {
            out.add(cache.matrix().idAt(r));
        }
        return out;
    }
}
