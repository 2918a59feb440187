package io.streamrec.operators.item;

import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemDeltaSerde;
import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.user.RepublishRouting;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ItemServerTest {

    private static final ModelConfig MODEL = ModelConfig.builder().dimension(3).seed(5).maxNorm(10f).build();

    private static KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new ItemServer(MODEL), (ItemDelta d) -> d.item, Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static ItemDelta delta(String item, float dq0, long interactions) {
        ItemDelta d = new ItemDelta(item, 3);
        d.dq[0] = dq0;
        d.db = 0.5f;
        d.interactions = interactions;
        d.popularityLog = Math.log(interactions);
        d.maxTs = 100 * interactions;
        return d;
    }

    @Test
    void refusesNewItemsPastMaxItemsAndBroadcastsTheirRemovalAlsoAfterARestore() throws Exception {
        ModelConfig capped = ModelConfig.builder().dimension(3).seed(5).maxNorm(10f).maxItems(2).build();
        OperatorSubtaskState snapshot;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ItemServer(capped), (ItemDelta d) -> d.item,
                Types.STRING)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            h.processElement(new StreamRecord<>(delta("i1", 0.1f, 1)));
            h.processElement(new StreamRecord<>(delta("i2", 0.1f, 1)));
            h.processElement(new StreamRecord<>(delta("i3", 0.1f, 1)));
            h.processElement(new StreamRecord<>(delta("i1", 0.1f, 1))); // known items keep learning
            List<ItemUpdate> out = new ArrayList<>(h.extractOutputValues());
            assertThat(out).filteredOn(u -> u.removed).extracting(u -> u.item).containsExactly("i3");
            assertThat(out).filteredOn(u -> u.removed).allMatch(u -> !u.retired && u.q == null);
            assertThat(items(out)).filteredOn(u -> !u.removed).extracting(u -> u.item).containsExactly("i1", "i2", "i1");
            assertThat(values(h.getSideOutput(ItemServer.ITEM_STATS))).extracting(st -> st.item)
                    .containsExactly("i1", "i2", "i1");
            snapshot = h.snapshot(1, 1);
        }
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new ItemServer(capped), (ItemDelta d) -> d.item,
                Types.STRING)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(delta("i4", 0.1f, 1))); // the count came back from the state
            assertThat(h.extractOutputValues()).filteredOn(u -> u.removed).extracting(u -> u.item).containsExactly("i4");
        }
    }

    @Test
    void aRetiredItemIsRemovedEverywhereKeepsItsStateAndComesBackWhenUnretired() throws Exception {
        OperatorSubtaskState snapshot;
        ItemUpdate before;
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(delta("i1", 0.25f, 2)));
            before = items(h.extractOutputValues()).get(0);
            h.getOutput().clear();
            h.getSideOutput(ItemServer.ITEM_STATS).clear();

            h.processElement(new StreamRecord<>(ItemDelta.retirementMarker("i1", 3, true)));
            h.processElement(new StreamRecord<>(delta("i1", 0.25f, 1))); // sent before the sender knew: dropped
            List<ItemUpdate> out = items(h.extractOutputValues());
            assertThat(out).hasSize(1);
            assertThat(out.get(0).item).isEqualTo("i1");
            assertThat(out.get(0).removed).isTrue();
            assertThat(out.get(0).retired).isTrue();
            assertThat(values(h.getSideOutput(ItemServer.ITEM_STATS))).singleElement()
                    .satisfies(st -> assertThat(st.retired).isTrue());
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(1); // the resend after the restore
            List<ItemUpdate> resent = items(h.extractOutputValues());
            assertThat(resent).singleElement().satisfies(u -> assertThat(u.removed && u.retired).isTrue());
            h.getOutput().clear();

            h.processElement(new StreamRecord<>(ItemDelta.retirementMarker("i1", 3, false)));
            ItemUpdate back = items(h.extractOutputValues()).get(0);
            assertThat(back.removed).isFalse();
            assertThat(back.q).containsExactly(before.q); // the vector it had, the dropped delta not in it
            assertThat(back.interactions).isEqualTo(2);
        }
    }

    @Test
    void appliesDeltasOnTopOfTheSeededInitialVector() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(delta("i1", 0.25f, 2)));
            h.processElement(new StreamRecord<>(delta("i1", 0.25f, 3)));
            List<ItemUpdate> updates = items(h.extractOutputValues());
            assertThat(updates).hasSize(2);
            ItemUpdate last = updates.get(1);
            float[] init = FactorMath.initVector("i1", 3, MODEL.initScale(), MODEL.seed());
            assertThat(last.q[0]).isCloseTo(init[0] + 0.5f, within(1e-6f));
            assertThat(last.q[1]).isEqualTo(init[1]);
            assertThat(last.b).isEqualTo(1.0f);
            assertThat(last.interactions).isEqualTo(5);

            List<ItemStats> stats = values(h.getSideOutput(ItemServer.ITEM_STATS));
            assertThat(stats).extracting(s -> s.interactions).containsExactly(2L, 5L);
            assertThat(stats.get(1).popularityLog).isCloseTo(Math.log(5), within(1e-9));
            assertThat(stats.get(1).lastTs).isEqualTo(300);
        }
    }

    @Test
    void aRepublishRequestReEmitsEveryItemsStatsOnceAndAsksTheUserWorkersForTheirLists() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 5; i++) {
                h.processElement(new StreamRecord<>(delta("item-" + i, 0.1f, 1 + i)));
            }
            Map<String, ItemStats> latest = values(h.getSideOutput(ItemServer.ITEM_STATS)).stream()
                    .collect(Collectors.toMap(st -> st.item, st -> st, (a, b) -> b));
            h.getSideOutput(ItemServer.ITEM_STATS).clear();
            h.getOutput().clear();

            // the sender routes one marker per key group; the harness subtask owns all 128
            List<ItemDelta> markers = RepublishRouting.markers("r1", 3, 128, null, 0, 0);
            assertThat(markers).hasSize(128);
            for (ItemDelta marker : markers) {
                h.processElement(new StreamRecord<>(ItemDeltaSerde.deserialize(ItemDeltaSerde.serialize(marker))));
            }
            List<ItemStats> again = values(h.getSideOutput(ItemServer.ITEM_STATS));
            assertThat(again).hasSize(5).allMatch(st -> st.republished);
            for (ItemStats st : again) {
                ItemStats before = latest.get(st.item);
                assertThat(st.interactions).isEqualTo(before.interactions);
                assertThat(st.popularityLog).isEqualTo(before.popularityLog);
                assertThat(st.bias).isEqualTo(before.bias);
                assertThat(st.lastTs).isEqualTo(before.lastTs);
            }
            List<ItemUpdate> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).isRepublish()).isTrue();
            assertThat(out.get(0).republish).isEqualTo("r1");
            assertThat(out.get(0).isMarker()).isFalse();

            // a marker changes no item; a new request acts again
            h.processElement(new StreamRecord<>(RepublishRouting.markers("r2", 3, 128, null, 0, 0).get(7)));
            assertThat(values(h.getSideOutput(ItemServer.ITEM_STATS))).hasSize(10);
            assertThat(h.extractOutputValues()).extracting(u -> u.republish).containsExactly("r1", "r2");
        }
    }

    @Test
    void republishMarkersCoverEveryKeyGroupOnce() {
        for (int maxParallelism : new int[] {1, 2, 128, 4096}) {
            List<String> keys = RepublishRouting.keysCoveringKeyGroups(maxParallelism);
            assertThat(keys).hasSize(maxParallelism).doesNotHaveDuplicates();
            for (int g = 0; g < maxParallelism; g++) {
                assertThat(org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignToKeyGroup(keys.get(g), maxParallelism))
                        .isEqualTo(g);
            }
        }
    }

    @Test
    void refusesNonFiniteOrExplodingDeltasButKeepsTheCounts() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(delta("i1", 0.1f, 1)));
            h.processElement(new StreamRecord<>(delta("i1", Float.NaN, 1)));
            h.processElement(new StreamRecord<>(delta("i1", 1e6f, 1)));
            List<ItemUpdate> updates = items(h.extractOutputValues());
            ItemUpdate first = updates.get(0), last = updates.get(2);
            assertThat(last.q).containsExactly(first.q);
            assertThat(FactorMath.isSane(last.q, 10f)).isTrue();
            assertThat(last.interactions).isEqualTo(3);
        }
    }

    @Test
    void afterARestoreItResendsEveryItemAndThenItsMarker() throws Exception {
        OperatorSubtaskState snapshot;
        Map<String, float[]> before;
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 50; i++) {
                h.processElement(new StreamRecord<>(delta("item-" + i, i / 100f, 1 + i % 3)));
            }
            before = items(h.extractOutputValues()).stream()
                    .collect(Collectors.toMap(u -> u.item, u -> u.q, (a, b) -> b));
            snapshot = h.snapshot(1, 10);
        }
        try (var restored = harness()) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(1); // lets the resend callback run
            List<ItemUpdate> out = new ArrayList<>();
            restored.extractOutputValues().forEach(out::add);
            assertThat(out).isNotEmpty();
            // another JobID and no run id: a new run, whose takeover request follows the marker
            assertThat(out.remove(out.size() - 1).isRepublish()).isTrue();
            ItemUpdate marker = out.get(out.size() - 1);
            assertThat(marker.isMarker()).isTrue();
            assertThat(marker.markerTotal).isEqualTo(1);
            List<ItemUpdate> resent = out.subList(0, out.size() - 1);
            assertThat(resent).hasSize(50);
            for (ItemUpdate u : resent) {
                assertThat(u.q).containsExactly(before.get(u.item));
            }
        }
    }

    @Test
    void afterASavepointRestoreItRefusesWhatTheOldRunCommittedLater() throws Exception {
        OperatorSubtaskState savepoint;
        String oldJob;
        try (var h = harness()) {
            h.open();
            oldJob = h.getEnvironment().getJobID().toHexString();
            h.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 1), oldJob, 5)));
            savepoint = h.snapshot(5, 10);
        }
        try (var restored = harness()) {
            restored.setup();
            restored.setRestoredCheckpointId(5);
            restored.initializeState(savepoint);
            restored.open();
            String newJob = restored.getEnvironment().getJobID().toHexString();
            assertThat(newJob).isNotEqualTo(oldJob);
            // pending at the savepoint: applied; committed by the old run afterwards: refused
            restored.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 2), oldJob, 5)));
            restored.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 4), oldJob, 6)));
            // this run's own gradients, and untagged ones: applied; an unknown run's: refused
            restored.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 8), newJob, 7)));
            restored.processElement(new StreamRecord<>(delta("i1", 0.1f, 16)));
            restored.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 32), "f00d", 1)));
            List<ItemStats> stats = values(restored.getSideOutput(ItemServer.ITEM_STATS));
            assertThat(stats).extracting(x -> x.interactions).containsExactly(3L, 11L, 27L);
        }
    }

    /**
     * Flink does not promise a new JobID per run (application mode with HA fixes it,
     * {@code $internal.pipeline.job-id} pins it): the fencing must tell runs apart by their run id.
     */
    @Test
    void fencesTheAbandonedRunAlsoWhenBothRunsHaveTheSameJobId() throws Exception {
        JobID pinned = new JobID();
        OperatorSubtaskState savepoint;
        try (var h = harness(pinned, "run-a")) {
            h.open();
            assertThat(h.getEnvironment().getJobID()).isEqualTo(pinned);
            h.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 1), "run-a", 5)));
            savepoint = h.snapshot(5, 10);
        }
        OperatorSubtaskState checkpointOfRunB;
        try (var restored = harness(pinned, "run-b")) {
            restored.setup();
            restored.setRestoredCheckpointId(5);
            restored.initializeState(savepoint);
            restored.open();
            assertThat(restored.getEnvironment().getJobID()).isEqualTo(pinned);
            // run a, pending at the savepoint: applied; committed by run a afterwards: refused
            restored.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 2), "run-a", 5)));
            restored.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 4), "run-a", 6)));
            // run b's own: applied; stamped with the shared JobID (not a run id): refused
            restored.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 8), "run-b", 6)));
            restored.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 16), pinned.toHexString(), 6)));
            assertThat(values(restored.getSideOutput(ItemServer.ITEM_STATS)))
                    .extracting(x -> x.interactions).containsExactly(3L, 11L);
            checkpointOfRunB = restored.snapshot(6, 20);
        }
        // a failover within run b (same JobID, same run id): its own later gradients still count,
        // run a stays fenced at the savepoint
        try (var failedOver = harness(pinned, "run-b")) {
            failedOver.setup();
            failedOver.setRestoredCheckpointId(6);
            failedOver.initializeState(checkpointOfRunB);
            failedOver.open();
            failedOver.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 32), "run-b", 7)));
            failedOver.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 64), "run-a", 6)));
            failedOver.processElement(new StreamRecord<>(tagged(delta("i1", 0.1f, 128), "run-a", 5)));
            assertThat(values(failedOver.getSideOutput(ItemServer.ITEM_STATS)))
                    .extracting(x -> x.interactions).containsExactly(43L, 171L);
        }
    }

    /**
     * A restore by another run than the snapshot's (a repair or rollback into the live prefix, also
     * with the same JobID) re-emits every item's stats and asks the UserWorkers for every list, once
     * its resend is out; a failover within the run does not (recs.refresh-on-restore NEW_RUN).
     */
    @Test
    void aNewRunTakesOverEverythingAtItsRestoreAndAFailoverWithinTheRunDoesNot() throws Exception {
        JobID pinned = new JobID();
        OperatorSubtaskState savepoint;
        try (var h = harness(pinned, "run-a")) {
            h.open();
            for (int i = 0; i < 3; i++) {
                h.processElement(new StreamRecord<>(tagged(delta("item-" + i, 0.1f, 1 + i), "run-a", 5)));
            }
            savepoint = h.snapshot(5, 10);
        }
        OperatorSubtaskState checkpointOfRunB;
        try (var runB = harness(pinned, "run-b")) {
            restore(runB, savepoint, 5);
            List<ItemUpdate> out = runB.extractOutputValues();
            assertThat(items(out)).hasSize(3);
            assertThat(out.get(3).isMarker()).as("the resend first").isTrue();
            assertThat(out.get(4).isRepublish()).isTrue();
            assertThat(out.get(4).republish).isEqualTo("restore:run-b@5");
            assertThat(out).hasSize(5);
            List<ItemStats> stats = values(runB.getSideOutput(ItemServer.ITEM_STATS));
            assertThat(stats).allMatch(st -> st.republished)
                    .extracting(st -> st.item + "=" + st.interactions)
                    .containsExactlyInAnyOrder("item-0=1", "item-1=2", "item-2=3");
            runB.processElement(new StreamRecord<>(tagged(delta("item-0", 0.1f, 4), "run-b", 6)));
            checkpointOfRunB = runB.snapshot(6, 20);
        }
        try (var failedOver = harness(pinned, "run-b")) {
            restore(failedOver, checkpointOfRunB, 6);
            List<ItemUpdate> out = failedOver.extractOutputValues();
            assertThat(out).noneMatch(ItemUpdate::isRepublish);
            assertThat(items(out)).hasSize(3);
            assertThat(failedOver.getSideOutput(ItemServer.ITEM_STATS)).isNullOrEmpty();
        }
        // the policy: ALWAYS also on a failover, NEVER not even for a new run
        try (var always = harness(pinned, "run-b", RefreshOnRestore.ALWAYS)) {
            restore(always, checkpointOfRunB, 6);
            assertThat(always.extractOutputValues()).filteredOn(ItemUpdate::isRepublish)
                    .extracting(u -> u.republish).containsExactly("restore:run-b@6");
            assertThat(values(always.getSideOutput(ItemServer.ITEM_STATS))).hasSize(3);
        }
        try (var never = harness(pinned, "run-c", RefreshOnRestore.NEVER)) {
            restore(never, checkpointOfRunB, 6);
            assertThat(never.extractOutputValues()).noneMatch(ItemUpdate::isRepublish);
            assertThat(never.getSideOutput(ItemServer.ITEM_STATS)).isNullOrEmpty();
        }
    }

    private static void restore(KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> h,
                                OperatorSubtaskState snapshot, long checkpointId) throws Exception {
        h.setup();
        h.setRestoredCheckpointId(checkpointId);
        h.initializeState(snapshot);
        h.open();
        h.setProcessingTime(1); // lets the resend callback run
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> harness(JobID job, String run)
            throws Exception {
        return harness(job, run, RefreshOnRestore.NEW_RUN);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> harness(
            JobID job, String run, RefreshOnRestore refreshOnRestore) throws Exception {
        MockEnvironment environment = new MockEnvironmentBuilder().setJobID(job).build();
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new ItemServer(MODEL, run, Duration.ZERO, refreshOnRestore), (ItemDelta d) -> d.item, Types.STRING, environment);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static ItemDelta tagged(ItemDelta d, String origin, long checkpointId) {
        d.origin = origin;
        d.checkpointId = checkpointId;
        return d;
    }

    static List<ItemUpdate> items(List<ItemUpdate> out) {
        return out.stream().filter(u -> !u.isMarker() && !u.isRepublish()).collect(Collectors.toList());
    }

    static <T> List<T> values(java.util.Collection<StreamRecord<T>> records) {
        List<T> out = new ArrayList<>();
        records.forEach(r -> out.add(r.getValue()));
        return out;
    }
}
