package io.streamrec.operators.input;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RejectionMonitorTest {

    private static final long T0 = 1_800_000_000_000L;
    private static final String VALID = "{\"user\":\"u1\",\"item\":\"i1\",\"type\":\"click\",\"ts\":" + T0 + "}";
    private static final String OLD = "{\"user\":\"u1\",\"item\":\"i1\",\"type\":\"click\",\"ts\":874724710000}";
    private static final String BROKEN = "{\"user\":";

    private final InteractionParser parser = new InteractionParser(ValidationRules.defaults());
    private final RejectionMonitor monitor = new RejectionMonitor(Duration.ofSeconds(10), 0.1, Duration.ofMinutes(1));

    private void add(String payload, int times, long now) {
        for (int i = 0; i < times; i++) {
            monitor.add(parser.parse(payload, T0), payload, now);
        }
    }

    @Test
    void warnsWhenAllRecordsOfAWindowAreRejectedWithCountsAndAnExamplePerReason() {
        add(OLD, 3, T0);
        add(BROKEN, 2, T0 + 1000);

        assertThat(monitor.poll(T0 + 9_999)).as("the window is not over").isEmpty();
        Optional<String> warning = monitor.poll(T0 + 10_000);

        assertThat(warning).hasValueSatisfying(text -> assertThat(text)
                .startsWith("5 of 5 input records (100.0%) were rejected in the last 10 s")
                .contains("timestamp_out_of_range: 3 (60.0%), e.g. field 'ts' is 874724710000")
                .contains(": " + OLD)
                .contains("not_json: 2 (40.0%), e.g. ")
                .contains(": " + BROKEN)
                .contains("--input.min-timestamp"));
        assertThat(monitor.lastWindow().total()).isEqualTo(5);
        assertThat(monitor.lastWindow().rejected()).isEqualTo(5);
        assertThat(monitor.lastWindow().rejected(RejectReason.TIMESTAMP_OUT_OF_RANGE)).isEqualTo(3);
        assertThat(monitor.lastWindow().rejectedShare()).isEqualTo(1.0);
    }

    @Test
    void warnsFromTheThresholdShareOnlyWithEnoughRecords() {
        add(VALID, 90, T0);
        add(OLD, 10, T0);
        assertThat(monitor.poll(T0 + 10_000)).as("10 of 100 = the 10%% threshold").isPresent();

        RejectionMonitor other = new RejectionMonitor(Duration.ofSeconds(10), 0.1, Duration.ofMinutes(1));
        for (int i = 0; i < 91; i++) {
            other.add(parser.parse(VALID, T0), VALID, T0);
        }
        for (int i = 0; i < 9; i++) {
            other.add(parser.parse(OLD, T0), OLD, T0);
        }
        assertThat(other.poll(T0 + 10_000)).as("9 of 100 is below").isEmpty();
        assertThat(other.lastWindow().rejectedShare()).isEqualTo(0.09);

        RejectionMonitor few = new RejectionMonitor(Duration.ofSeconds(10), 0.1, Duration.ofMinutes(1));
        for (int i = 0; i < RejectionMonitor.MIN_RECORDS - 2; i++) {
            few.add(parser.parse(VALID, T0), VALID, T0);
        }
        few.add(parser.parse(OLD, T0), OLD, T0);
        assertThat(few.poll(T0 + 10_000)).as("1 of 19: too few records for a trend").isEmpty();
    }

    @Test
    void warnsAtMostOncePerIntervalAndCountsTheWindowsNotLogged() {
        add(OLD, 50, T0);
        assertThat(monitor.poll(T0 + 10_000)).isPresent();
        add(OLD, 50, T0 + 20_000);
        assertThat(monitor.poll(T0 + 30_000)).as("20 s after the last warning").isEmpty();
        add(OLD, 50, T0 + 40_000);
        assertThat(monitor.poll(T0 + 50_000)).isEmpty();
        add(OLD, 50, T0 + 60_000);

        assertThat(monitor.poll(T0 + 70_000)).hasValueSatisfying(text -> assertThat(text)
                .startsWith("50 of 50 input records")
                .contains("(2 more window(s) with as many rejections since the last warning were not logged)"));
    }

    @Test
    void cleanWindowsDoNotWarnAndResetTheFigures() {
        add(OLD, 30, T0);
        assertThat(monitor.poll(T0 + 10_000)).isPresent();
        add(VALID, 30, T0 + 10_001);
        assertThat(monitor.poll(T0 + 20_001)).isEmpty();
        assertThat(monitor.lastWindow().total()).isEqualTo(30);
        assertThat(monitor.lastWindow().rejected()).isZero();
        assertThat(monitor.poll(T0 + 30_001)).as("an empty window").isEmpty();
        assertThat(monitor.lastWindow().total()).isZero();
    }
}
