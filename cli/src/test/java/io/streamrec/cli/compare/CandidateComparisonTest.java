package io.streamrec.cli.compare;

import io.streamrec.cli.compare.CandidateComparison.Verdict;
import io.streamrec.cli.compare.QualityIntervals.Interval;
import io.streamrec.operators.evaluation.EventTimeQuality.Bucket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CandidateComparisonTest {

    @Test
    void alignsBucketsIntoWindowsBothJobsHavePassed() {
        // buckets of 10 s; windows of 20 s; the candidate has not passed the window at 40 s yet
        List<Bucket> live = List.of(new Bucket(0, 40, 20, 10, 6), new Bucket(10_000, 40, 20, 10, 6),
                new Bucket(20_000, 80, 40, 20, 12), new Bucket(40_000, 80, 40, 20, 12), new Bucket(60_000, 5, 1, 1, 1));
        List<Bucket> candidate = List.of(new Bucket(0, 80, 24, 12, 8), new Bucket(20_000, 80, 24, 12, 8),
                new Bucket(40_000, 80, 24, 12, 8));
        CandidateComparison c = CandidateComparison.of(live, candidate, 20_000);

        assertThat(c.windows()).extracting(CandidateComparison.Window::start).containsExactly(0L, 20_000L);
        assertThat(c.windows().get(0).live().n()).isEqualTo(80);
        assertThat(c.windows().get(0).live().hits()).isEqualTo(40);
        assertThat(c.liveTotal().n()).isEqualTo(160);
        assertThat(c.candidateTotal().hits()).isEqualTo(48);
        // 48/160 against 80/160: the same Newcombe interval as computed from the totals directly
        Interval expected = QualityIntervals.hitRateDifference(80, 160, 48, 160, QualityIntervals.Z95);
        assertThat(c.hitRateDifference()).isEqualTo(expected);
        assertThat(c.hitRateDifference().value()).isCloseTo(-0.2, within(1e-12));
        assertThat(c.hitRateDifference().high()).isNegative();
        assertThat(c.verdict()).isEqualTo(Verdict.LIVE);
        // window 0: live 40/80, candidate 24/80; window 20 s: 40/80 against 24/80: the live job ahead in both
        assertThat(c.paired()).isEqualTo(new CandidateComparison.Paired(0, 2, 0, 0.5));
    }

    @Test
    void verdictFollowsTheIntervalsOfTheDifferences() {
        Interval up = new Interval(0.1, 0.05, 0.15);
        Interval down = new Interval(-0.1, -0.15, -0.05);
        Interval zero = new Interval(0.0, -0.05, 0.05);
        assertThat(CandidateComparison.verdict(up, zero)).isEqualTo(Verdict.CANDIDATE);
        assertThat(CandidateComparison.verdict(zero, up)).isEqualTo(Verdict.CANDIDATE);
        assertThat(CandidateComparison.verdict(down, zero)).isEqualTo(Verdict.LIVE);
        assertThat(CandidateComparison.verdict(zero, zero)).isEqualTo(Verdict.NO_SIGNIFICANT_DIFFERENCE);
        assertThat(CandidateComparison.verdict(up, down)).isEqualTo(Verdict.MIXED);
    }

    @Test
    void reportsAsTextAndJson() throws Exception {
        List<Bucket> live = List.of(new Bucket(0, 100, 30, 15, 9), new Bucket(60_000, 1, 0, 0, 0));
        List<Bucket> candidate = List.of(new Bucket(0, 100, 31, 15.5, 9.2), new Bucket(60_000, 1, 0, 0, 0));
        CandidateComparison c = CandidateComparison.of(live, candidate, 60_000);
        assertThat(c.verdict()).isEqualTo(Verdict.NO_SIGNIFICANT_DIFFERENCE);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompareCommand.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), "rec:", "cand:", c);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("live rec:, candidate cand:; 1 windows of 1m of event time, 1970-01-01 00:00:00 to 1970-01-01 00:01:00")
                .contains("0.3000 [0.2189, 0.3958]") // Wilson 30/100 by hand: 0.307401 -+ 0.088452.contains("100 / 100")
                .contains("the candidate's HR@10 higher in 1, lower in 0, equal in 0 of 1 windows (sign test p = 1.0000)")
                .contains("verdict: no significant difference");

        JsonNode json = new ObjectMapper().readTree(CompareCommand.toJson("rec:", "cand:", c));
        assertThat(json.path("verdict").asText()).isEqualTo("no_significant_difference");
        assertThat(json.path("winner").asText()).isEqualTo("none");
        assertThat(json.path("windows").size()).isEqualTo(1);
        assertThat(json.path("total").path("candidate").path("hits10").asLong()).isEqualTo(31);
        assertThat(json.path("difference").path("hr10").path("value").asDouble()).isCloseTo(0.01, within(1e-12));
    }
}
