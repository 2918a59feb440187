package io.streamrec.evaluation.metrics;

import java.util.List;

/** Mean and sample standard deviation of a few numbers (one per seed). */
public record Stats(double mean, double sd, int n) {

    public static Stats of(List<Double> values) {
        int n = values.size();
        if (n == 0) {
            return new Stats(Double.NaN, Double.NaN, 0);
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new Stats(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n);
    }

    @Override
    public String toString() {
        return n > 1 ? String.format("%.4f ± %.4f", mean, sd) : String.format("%.4f", mean);
    }
}
