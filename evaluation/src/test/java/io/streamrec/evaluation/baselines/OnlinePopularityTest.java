package io.streamrec.evaluation.baselines;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OnlinePopularityTest {

    private static final long DAY = 86_400_000L;

    @Test
    void ranksByCountExcludingSeenItems() {
        OnlinePopularity pop = OnlinePopularity.withHalfLifeDays(Double.POSITIVE_INFINITY);
        for (String item : new String[] {"a", "b", "b", "c", "c", "c", "d"}) {
            pop.add(item, 0, 1);
        }
        assertThat(pop.topN(2, Set.of())).containsExactly("c", "b");
        assertThat(pop.topN(3, Set.of("c"))).containsExactly("b", "a", "d");
        assertThat(pop.topN(10, Set.of())).containsExactly("c", "b", "a", "d");
    }

    @Test
    void olderInteractionsDecayWithTheHalfLife() {
        OnlinePopularity pop = OnlinePopularity.withHalfLifeDays(1);
        pop.add("old", 0, 1);
        pop.add("old", 0, 1);
        pop.add("old", 0, 1);
        pop.add("new", 2 * DAY, 1); // 3 events two half-lives ago weigh 0.75 < 1
        assertThat(pop.topN(1, Set.of())).containsExactly("new");
    }

    @Test
    void survivesVeryLongTimeSpans() {
        OnlinePopularity pop = OnlinePopularity.withHalfLifeDays(1);
        for (int d = 0; d < 5000; d += 10) {
            pop.add(d % 20 == 0 ? "even" : "odd", d * DAY, 1);
        }
        pop.add("last", 5001 * DAY, 1);
        assertThat(pop.topN(1, Set.of())).containsExactly("last");
    }
}
