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

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (metric instanceof Counter || metric instanceof Gauge) {
            METRICS.put(group.getMetricIdentifier(metricName), metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        METRICS.remove(group.getMetricIdentifier(metricName), metric);
    }

    /** Found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BenchMetrics();
        }
    }
}
