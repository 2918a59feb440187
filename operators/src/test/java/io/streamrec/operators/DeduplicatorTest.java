package io.streamrec.operators;

import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.Interaction;

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
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new Deduplicator(Duration.ofMinutes(10))), Interaction::dedupKey, Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
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
    void forgetsAnIdAfterTheWindow() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(event("e1", "u1", 1), 1);
            h.setStateTtlProcessingTime(Duration.ofMinutes(11).toMillis());
            h.processElement(event("e1", "u1", 1), 2);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }
}
