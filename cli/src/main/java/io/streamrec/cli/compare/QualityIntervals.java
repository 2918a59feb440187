package io.streamrec.cli.compare;

/**
 * Confidence intervals for the online quality of one job and for the difference between two jobs,
 * from sums alone (no per-event data): Wilson's score interval for a hit rate, the normal interval
 * for a mean reciprocal rank, Newcombe's hybrid score interval for a difference of hit rates, and
 * the normal interval for a difference of means. Pure functions, no Flink.
 *
 * <p>The difference intervals treat the two jobs' samples as independent. Both jobs evaluate the
 * same events, so their hits are positively correlated and the true interval is narrower: the
 * intervals here are conservative, a "significant" verdict is not overstated.
 */
public final class QualityIntervals {

    /** z of a two-sided 95 % interval. */
    public static final double Z95 = 1.959963984540054;

    private QualityIntervals() {}

    /** An estimate with its interval. */
    public record Interval(double value, double low, double high) {
        /** True when the interval lies entirely above or below 0 (for a difference: significant). */
        public boolean excludesZero() {
            return low > 0 || high < 0;
        }
    }

    /** Wilson's score interval for {@code hits} out of {@code n}; NaN for n = 0. */
    public static Interval wilson(long hits, long n, double z) {
        if (n <= 0) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN);
        }
        double p = hits / (double) n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new Interval(p, Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /**
     * The normal interval of a mean from its sum and sum of squares over {@code n} values (sample
     * variance); NaN for n = 0, a zero-width interval for n = 1.
     */
    public static Interval mean(double sum, double sumOfSquares, long n, double z) {
        if (n <= 0) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN);
        }
        double m = sum / n;
        double se = standardError(sum, sumOfSquares, n);
        return new Interval(m, m - z * se, m + z * se);
    }

    /** Standard error of the mean from sums (0 for n &lt; 2). */
    static double standardError(double sum, double sumOfSquares, long n) {
        if (n < 2) {
            return 0;
        }
        double m = sum / n;
        double variance = Math.max(0, (sumOfSquares - n * m * m) / (n - 1));
        return Math.sqrt(variance / n);
    }

    /**
     * Newcombe's hybrid score interval (his method 10) for p2 − p1, the hit rate of the second
     * sample minus that of the first, built from the two Wilson intervals.
     */
    public static Interval hitRateDifference(long hits1, long n1, long hits2, long n2, double z) {
        Interval a = wilson(hits1, n1, z);
        Interval b = wilson(hits2, n2, z);
        double d = b.value() - a.value();
        double low = d - Math.sqrt(sq(b.value() - b.low()) + sq(a.high() - a.value()));
        double high = d + Math.sqrt(sq(b.high() - b.value()) + sq(a.value() - a.low()));
        return new Interval(d, low, high);
    }

    /** The normal interval of mean2 − mean1 for two independent samples given by their sums. */
    public static Interval meanDifference(double sum1, double sumOfSquares1, long n1,
                                          double sum2, double sumOfSquares2, long n2, double z) {
        if (n1 <= 0 || n2 <= 0) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN);
        }
        double d = sum2 / n2 - sum1 / n1;
        double se = Math.sqrt(sq(standardError(sum1, sumOfSquares1, n1)) + sq(standardError(sum2, sumOfSquares2, n2)));
        return new Interval(d, d - z * se, d + z * se);
    }

    /**
     * The two-sided exact sign test: the probability, under "neither is better", of a split of
     * {@code wins + losses} paired comparisons (ties left out) at least as uneven as the one seen;
     * 1 when there are none.
     */
    public static double signTestP(int wins, int losses) {
        int n = wins + losses;
        int k = Math.min(wins, losses);
        double tail = 0;
        double binomial = 1; // C(n, i)
        for (int i = 0; i <= k; i++) {
            tail += binomial;
            binomial = binomial * (n - i) / (i + 1);
        }
        return Math.min(1, 2 * tail / Math.pow(2, n));
    }

    private static double sq(double x) {
        return x * x;
    }
}
