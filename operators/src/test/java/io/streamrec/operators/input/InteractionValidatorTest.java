package io.streamrec.operators.input;


import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The validator's rejection figures: counters, last-window gauges, and the window closed by a timer. */
class InteractionValidatorTest {

    private static final long NOW = System.currentTimeMillis();

    @Test
    void idleTimerClosesTheWindowAndPublishesItsFigures() throws Exception {
        InterceptingOperatorMetricGroup metrics = new InterceptingOperatorMetricGroup();
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(new InterceptingTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> info) {
                return metrics;
            }
        }).build();
        InteractionValidator validator = new InteractionValidator(ValidationRules.defaults(), Duration.ofSeconds(10), 0.1);
        try (OneInputStreamOperatorTestHarness<String, Interaction> harness =
                     new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(validator), env)) {
            harness.setProcessingTime(1_000);
            harness.open();
            for (int i = 0; i < 24; i++) {
                harness.processElement(new StreamRecord<>(
                        "{\"user\":\"u" + i + "\",\"item\":\"i1\",\"type\":\"click\",\"ts\":" + NOW + "}"));
            }
            for (int i = 0; i < 6; i++) {
                harness.processElement(new StreamRecord<>(
                        "{\"user\":\"u" + i + "\",\"item\":\"i1\",\"type\":\"click\",\"ts\":874724710000}"));
            }
            assertThat(gauge(metrics, "recordsLastWindow")).as("no window closed yet").isEqualTo(0L);

            harness.setProcessingTime(15_000); // no more input: only the timer (at 11 s) can close the window

            assertThat(harness.extractOutputValues()).hasSize(24);
            assertThat(harness.getSideOutput(InteractionValidator.DEAD_LETTERS)).hasSize(6);
            assertThat(gauge(metrics, "recordsLastWindow")).isEqualTo(30L);
            assertThat(gauge(metrics, "rejectedLastWindow")).isEqualTo(6L);
            assertThat(gauge(metrics, "rejectedShareLastWindow")).isEqualTo(0.2);
            assertThat(((Counter) metrics.get("interactionsRejected")).getCount()).isEqualTo(6);
            assertThat(((Counter) metrics.get("rejectionWarnings")).getCount()).as("20%% of 30 records").isEqualTo(1);
        }
    }

    private static Object gauge(InterceptingOperatorMetricGroup metrics, String name) {
        return ((Gauge<?>) metrics.get(name)).getValue();
    }
}
