package io.streamrec.evaluation.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PrequentialTallyTest {

    @Test
    void hitRateAndNdcgOverallAndPerWindow() {
        PrequentialTally t = new PrequentialTally(10, 2);
        t.record(0, 1);   // hit, gain 1
        t.record(-1, 2);  // miss
        t.record(2, 3);   // hit, gain 1/log2(4) = 0.5
        t.record(10, 4);  // beyond k: a miss
        t.record(-1, 5);
        assertThat(t.events()).isEqualTo(5);
        assertThat(t.hitRate()).isCloseTo(0.4, within(1e-12));
        assertThat(t.ndcg()).isCloseTo(1.5 / 5, within(1e-12));
        assertThat(t.windows()).hasSize(3);
        assertThat(t.windows().get(0).hitRate()).isEqualTo(0.5);
        assertThat(t.windows().get(1).ndcg()).isCloseTo(0.25, within(1e-12));
        assertThat(t.windows().get(2).events).isEqualTo(1);
        assertThat(t.windows().get(1).firstTs).isEqualTo(3);
        assertThat(t.windows().get(1).lastTs).isEqualTo(4);
    }
}
