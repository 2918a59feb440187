package io.streamrec.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The bench's view of the job's metrics, read in its own JVM (the bench's mini cluster runs there):
 * a metric reporter that keeps the counters and gauges it is told about, so the bench reads their
 * current values directly. Polling them through the REST API every 200 ms made the JobManager fetch
 * and serialize every metric of every task five times a second, which was 13% of the process's CPU
 * samples on the two cores the job was being measured on, and the values lagged by up to one fetch.
 */
public final class BenchMetrics implements MetricReporter {

    private static final String NAME = "streamrec-bench";
    private static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    /** Flink's per-task time gauges, in ms per second of each subtask's thread. */
    static final String BUSY = "busyTimeMsPerSecond";
    static final String BACK_PRESSURED = "backPressuredTimeMsPerSecond";
    static final String IDLE = "idleTimeMsPerSecond";

    /** Those gauges by task (its chain's name), then by their identifier: one per subtask. */
    private static final Map<String, Map<String, Gauge<?>>> TASK_TIMES = new ConcurrentHashMap<>();

    /** Registers the reporter in a mini cluster's configuration. */
    static void addTo(Configuration conf) {
        conf.setString("metrics.reporter." + NAME + ".factory.class", Factory.class.getName());
    }

    /**
     * The sum over every counter or numeric gauge whose identifier matches (for example all subtasks'
     * {@code ...interactionsValid}); -1 when none is registered yet.
     */
    static double sum(Predicate<String> identifier) {
        double sum = 0;
        boolean any = false;
        for (Map.Entry<String, Metric> e : METRICS.entrySet()) {
            if (!identifier.test(e.getKey())) {
                continue;
            }
            Metric m = e.getValue();
            if (m instanceof Counter counter) {
                sum += counter.getCount();
                any = true;
            } else if (m instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
                sum += number.doubleValue();
                any = true;
            }
        }
        return any ? sum : -1;
    }

    /**
     * For every task, the share of its subtasks' time (0..1, their mean) that each of {@link #BUSY},
     * {@link #BACK_PRESSURED} and {@link #IDLE} reports now, in that order. A back-pressured task waits
     * for room in its output; an idle one for input.
     */
    static Map<String, double[]> taskTimeShares() {
        Map<String, double[]> shares = new TreeMap<>();
        for (Map.Entry<String, Map<String, Gauge<?>>> task : TASK_TIMES.entrySet()) {
            double[] sums = new double[3];
            int[] subtasks = new int[3];
            for (Map.Entry<String, Gauge<?>> g : task.getValue().entrySet()) {
                int kind = g.getKey().endsWith(BUSY) ? 0 : g.getKey().endsWith(BACK_PRESSURED) ? 1 : 2;
                if (g.getValue().getValue() instanceof Number ms && !Double.isNaN(ms.doubleValue())) {
                    sums[kind] += ms.doubleValue() / 1000;
                    subtasks[kind]++;
                }
            }
            if (subtasks[0] > 0) {
                shares.put(task.getKey(), new double[] {
                        sums[0] / subtasks[0], sums[1] / Math.max(1, subtasks[1]), sums[2] / Math.max(1, subtasks[2])});
            }
        }
        return shares;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter || metric instanceof Gauge) {
            METRICS.put(group.getMetricIdentifier(metricName), metric);
        }
        String task = group.getAllVariables().get("<task_name>");
        if (task != null && metric instanceof Gauge<?> gauge && isTaskTime(metricName)) {
            TASK_TIMES.computeIfAbsent(task, t -> new ConcurrentHashMap<>()).put(group.getMetricIdentifier(metricName), gauge);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        METRICS.remove(group.getMetricIdentifier(metricName), metric);
        String task = group.getAllVariables().get("<task_name>");
        Map<String, Gauge<?>> gauges = task == null ? null : TASK_TIMES.get(task);
        if (gauges != null) {
            gauges.remove(group.getMetricIdentifier(metricName), metric);
        }
    }

    private static boolean isTaskTime(String metricName) {
        return metricName.equals(BUSY) || metricName.equals(BACK_PRESSURED) || metricName.equals(IDLE);
    }

    /** Found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BenchMetrics();
        }
    }
}
