package io.streamrec.operators.evaluation;

import java.util.Arrays;

/**
 * The live job's quality figures at one instant, as emitted by
 * {@link io.streamrec.operators.evaluation.OnlineMetricsAggregator}: parallel arrays of metric names
 * (e.g. {@code hr@10:1m}) and values, a monotonic version and the processing time. A Flink POJO.
 */
public class OnlineMetricsSnapshot {
    public long version;
    public long updated;
    public String[] names;
    public double[] values;
    /**
     * The sums per bucket of event time ({@link EventTimeQuality#appendMembers}), written to
     * {@code rec:_metrics:windows}; empty when nothing was measured.
     */
    public String[] windowNames = new String[0];
    public double[] windowValues = new double[0];

    public OnlineMetricsSnapshot() {}

    public OnlineMetricsSnapshot(long version, long updated, String[] names, double[] values) {
        this.version = version;
        this.updated = updated;
        this.names = names;
        this.values = values;
    }

    /** The value of a metric, NaN when absent. */
    public double get(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return values[i];
            }
        }
        return Double.NaN;
    }

    /** name1, value1, name2, value2, ... as strings, for a Redis hash. */
    public String[] fieldValuePairs() {
        String[] pairs = new String[names.length * 2];
        for (int i = 0; i < names.length; i++) {
            pairs[2 * i] = names[i];
            double v = values[i];
            pairs[2 * i + 1] = v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
        return pairs;
    }

    @Override
    public String toString() {
        return "OnlineMetricsSnapshot{version=" + version + ", " + Arrays.toString(names) + "=" + Arrays.toString(values) + "}";
    }
}
