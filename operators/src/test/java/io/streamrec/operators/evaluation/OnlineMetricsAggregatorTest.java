package io.streamrec.operators.evaluation;

import io.streamrec.operators.records.OnlineHit;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class OnlineMetricsAggregatorTest {

    private static OneInputStreamOperatorTestHarness<OnlineHit, OnlineMetricsSnapshot> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new OnlineMetricsAggregator());
    }

    private static OneInputStreamOperatorTestHarness<OnlineHit, OnlineMetricsSnapshot> harness(Duration retention)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new OnlineMetricsAggregator(retention));
    }

    private static StreamRecord<OnlineHit> hitAt(long eventTs) {
        return new StreamRecord<>(new OnlineHit("u", "i", eventTs, 0, 10));
    }

    /** The starts of the buckets in a snapshot's windows, oldest first. */
    private static List<Long> bucketStarts(OnlineMetricsSnapshot s) {
        return EventTimeQuality.Bucket.parse(windows(s)).stream().map(EventTimeQuality.Bucket::start).toList();
    }

    private static java.util.Map<String, Double> windows(OnlineMetricsSnapshot s) {
        java.util.Map<String, Double> members = new java.util.LinkedHashMap<>();
        for (int i = 0; i < s.windowNames.length; i++) {
            members.put(s.windowNames[i], s.windowValues[i]);
        }
        return members;
    }

    private static StreamRecord<OnlineHit> hit(int rank) {
        return new StreamRecord<>(new OnlineHit("u", "i", 0, rank, 10));
    }

    private static List<OnlineMetricsSnapshot> snapshots(OneInputStreamOperatorTestHarness<OnlineHit, OnlineMetricsSnapshot> h) {
        return h.extractOutputValues();
    }

    @Test
    void emitsRollingFiguresOncePerCheckpointOnlyWhenSomethingWasMeasured() throws Exception {
        try (var h = harness()) {
            h.setup();
            h.open();
            h.setProcessingTime(10_000);
            h.processElement(hit(0));
            h.processElement(hit(-1));
            h.setProcessingTime(100_000);
            h.processElement(hit(1));
            h.processElement(hit(-1));
            assertThat(snapshots(h)).isEmpty();

            h.prepareSnapshotPreBarrier(1);
            h.prepareSnapshotPreBarrier(2); // nothing new: no write
            List<OnlineMetricsSnapshot> out = snapshots(h);
            assertThat(out).hasSize(1);
            OnlineMetricsSnapshot s = out.get(0);
            assertThat(s.get("hr@10:1m")).isEqualTo(0.5);
            assertThat(s.get("mrr:1m")).isCloseTo(0.25, within(1e-12));
            assertThat(s.get("evaluated:1m")).isEqualTo(2);
            assertThat(s.get("evaluated:10m")).isEqualTo(4);
            assertThat(s.get("hr@10:total")).isEqualTo(0.5);
            assertThat(s.version).isEqualTo(100_000);
            assertThat(s.updated).isEqualTo(100_000);
            assertThat(List.of(s.fieldValuePairs())).containsSequence("evaluated:total", "4");
        }
    }

    @Test
    void longerListsAreAlsoMeasuredAtTen() throws Exception {
        try (var h = harness()) {
            h.setup();
            h.open();
            h.setProcessingTime(10_000);
            for (int rank : new int[] {0, 9, 10, 19, -1}) {
                h.processElement(new StreamRecord<>(new OnlineHit("u", "i", 0, rank, 20)));
            }
            h.prepareSnapshotPreBarrier(1);
            OnlineMetricsSnapshot s = snapshots(h).get(0);
            assertThat(s.get("hr@20:total")).isCloseTo(4 / 5.0, within(1e-12));
            assertThat(s.get("hr@10:total")).isCloseTo(2 / 5.0, within(1e-12));
            assertThat(s.get("hr@10:1m")).isCloseTo(2 / 5.0, within(1e-12));
            assertThat(s.get("hr@10:10m")).isCloseTo(2 / 5.0, within(1e-12));

            OperatorSubtaskState state = h.snapshot(1, 10_000);
            try (var restored = harness()) {
                restored.setup();
                restored.initializeState(state);
                restored.open();
                restored.setProcessingTime(10_000);
                restored.processElement(new StreamRecord<>(new OnlineHit("u", "i", 0, 3, 20)));
                restored.prepareSnapshotPreBarrier(2);
                assertThat(snapshots(restored).get(0).get("hr@10:total")).isCloseTo(3 / 6.0, within(1e-12));
            }
        }
    }

    @Test
    void keepsCumulativeCountsAcrossRestoreAndVersionsIncrease() throws Exception {
        OperatorSubtaskState state;
        long firstVersion;
        try (var h = harness()) {
            h.setup();
            h.open();
            h.setProcessingTime(50_000);
            h.processElement(hit(0));
            h.processElement(hit(0));
            h.prepareSnapshotPreBarrier(1);
            firstVersion = snapshots(h).get(0).version;
            state = h.snapshot(1, 50_000);
        }
        try (var h = harness()) {
            h.setup();
            h.initializeState(state);
            h.open();
            h.setProcessingTime(50_000);
            h.processElement(hit(-1));
            h.prepareSnapshotPreBarrier(2);
            h.processElement(hit(-1));
            h.prepareSnapshotPreBarrier(3);
            List<OnlineMetricsSnapshot> out = snapshots(h);
            assertThat(out).hasSize(2);
            assertThat(out.get(0).get("evaluated:total")).isEqualTo(3);
            assertThat(out.get(0).get("hr@10:total")).isCloseTo(2 / 3.0, within(1e-12));
            assertThat(out.get(0).get("evaluated:1m")).isEqualTo(3);
            assertThat(out.stream().map(o -> o.version).collect(Collectors.toList()))
                    .isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
            assertThat(out.get(1).version).isGreaterThan(out.get(0).version);
            assertThat(out.get(0).version).isGreaterThanOrEqualTo(firstVersion);
        }
    }

    @Test
    void writesSumsPerBucketOfEventTimeAndKeepsThemAcrossRestore() throws Exception {
        OperatorSubtaskState state;
        try (var h = harness()) {
            h.setup();
            h.open();
            h.setProcessingTime(999_000); // processing time plays no part in the buckets
            h.processElement(new StreamRecord<>(new OnlineHit("u", "i", 20_500, 0, 20)));
            h.processElement(new StreamRecord<>(new OnlineHit("u", "i", 29_000, 15, 20)));
            h.prepareSnapshotPreBarrier(1);
            OnlineMetricsSnapshot s = snapshots(h).get(0);
            assertThat(s.windowNames).containsExactly("20000:n", "20000:hits10", "20000:rr", "20000:rr2");
            assertThat(s.windowValues).containsExactly(2, 1, 1, 1);
            state = h.snapshot(1, 999_000);
        }
        try (var h = harness()) {
            h.setup();
            h.initializeState(state);
            h.open();
            h.processElement(new StreamRecord<>(new OnlineHit("u", "i", 31_000, 1, 20)));
            h.prepareSnapshotPreBarrier(2);
            OnlineMetricsSnapshot s = snapshots(h).get(0);
            assertThat(s.windowNames).containsExactly("20000:n", "20000:hits10", "20000:rr", "20000:rr2",
                    "30000:n", "30000:hits10", "30000:rr", "30000:rr2");
            assertThat(s.windowValues).containsExactly(2, 1, 1, 1, 1, 1, 0.5, 0.25);
        }
    }

    @Test
    void aSavepointOfTheHourRestoresIntoADayWhichKeepsOlderBucketsAndADayIntoAnHourKeepsTheNewest() throws Exception {
        long base = 1_700_000_000_000L;
        long bucket = OnlineMetricsAggregator.EVENT_BUCKET_MILLIS;
        OperatorSubtaskState hour; // what a job before recs.evaluation-retention wrote: the state layout is the same
        try (var h = harness()) {
            h.setup();
            h.open();
            for (int b = 0; b < 360; b++) {
                h.processElement(hitAt(base + b * bucket));
            }
            h.prepareSnapshotPreBarrier(1);
            assertThat(bucketStarts(snapshots(h).get(0))).hasSize(360).startsWith(base).endsWith(base + 359 * bucket);
            hour = h.snapshot(1, 1);
        }
        OperatorSubtaskState day;
        try (var h = harness(Duration.ofHours(24))) {
            h.setup();
            h.initializeState(hour);
            h.open();
            h.processElement(hitAt(base + 360 * bucket)); // one more bucket: nothing falls out of a day
            h.processElement(hitAt(base - 3_600_000));   // an hour older than the oldest: still kept
            h.prepareSnapshotPreBarrier(2);
            List<Long> starts = bucketStarts(snapshots(h).get(0));
            assertThat(starts).hasSize(362).startsWith(base - 3_600_000, base).endsWith(base + 360 * bucket);
            day = h.snapshot(2, 2);
        }
        try (var h = harness()) {
            h.setup();
            h.initializeState(day);
            h.open();
            h.processElement(hitAt(base + 361 * bucket));
            h.processElement(hitAt(base)); // older than the newest hour: not counted
            h.prepareSnapshotPreBarrier(3);
            OnlineMetricsSnapshot s = snapshots(h).get(0);
            assertThat(bucketStarts(s)).hasSize(360).startsWith(base + 2 * bucket).endsWith(base + 361 * bucket);
            assertThat(windows(s)).containsEntry((base + 361 * bucket) + ":n", 1.0);
        }
    }

    @Test
    void refusesARetentionThatIsNotAPositiveMultipleOfABucket() {
        assertThatThrownBy(() -> new OnlineMetricsAggregator(Duration.ofSeconds(15))).hasMessageContaining("multiple of 10 s");
        assertThatThrownBy(() -> new OnlineMetricsAggregator(Duration.ZERO)).hasMessageContaining("multiple of 10 s");
    }
}
