package io.streamrec.evaluation.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ListDiversityTest {

    @Test
    void coverageCountsDistinctItemsInTheTopKOfAllLists() {
        Map<String, List<String>> lists = Map.of(
                "u1", List.of("a", "b", "c"),
                "u2", List.of("b", "d", "e"));
        // top 2: {a, b} ∪ {b, d} = 3 distinct items of a catalogue of 10
        assertThat(ListDiversity.coverage(lists, 2, 10)).isCloseTo(0.3, within(1e-12));
        assertThat(ListDiversity.coverage(lists, 3, 10)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void jaccardOfIdenticalListsIsOneAndOfDisjointListsZero() {
        assertThat(ListDiversity.jaccard(Set.of("a", "b"), Set.of("b", "a"))).isEqualTo(1.0);
        assertThat(ListDiversity.jaccard(Set.of("a", "b"), Set.of("c", "d"))).isEqualTo(0.0);
        assertThat(ListDiversity.jaccard(Set.of("a", "b", "c"), Set.of("b", "c", "d"))).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void meanJaccardAveragesEveryPairOfASmallSet() {
        Map<String, List<String>> lists = Map.of(
                "u1", List.of("a", "b"),
                "u2", List.of("a", "b"),
                "u3", List.of("c", "d"));
        // pairs: (u1,u2) 1, (u1,u3) 0, (u2,u3) 0
        assertThat(ListDiversity.meanJaccard(lists, 2, 1)).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    void meanJaccardSamplesPairsOfALargeSetAndIsSeeded() {
        Map<String, List<String>> lists = new java.util.HashMap<>();
        for (int u = 0; u < 200; u++) {
            lists.put("u" + u, List.of("shared", "own" + u));
        }
        // every pair shares one of three distinct items: 1/3
        assertThat(ListDiversity.meanJaccard(lists, 2, 7)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(ListDiversity.meanJaccard(lists, 2, 7)).isEqualTo(ListDiversity.meanJaccard(lists, 2, 7));
    }
}
