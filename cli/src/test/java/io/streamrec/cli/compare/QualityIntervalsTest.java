package io.streamrec.cli.compare;

import io.streamrec.cli.compare.QualityIntervals.Interval;

import org.junit.jupiter.api.Test;

import static io.streamrec.cli.compare.QualityIntervals.Z95;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Intervals against values computed by hand and against the published examples of Newcombe,
 * "Two-sided confidence intervals for the single proportion" and "Interval estimation for the
 * difference between independent proportions" (Statistics in Medicine 17, 1998).
 */
class QualityIntervalsTest {

    @Test
    void wilsonMatchesTheHandComputedInterval() {
        // p = 0.8, z^2 = 3.8415: centre (0.8 + 0.19207) / 1.38415 = 0.71674,
        // half 1.95996 / 1.38415 * sqrt(0.016 + 0.0096037) = 0.22658
        Interval i = QualityIntervals.wilson(8, 10, Z95);
        assertThat(i.value()).isEqualTo(0.8);
        assertThat(i.low()).isCloseTo(0.49016, within(1e-5));
        assertThat(i.high()).isCloseTo(0.94332, within(1e-5));
    }

    @Test
    void wilsonMatchesNewcombesExamples() {
        assertInterval(QualityIntervals.wilson(81, 263, Z95), 0.2553, 0.3662);
        assertInterval(QualityIntervals.wilson(15, 148, Z95), 0.0624, 0.1605);
        assertInterval(QualityIntervals.wilson(0, 20, Z95), 0.0, 0.1611);
        assertInterval(QualityIntervals.wilson(1, 29, Z95), 0.0061, 0.1718);
    }

    @Test
    void hitRateDifferenceIsNewcombesHybridScoreInterval() {
        // his examples (a) 56/70 - 48/80 and (c) 9/10 - 3/10, method 10
        Interval a = QualityIntervals.hitRateDifference(48, 80, 56, 70, Z95);
        assertThat(a.value()).isCloseTo(0.2, within(1e-12));
        assertInterval(a, 0.0524, 0.3339);
        assertInterval(QualityIntervals.hitRateDifference(3, 10, 9, 10, Z95), 0.1705, 0.8090);
        assertThat(a.excludesZero()).isTrue();
        assertThat(QualityIntervals.hitRateDifference(5, 10, 6, 10, Z95).excludesZero()).isFalse();
    }

    @Test
    void meanIntervalFromSumsMatchesTheHandComputedOne() {
        // reciprocal ranks 1, 1/2, 0, 0: mean 0.375, sample variance (1.25 - 4 * 0.140625) / 3 = 0.229167,
        // standard error sqrt(0.229167 / 4) = 0.239357, half width 1.959964 * 0.239357 = 0.469131
        Interval i = QualityIntervals.mean(1.5, 1.25, 4, Z95);
        assertThat(i.value()).isEqualTo(0.375);
        assertThat(i.low()).isCloseTo(0.375 - 0.469131, within(1e-6));
        assertThat(i.high()).isCloseTo(0.375 + 0.469131, within(1e-6));
    }

    @Test
    void meanDifferenceAddsTheVariances() {
        // second sample 1, 1, 1/2, 0: mean 0.625, the same standard error 0.239357;
        // difference 0.25 +- 1.959964 * sqrt(2) * 0.2393568 = 0.25 +- 1.959964 * 0.3385016 = 0.25 +- 0.663451
        Interval d = QualityIntervals.meanDifference(1.5, 1.25, 4, 2.5, 2.25, 4, Z95);
        assertThat(d.value()).isCloseTo(0.25, within(1e-12));
        assertThat(d.low()).isCloseTo(0.25 - 0.663451, within(2e-6));
        assertThat(d.high()).isCloseTo(0.25 + 0.663451, within(2e-6));
    }

    @Test
    void signTestIsTheExactBinomialTail() {
        // 9 of 10: 2 * (C(10,0) + C(10,1)) / 2^10 = 22 / 1024
        assertThat(QualityIntervals.signTestP(9, 1)).isCloseTo(22 / 1024.0, within(1e-15));
        assertThat(QualityIntervals.signTestP(1, 9)).isCloseTo(22 / 1024.0, within(1e-15));
        // 5 of 5: 2 / 32
        assertThat(QualityIntervals.signTestP(5, 0)).isCloseTo(0.0625, within(1e-15));
        assertThat(QualityIntervals.signTestP(3, 3)).isEqualTo(1.0);
        assertThat(QualityIntervals.signTestP(0, 0)).isEqualTo(1.0);
    }

    @Test
    void nothingMeasuredIsNotANumber() {
        assertThat(QualityIntervals.wilson(0, 0, Z95).value()).isNaN();
        assertThat(QualityIntervals.mean(0, 0, 0, Z95).low()).isNaN();
        assertThat(QualityIntervals.meanDifference(1, 1, 1, 0, 0, 0, Z95).high()).isNaN();
    }

    private static void assertInterval(Interval i, double low, double high) {
        assertThat(i.low()).as("low").isCloseTo(low, within(6e-5));
        assertThat(i.high()).as("high").isCloseTo(high, within(6e-5));
    }
}
