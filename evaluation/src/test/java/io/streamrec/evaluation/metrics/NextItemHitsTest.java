package io.streamrec.evaluation.metrics;

import io.streamrec.testkit.Interaction;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NextItemHitsTest {

    private static Interaction e(String id, String user, String item, long ts) {
        return new Interaction(id, user, item, "click", null, ts);
    }

    @Test
    void pairsEachHeldOutEventWithTheUsersPreviousItemInEventTime() {
        Interaction u1a = e("1", "u1", "a", 10);
        Interaction u1b = e("2", "u1", "b", 30);
        Interaction u1c = e("3", "u1", "c", 20); // out of order in the data: between a and b in time
        Interaction u1cAgain = e("4", "u1", "c", 40);
        Interaction u2d = e("5", "u2", "d", 5);
        Interaction u2a = e("6", "u2", "a", 6);
        List<Interaction> all = List.of(u1a, u1b, u1c, u1cAgain, u2d, u2a);
        // held out: c at 20 (after a), b at 30 (after c), d of u2 (first: no previous), c at 40 (after b)
        List<NextItemHits.Pair> pairs = NextItemHits.heldOutPairs(all, List.of(u1c, u1b, u2d, u1cAgain));
        assertThat(pairs).containsExactly(
                new NextItemHits.Pair("u1", "a", "c"),
                new NextItemHits.Pair("u1", "c", "b"),
                new NextItemHits.Pair("u1", "b", "c"));
    }

    @Test
    void theSameItemTwiceInARowIsNoPair() {
        Interaction first = e("1", "u1", "a", 1);
        Interaction again = e("2", "u1", "a", 2);
        assertThat(NextItemHits.heldOutPairs(List.of(first, again), List.of(again))).isEmpty();
    }

    @Test
    void hitRateCountsTheNextItemInTheFirstNOfThePreviousItemsList() {
        List<NextItemHits.Pair> pairs = List.of(
                new NextItemHits.Pair("u1", "a", "b"),  // b first in a's list
                new NextItemHits.Pair("u2", "a", "d"),  // d third
                new NextItemHits.Pair("u3", "x", "b"),  // x has no list: a miss
                new NextItemHits.Pair("u4", "b", "a")); // not in b's list
        Map<String, List<String>> lists = Map.of("a", List.of("b", "c", "d"), "b", List.of("c"));
        assertThat(NextItemHits.hitRate(pairs, lists, 2)).isEqualTo(0.25);
        assertThat(NextItemHits.hitRate(pairs, lists, 3)).isEqualTo(0.5);
        assertThat(NextItemHits.hitRate(List.of(), lists, 3)).isZero();
    }
}
