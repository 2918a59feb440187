package io.streamrec.operators.evaluation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RollingHitCountsTest {

    @Test
    void windowsForgetOldSecondsAndTotalsDoNot() {
        RollingHitCounts c = new RollingHitCounts(600);
        c.add(1_000, 0);        // hit at rank 1: rr 1
        c.add(1_500, -1);
        c.add(100_000, 1);      // hit at rank 2: rr 0.5
        c.add(100_200, -1);
        RollingHitCounts.Totals lastMinute = c.window(100_900, 60);
        assertThat(lastMinute.evaluated()).isEqualTo(2);
        assertThat(lastMinute.hitRate()).isEqualTo(0.5);
        assertThat(lastMinute.mrr()).isCloseTo(0.25, within(1e-12));
        assertThat(c.window(100_900, 600).evaluated()).isEqualTo(4);
        assertThat(c.cumulative().hits()).isEqualTo(2);

        // 700 s later the ring slots are reused; only the totals remember
        c.add(800_000, -1);
        assertThat(c.window(800_000, 600).evaluated()).isEqualTo(1);
        assertThat(c.cumulative().evaluated()).isEqualTo(5);
        assertThat(c.cumulative().mrr()).isCloseTo(1.5 / 5, within(1e-12));
    }

    @Test
    void roundTripsThroughBytes() {
        RollingHitCounts c = new RollingHitCounts(600);
        c.add(5_000, 3);
        c.add(6_000, -1);
        RollingHitCounts restored = RollingHitCounts.fromBytes(c.toBytes(), 600);
        assertThat(restored.window(6_000, 60)).isEqualTo(c.window(6_000, 60));
        assertThat(restored.cumulative()).isEqualTo(c.cumulative());
    }
}
