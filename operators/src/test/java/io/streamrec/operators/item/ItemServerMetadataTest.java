package io.streamrec.operators.item;

import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemMetadata;
import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.ItemUpdate;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.streamrec.operators.item.ItemServerTest.items;
import static io.streamrec.operators.item.ItemServerTest.values;
import static org.assertj.core.api.Assertions.assertThat;

/** The ItemServer's item metadata on RocksDB: newest ts wins, changes broadcast, stats say unavailable, resent after a restore. */
class ItemServerMetadataTest {

    private static final ModelConfig MODEL = ModelConfig.builder().dimension(3).seed(5).maxNorm(10f).build();

    private static KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> harness(ModelConfig model) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new ItemServer(model), (ItemDelta d) -> d.item, Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static StreamRecord<ItemDelta> meta(String item, boolean available, long ts, String... categories) {
        return new StreamRecord<>(ItemDelta.metadata(new ItemMetadata(item, categories, available, ts)));
    }

    private static StreamRecord<ItemDelta> delta(String item) {
        ItemDelta d = new ItemDelta(item, 3);
        d.dq[0] = 0.1f;
        d.interactions = 1;
        d.popularityLog = 0;
        d.maxTs = 1000;
        return new StreamRecord<>(d);
    }

    private static List<ItemUpdate> metadataUpdates(KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> h) {
        return items(h.extractOutputValues()).stream().filter(u -> u.metadata).toList();
    }

    @Test
    void theNewestRecordWinsAndOnlyChangesAreBroadcast() throws Exception {
        try (var h = harness(MODEL)) {
            h.open();
            h.processElement(meta("i1", true, 100, "shoes"));
            h.processElement(meta("i1", false, 50, "hats"));      // older: ignored
            h.processElement(meta("i1", true, 100, "hats"));      // same ts: ignored
            h.processElement(meta("i1", true, 200, "shoes"));     // newer, same facts: kept, not broadcast
            h.processElement(meta("i1", false, 300, "shoes", "kids"));
            h.processElement(meta("i2", true, 10));               // default facts of a new item: nothing to say
            List<ItemUpdate> out = metadataUpdates(h);
            assertThat(out).extracting(u -> u.item).containsExactly("i1", "i1");
            assertThat(out.get(0).categories).containsExactly("shoes");
            assertThat(out.get(0).unavailable).isFalse();
            assertThat(out.get(1).categories).containsExactly("shoes", "kids");
            assertThat(out.get(1).unavailable).isTrue();
            assertThat(out).allMatch(u -> u.q == null && !u.removed && !u.isMarker());
        }
    }

    @Test
    void metadataBeforeTheItemAppliesWhenItArrivesAndAvailabilityTogglesItsStats() throws Exception {
        try (var h = harness(MODEL)) {
            h.open();
            h.processElement(meta("i1", false, 100));
            h.processElement(delta("i1"));  // the item joins the model unavailable
            List<ItemStats> stats = values(h.getSideOutput(ItemServer.ITEM_STATS));
            assertThat(stats).singleElement().satisfies(s -> assertThat(s.unavailable).isTrue());
            h.getSideOutput(ItemServer.ITEM_STATS).clear();

            h.processElement(meta("i1", true, 200)); // available again: stats re-emitted for the popular list
            h.processElement(delta("i1"));
            stats = values(h.getSideOutput(ItemServer.ITEM_STATS));
            assertThat(stats).hasSize(2).allSatisfy(s -> assertThat(s.unavailable).isFalse());
            assertThat(stats.get(0).interactions).isEqualTo(1);
            assertThat(stats.get(1).interactions).isEqualTo(2);
        }
    }

    @Test
    void afterARestoreTheMetadataIsResentBeforeTheMarkerAndStaleRecordsStayIgnored() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(MODEL)) {
            h.open();
            h.processElement(meta("i1", false, 100, "shoes"));
            h.processElement(meta("i9", true, 100, "kids"));   // not in the model
            h.processElement(meta("i3", true, 100));           // default: not resent
            h.processElement(delta("i1"));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(MODEL)) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(1);
            List<ItemUpdate> out = h.extractOutputValues();
            // another JobID, no run id: a new run, whose takeover request follows the resend's marker
            assertThat(out.remove(out.size() - 1).isRepublish()).isTrue();
            assertThat(out.get(out.size() - 1).isMarker()).isTrue();
            assertThat(out).filteredOn(u -> u.metadata).extracting(u -> u.item + ":" + u.unavailable + ":" + String.join("|", u.categories))
                    .containsExactlyInAnyOrder("i1:true:shoes", "i9:false:kids");
            h.getOutput().clear();
            h.processElement(meta("i1", true, 90)); // older than the restored record
            assertThat(metadataUpdates(h)).isEmpty();
        }
    }

    @Test
    void metadataIsBoundedByTheShareOfMaxItems() throws Exception {
        ModelConfig capped = ModelConfig.builder().dimension(3).seed(5).maxNorm(10f).maxItems(2).build();
        try (var h = harness(capped)) {
            h.open();
            h.processElement(meta("a", false, 1));
            h.processElement(meta("b", false, 1));
            h.processElement(meta("c", false, 1)); // past the share: refused
            h.processElement(meta("a", true, 2));  // a known item still changes
            assertThat(metadataUpdates(h)).extracting(u -> u.item + ":" + u.unavailable)
                    .containsExactly("a:true", "b:true", "a:false");
        }
    }
}
