package io.streamrec.evaluation.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RankingMetricsTest {

    private static final List<String> RECS = List.of("a", "b", "c", "d", "e");
    private static final Set<String> RELEVANT = Set.of("a", "c", "x");

    @Test
    void precisionCountsHitsInTheFirstK() {
        assertThat(RankingMetrics.precisionAtK(RECS, RELEVANT, 5)).isEqualTo(0.4);
        assertThat(RankingMetrics.precisionAtK(RECS, RELEVANT, 2)).isEqualTo(0.5);
        // a list shorter than k still divides by k
        assertThat(RankingMetrics.precisionAtK(List.of("a"), RELEVANT, 10)).isEqualTo(0.1);
    }

    @Test
    void recallDividesByAllRelevantItems() {
        assertThat(RankingMetrics.recallAtK(RECS, RELEVANT, 5)).isCloseTo(2 / 3.0, within(1e-12));
    }

    @Test
    void ndcgUsesBinaryGainAndLog2Discount() {
        // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/log2(4)
        double ideal = 1 + 1 / (Math.log(3) / Math.log(2)) + 0.5;
        assertThat(RankingMetrics.ndcgAtK(RECS, RELEVANT, 5)).isCloseTo(1.5 / ideal, within(1e-12));
        assertThat(RankingMetrics.ndcgAtK(RECS, RELEVANT, 5)).isCloseTo(0.703918, within(1e-6));
        // ideal DCG is cut at k: with k = 1 and a hit at the top nDCG is 1
        assertThat(RankingMetrics.ndcgAtK(RECS, RELEVANT, 1)).isEqualTo(1.0);
    }

    @Test
    void averagePrecisionIsDividedByTheNumberOfRelevantItems() {
        // hits at ranks 1 and 3: (1/1 + 2/3) / 3
        assertThat(RankingMetrics.averagePrecisionAtK(RECS, RELEVANT, 5)).isCloseTo((1 + 2 / 3.0) / 3, within(1e-12));
    }

    @Test
    void evaluateAveragesOverUsersInBothTestAndPredictionsAndCountsMissesAsZero() {
        Map<String, List<String>> recs = Map.of(
                "u1", RECS,
                "u2", List.of("p", "q", "r", "s", "t"),
                "u3", List.of("a"));
        Map<String, Set<String>> relevant = Map.of(
                "u1", RELEVANT,
                "u2", Set.of("a"),
                "u4", Set.of("a"));
        RankingMetrics.Result r = RankingMetrics.evaluate(recs, relevant, 5);
        assertThat(r.users()).isEqualTo(2);
        assertThat(r.precision()).isCloseTo(0.2, within(1e-12));
        assertThat(r.recall()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(r.ndcg()).isCloseTo(0.703918 / 2, within(1e-6));
        assertThat(r.map()).isCloseTo((1 + 2 / 3.0) / 6, within(1e-12));
    }
}
