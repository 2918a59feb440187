package io.streamrec.operators.item;

import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.PopularList;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PopularityRankerTest {

    private static OneInputStreamOperatorTestHarness<ItemStats, PopularList> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new PopularityRanker(ModelConfig.defaults(), 3));
    }

    private static ItemStats stats(String item, double popularityLog) {
        return new ItemStats(item, 1, 0f, popularityLog, ModelConfig.POPULARITY_EPOCH_MS);
    }

    @Test
    void emitsTheTopItemsOncePerCheckpointWhenChanged() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 200; i++) {
                h.processElement(new StreamRecord<>(stats("i" + i, i % 50)));
            }
            h.processElement(new StreamRecord<>(stats("i7", 100)));
            h.prepareSnapshotPreBarrier(1);
            List<PopularList> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            // i7 jumped to the top; then the items with popularity 49 (i49, i99, i149, i199) by id
            assertThat(out.get(0).items).containsExactly("i7", "i149", "i199");
            assertThat(out.get(0).version).isEqualTo(1);
            assertThat(out.get(0).scores[0]).isGreaterThan(out.get(0).scores[1]);

            h.prepareSnapshotPreBarrier(2); // nothing changed: nothing emitted
            assertThat(h.extractOutputValues()).hasSize(1);

            // a republish request re-sends unchanged stats: the same list again, with the next version
            ItemStats again = stats("i3", 3);
            again.republished = true;
            h.processElement(new StreamRecord<>(again));
            h.prepareSnapshotPreBarrier(3);
            List<PopularList> all = h.extractOutputValues();
            assertThat(all).hasSize(2);
            assertThat(all.get(1).items).containsExactly("i7", "i149", "i199");
            assertThat(all.get(1).version).isEqualTo(2);
        }
    }

    @Test
    void keepsCandidatesAndVersionAcrossARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(stats("a", 3)));
            h.processElement(new StreamRecord<>(stats("b", 2)));
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(new StreamRecord<>(stats("c", 2.5)));
            restored.prepareSnapshotPreBarrier(2);
            PopularList list = restored.extractOutputValues().get(0);
            assertThat(list.items).containsExactly("a", "c", "b");
            assertThat(list.version).isEqualTo(2);
        }
    }
}
