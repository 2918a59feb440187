package io.streamrec.operators.input;


import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DeduplicatorTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, Interaction, Interaction> harness() throws Exception {
        var h = heapHarness();
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    /** On the heap backend, whose state entries the harness can count. */
    private static KeyedOneInputStreamOperatorTestHarness<String, Interaction, Interaction> heapHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new Deduplicator(Duration.ofMinutes(10))), Interaction::dedupKey, Types.STRING);
    }

    private static Interaction event(String id, String user, long ts) {
        return new Interaction(id, user, "i1", EventType.CLICK, Double.NaN, ts);
    }

    @Test
    void passesTheFirstOfEachIdAndDropsRepeatsAlsoAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(event("e1", "u1", 1), 1);
            h.processElement(event("e2", "u1", 2), 2);
            h.processElement(event("e1", "u1", 1), 3);
            assertThat(h.extractOutputValues()).extracting(e -> e.id).containsExactly("e1", "e2");
            snapshot = h.snapshot(1, 10);
        }
        try (var restored = harness()) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            restored.setStateTtlProcessingTime(1000);
            restored.processElement(event("e2", "u1", 2), 4);
            restored.processElement(event("e3", "u2", 3), 5);
            assertThat(restored.extractOutputValues()).extracting(e -> e.id).containsExactly("e3");
        }
    }

    @Test
    void eventsWithoutIdAreDeduplicatedOnTheirContent() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(event(null, "u1", 7), 1);
            h.processElement(event(null, "u1", 7), 2);
            h.processElement(event(null, "u1", 8), 3);
            assertThat(h.extractOutputValues()).extracting(e -> e.ts).containsExactly(7L, 8L);
        }
    }

    @Test
    void forgetsAnIdOnceTheWatermarkPassesItsTimePlusTheWindow() throws Exception {
        long minute = Duration.ofMinutes(1).toMillis();
        try (var h = heapHarness()) {
            h.open();
            h.processElement(event("e1", "u1", 0), 0);
            h.processWatermark(9 * minute);
            h.processElement(event("e1", "u1", 0), 0); // within 10 minutes of event time: a duplicate
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(10 * minute);
            assertThat(h.numKeyedStateEntries()).as("cleared by the event-time timer").isZero();
            h.processElement(event("e1", "u1", 0), 0);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void aReplayOfLongHistoryKeepsOnlyTheIdsOfOneWindow() throws Exception {
        long minute = Duration.ofMinutes(1).toMillis();
        try (var h = heapHarness()) {
            h.open();
            // 1,000 events one minute apart (16 hours of event time) replayed as fast as they come
            for (int i = 0; i < 1_000; i++) {
                h.processElement(event("e" + i, "u1", i * minute), i);
                h.processWatermark(i * minute - 1);
            }
            assertThat(h.extractOutputValues()).hasSize(1_000);
            // a key and its timer per event of the last 10 minutes (the window), not 1,000
            assertThat(h.numKeyedStateEntries()).isBetween(10, 12);
            assertThat(h.numEventTimeTimers()).isBetween(10, 12);
        }
    }

    @Test
    void keysOfTheEarlierProcessingTimeStateStillCountAsSeen() throws Exception {
        OperatorSubtaskState legacy;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new LegacyDeduplicator()), Interaction::dedupKey, Types.STRING)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            // what an earlier version stored: the key in "seen" (processing-time TTL)
            h.processElement(event("old-1", "u1", 5), 5);
            legacy = h.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.setup();
            restored.initializeState(legacy);
            restored.open();
            restored.processElement(event("old-1", "u1", 5), 5);
            restored.processElement(event("new-1", "u1", 6), 6);
            assertThat(restored.extractOutputValues()).extracting(e -> e.id).containsExactly("new-1");
        }
    }

    /** The state layout of the earlier, processing-time Deduplicator. */
    private static final class LegacyDeduplicator
            extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String, Interaction, Interaction> {
        private transient org.apache.flink.api.common.state.ValueState<Boolean> seen;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            var d = new org.apache.flink.api.common.state.ValueStateDescriptor<>("seen", Boolean.class);
            d.enableTimeToLive(org.apache.flink.api.common.state.StateTtlConfig.newBuilder(Duration.ofMinutes(10))
                    .setUpdateType(org.apache.flink.api.common.state.StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(org.apache.flink.api.common.state.StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
            seen = getRuntimeContext().getState(d);
        }

        @Override
        public void processElement(Interaction event, Context ctx, org.apache.flink.util.Collector<Interaction> out)
                throws Exception {
            seen.update(Boolean.TRUE);
        }
    }
}
