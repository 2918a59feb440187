package io.streamrec.operators.user;

import io.streamrec.operators.evaluation.OnlineEvaluation;
import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.OnlineHit;
import io.streamrec.operators.records.UserList;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The UserWorker in Flink's operator test harness: learning, refresh pacing, lists, restores.
 * Long because each case drives the real operator through a whole sequence (events, item
 * broadcasts, timers, snapshots) and checks its outputs; the cases share only small helpers.
 */
class UserWorkerTest {

    private static final int DIM = 4;

    private static KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> harness(ModelConfig model)
            throws Exception {
        UserWorker worker = new UserWorker(config(model).build());
        KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(worker, e -> e.user, u -> "", Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static UserWorkerConfig.Builder config(ModelConfig model) {
        return UserWorkerConfig.builder(model).topN(3).refreshInterval(Duration.ofMillis(1000)).batchSize(16).maxSeen(100);
    }

    private static ModelConfig model() {
        return ModelConfig.builder().dimension(DIM).negatives(2).seed(7).build();
    }

    private static Interaction event(String user, String item, EventType type, long ts) {
        Interaction e = new Interaction();
        e.id = user + "-" + item + "-" + ts;
        e.user = user;
        e.item = item;
        e.type = type;
        e.value = Double.NaN;
        e.ts = ts;
        return e;
    }

    @Test
    void pushesOneAggregatedDeltaPerItemOnlyBeforeTheBarrier() throws Exception {
        try (var h = harness(model())) {
            h.open();
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            h.processElement1(new StreamRecord<>(event("u1", "b", EventType.PURCHASE, 2)));
            h.processElement1(new StreamRecord<>(event("u2", "a", EventType.VIEW, 3)));
            h.processElement1(new StreamRecord<>(event("u2", "c", EventType.DISLIKE, 4)));
            assertThat(h.getSideOutput(UserWorker.ITEM_DELTAS)).isNull();

            h.prepareSnapshotPreBarrier(1);
            List<ItemDelta> deltas = values(h.getSideOutput(UserWorker.ITEM_DELTAS));
            Map<String, Long> counts = deltas.stream().collect(Collectors.toMap(d -> d.item, d -> d.interactions));
            assertThat(counts).containsEntry("a", 2L).containsEntry("b", 1L).containsEntry("c", 1L);
            assertThat(deltas).extracting(d -> d.item).doesNotHaveDuplicates();
            for (ItemDelta d : deltas) {
                assertThat(FactorMath.isSane(d.dq, 50f)).isTrue();
                assertThat(d.dq).hasSize(DIM);
            }
            // positives carry popularity; the dislike does not
            ItemDelta c = deltas.stream().filter(d -> d.item.equals("c")).findFirst().orElseThrow();
            assertThat(c.popularityLog).isEqualTo(Double.NEGATIVE_INFINITY);
            ItemDelta a = deltas.stream().filter(d -> d.item.equals("a")).findFirst().orElseThrow();
            assertThat(a.popularityLog).isGreaterThan(Double.NEGATIVE_INFINITY);

            // nothing pending after the barrier
            h.prepareSnapshotPreBarrier(2);
            assertThat(h.getSideOutput(UserWorker.ITEM_DELTAS)).hasSize(deltas.size());
        }
    }

    @Test
    void refreshesEachUserOnceAfterTheIntervalWithoutSeenItems() throws Exception {
        try (var h = harness(model())) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            h.processElement1(new StreamRecord<>(event("u1", "b", EventType.CLICK, 2)));
            h.processElement1(new StreamRecord<>(event("u1", "c", EventType.CLICK, 3)));
            h.processElement1(new StreamRecord<>(event("u2", "d", EventType.CLICK, 4)));
            assertThat(h.extractOutputValues()).isEmpty();

            h.setProcessingTime(1000); // the aligned refresh timers fire
            h.setProcessingTime(1001); // the batch flush runs
            List<UserList> lists = h.extractOutputValues();
            assertThat(lists).extracting(l -> l.user).containsExactlyInAnyOrder("u1", "u2");
            UserList u1 = lists.stream().filter(l -> l.user.equals("u1")).findFirst().orElseThrow();
            assertThat(u1.version).isEqualTo(1);
            assertThat(u1.interactions).isEqualTo(3);
            assertThat(u1.items).hasSize(3).doesNotContain("a", "b", "c");
            assertThat(u1.scores).isSortedAccordingTo(Comparator.reverseOrder());

            // a new interaction: one more refresh, version 2
            h.processElement1(new StreamRecord<>(event("u1", "d", EventType.CLICK, 5)));
            h.setProcessingTime(2000);
            h.setProcessingTime(2001);
            List<UserList> again = h.extractOutputValues();
            assertThat(again).hasSize(3);
            UserList latest = again.get(2);
            assertThat(latest.user).isEqualTo("u1");
            assertThat(latest.version).isEqualTo(2);
            assertThat(latest.items).doesNotContain("a", "b", "c", "d");
        }
    }

    @Test
    void defersRefreshesWhileScoringIsOverItsShareAndCoalescesThem() throws Exception {
        // a budget no real scoring stays under: after the first batch every due refresh waits (similar
        // lists are off: they count as scoring too, and the items' first lists would go first)
        UserWorker worker = new UserWorker(config(model()).maxScoringShare(1e-9).maxRefreshStretch(5).similarN(0).build());
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList>(
                worker, e -> e.user, u -> "", Types.STRING)) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            assertThat(h.extractOutputValues()).extracting(l -> l.version).containsExactly(1L);

            // learning goes on while the refresh waits
            h.processElement1(new StreamRecord<>(event("u1", "b", EventType.CLICK, 2)));
            h.setProcessingTime(2000);
            h.setProcessingTime(2001);
            h.processElement1(new StreamRecord<>(event("u1", "c", EventType.CLICK, 3)));
            h.setProcessingTime(7000);
            assertThat(h.extractOutputValues()).as("deferred, not scored").hasSize(1);

            // once the measured share has decayed (window 10 s), one list carries both interactions
            h.setProcessingTime(400_000);
            h.setProcessingTime(400_001);
            List<UserList> lists = h.extractOutputValues();
            assertThat(lists).hasSize(2);
            UserList latest = lists.get(1);
            assertThat(latest.version).isEqualTo(2);
            assertThat(latest.interactions).isEqualTo(3);
            assertThat(latest.items).doesNotContain("a", "b", "c");
        }
    }

    @Test
    void forgettingAUserDropsTheirStateAndWaitingRefreshAndDeletesTheirListAfterEveryEarlierOne() throws Exception {
        try (var h = harness(model())) {
            twoUsersWithFirstLists(h);
            assertThat(h.extractOutputValues()).extracting(l -> l.user, l -> l.version)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("u1", 1L), org.assertj.core.groups.Tuple.tuple("u2", 1L));

            // u1 interacts again; before the refresh is scored, u1 is forgotten
            h.processElement1(new StreamRecord<>(event("u1", "b", EventType.CLICK, 3)));
            h.processElement1(new StreamRecord<>(event("u1", "", EventType.FORGET, 4)));
            h.setProcessingTime(2000);
            h.setProcessingTime(2001);
            List<UserList> out = h.extractOutputValues();
            assertThat(out).hasSize(3);
            UserList deletion = out.get(2);
            assertThat(deletion.user).isEqualTo("u1");
            assertThat(deletion.forgotten).isTrue();
            assertThat(deletion.version).as("after the list of version 1").isEqualTo(2);
            assertThat(deletion.items).isEmpty();

            // u1 comes back as a new user: one interaction, seen items only the new one, version 1
            h.processElement1(new StreamRecord<>(event("u1", "c", EventType.CLICK, 5)));
            h.setProcessingTime(3000);
            h.setProcessingTime(3001);
            out = h.extractOutputValues();
            UserList fresh = out.get(out.size() - 1);
            assertThat(fresh.user).isEqualTo("u1");
            assertThat(fresh.forgotten).isFalse();
            assertThat(fresh.version).isEqualTo(1);
            assertThat(fresh.interactions).isEqualTo(1);
            assertThat(fresh.items).doesNotContain("c").contains("a");

            // forgetting a user the job does not know still deletes whatever an earlier run left in Redis
            h.processElement1(new StreamRecord<>(event("u9", "", EventType.FORGET, 6)));
            out = h.extractOutputValues();
            assertThat(out.get(out.size() - 1)).satisfies(l -> {
                assertThat(l.user).isEqualTo("u9");
                assertThat(l.forgotten).isTrue();
                assertThat(l.version).isEqualTo(1);
            });
        }
    }

    /** The ItemServers decide whether a restore takes over (recs.refresh-on-restore) and ask through the republish path. */
    @Test
    void afterARestoreEveryUserGetsANewListWithoutInteractingWhenTheItemServersAskForIt() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(model())) {
            twoUsersWithFirstLists(h);
            assertThat(h.extractOutputValues()).hasSize(2);
            snapshot = h.snapshot(1, 1001);
        }
        for (boolean takeover : new boolean[] {false, true}) {
            try (var h = new KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList>(
                    new UserWorker(config(model()).build()), e -> e.user, u -> "", Types.STRING)) {
                h.setStateBackend(new EmbeddedRocksDBStateBackend());
                h.setup();
                h.initializeState(snapshot);
                h.open();
                h.setProcessingTime(5000);
                resync(h);
                if (takeover) { // every ItemServer subtask sends it
                    h.processElement2(new StreamRecord<>(ItemUpdate.republish("restore:run-b@1")));
                    h.processElement2(new StreamRecord<>(ItemUpdate.republish("restore:run-b@1")));
                }
                h.setProcessingTime(7000);
                h.setProcessingTime(7001);
                List<UserList> lists = h.extractOutputValues();
                if (takeover) {
                    assertThat(lists).extracting(l -> l.user).containsExactlyInAnyOrder("u1", "u2");
                    assertThat(lists).allSatisfy(l -> {
                        assertThat(l.version).isEqualTo(2);
                        assertThat(l.interactions).isEqualTo(1);
                    });
                } else {
                    assertThat(lists).as("a failover within the run refreshes only active users").isEmpty();
                }
            }
        }
    }

    @Test
    void aRepublishRequestGoesOutWithTheBarrierAndTheReturningRequestRewritesEveryListOnce() throws Exception {
        // max parallelism 128 (Flink's default for a job), one subtask: one marker per key group
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList>(
                new UserWorker(config(model()).build()), e -> e.user, u -> "", Types.STRING, 128, 1, 0)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            twoUsersWithFirstLists(h);
            Map<String, List<String>> first = h.extractOutputValues().stream()
                    .collect(Collectors.toMap(l -> l.user, l -> List.of(l.items)));
            assertThat(first).containsOnlyKeys("u1", "u2");
            h.prepareSnapshotPreBarrier(1);
            h.getSideOutput(UserWorker.ITEM_DELTAS).clear();
            h.getOutput().clear();

            Interaction request = event("", "", EventType.REPUBLISH, 3);
            request.id = "r1";
            h.processElement1(new StreamRecord<>(request));
            h.setProcessingTime(3000);
            assertThat(h.extractOutputValues()).as("the request itself refreshes nothing").isEmpty();
            h.prepareSnapshotPreBarrier(2);
            List<ItemDelta> markers = values(h.getSideOutput(UserWorker.ITEM_DELTAS));
            assertThat(markers).hasSize(128).allSatisfy(d -> {
                assertThat(d.republish).isEqualTo("r1");
                assertThat(d.checkpointId).isEqualTo(2);
                assertThat(d.interactions).isZero();
                assertThat(d.dq).containsOnly(0f);
            });
            assertThat(markers).extracting(d -> d.item).doesNotHaveDuplicates();

            // every ItemServer subtask forwards the request; the second copy changes nothing
            h.processElement2(new StreamRecord<>(ItemUpdate.republish("r1")));
            h.processElement2(new StreamRecord<>(ItemUpdate.republish("r1")));
            h.setProcessingTime(4000);
            h.setProcessingTime(4001);
            List<UserList> again = h.extractOutputValues();
            assertThat(again).extracting(l -> l.user).containsExactlyInAnyOrder("u1", "u2");
            for (UserList l : again) {
                assertThat(l.version).isEqualTo(2);
                assertThat(l.interactions).isEqualTo(1);
                assertThat(List.of(l.items)).isEqualTo(first.get(l.user));
            }
            h.setProcessingTime(9000);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> ttlHarness()
            throws Exception {
        // TTL 10 s: expiry timers are rounded up to 100 ms
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList>(
                new UserWorker(config(model()).userTtl(Duration.ofSeconds(10)).build()), e -> e.user, u -> "", Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    @Test
    void anIdleUserExpiresInEventTimeAndTheirListIsDeletedAfterEveryEarlierOne() throws Exception {
        try (var h = ttlHarness()) {
            twoUsersWithFirstLists(h); // u1 clicked at ts 1 (expires at 10,100), u2 at ts 2
            h.processElement1(new StreamRecord<>(event("u2", "c", EventType.CLICK, 8_000))); // u2 now expires at 18,000
            h.setProcessingTime(2000);
            h.setProcessingTime(2001);
            assertThat(h.extractOutputValues()).extracting(l -> l.user + ":" + l.version + ":" + l.forgotten)
                    .containsExactly("u1:1:false", "u2:1:false", "u2:2:false");
            h.getOutput().clear();

            h.processWatermark1(new Watermark(10_099));
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark1(new Watermark(10_100));
            assertThat(h.extractOutputValues()).extracting(l -> l.user + ":" + l.version + ":" + l.forgotten)
                    .containsExactly("u1:2:true");
            assertThat(h.numEventTimeTimers()).as("u2's timer only: the moved one was deleted").isEqualTo(1);
            h.processWatermark1(new Watermark(17_999));
            assertThat(h.extractOutputValues()).hasSize(1);
            h.processWatermark1(new Watermark(18_000));
            assertThat(h.extractOutputValues()).extracting(l -> l.user + ":" + l.version + ":" + l.forgotten)
                    .containsExactly("u1:2:true", "u2:3:true");
            assertThat(h.numEventTimeTimers()).isZero();

            // u1 comes back as a new user
            h.processElement1(new StreamRecord<>(event("u1", "d", EventType.CLICK, 20_000)));
            h.setProcessingTime(3000);
            h.setProcessingTime(3001);
            UserList back = h.extractOutputValues().get(2);
            assertThat(back.user).isEqualTo("u1");
            assertThat(back.interactions).isEqualTo(1);
            assertThat(back.forgotten).isFalse();
        }
    }

    @Test
    void aRestoredUserDoesNotExpireWhileTheirNewerInteractionWaitsForTheResync() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = ttlHarness()) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1))); // expires at 10,100
            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            snapshot = h.snapshot(1, 1001);
        }
        try (var h = ttlHarness()) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(2000);
            // before the resync: u1's next interaction waits, and the watermark passes the old expiry
            h.processElement1(new StreamRecord<>(event("u1", "b", EventType.CLICK, 9_000)));
            h.processWatermark1(new Watermark(12_000));
            assertThat(h.getOutput()).as("neither a deletion nor the watermark before the resync").isEmpty();
            resync(h);
            h.setProcessingTime(4000);
            h.setProcessingTime(4001);
            assertThat(h.extractOutputValues()).extracting(l -> l.user + ":" + l.interactions + ":" + l.forgotten)
                    .containsExactly("u1:2:false");
            h.processWatermark1(new Watermark(19_000));
            assertThat(h.extractOutputValues()).extracting(l -> l.user + ":" + l.forgotten)
                    .containsExactly("u1:false", "u1:true");
        }
    }

    /** Opens the harness, resyncs the cache, and lets u1 (clicked a) and u2 (clicked b) get their first lists. */
    private static void twoUsersWithFirstLists(
            KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h) throws Exception {
        h.open();
        h.setProcessingTime(0);
        resync(h);
        h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
        h.processElement1(new StreamRecord<>(event("u2", "b", EventType.CLICK, 2)));
        h.setProcessingTime(1000);
        h.setProcessingTime(1001);
    }

    private static void resync(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h)
            throws Exception {
        h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
        for (String item : List.of("a", "b", "c", "d", "e", "f")) {
            h.processElement2(new StreamRecord<>(new ItemUpdate(item, FactorMath.initVector(item, DIM, 0.1f, 1), 0f, 0)));
        }
    }

    @Test
    void holdsRefreshesUntilEveryItemServerSubtaskHasResynced() throws Exception {
        try (var h = harness(model())) {
            h.open();
            h.setProcessingTime(0);
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 2)));
            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processElement2(new StreamRecord<>(ItemUpdate.marker(1, 2)));
            h.setProcessingTime(2000);
            h.setProcessingTime(2001);
            assertThat(h.extractOutputValues()).extracting(l -> l.user).containsExactly("u1");
        }
    }

    @Test
    void interactionsBeforeTheResyncWaitInStateAndAreLearnedAsInTheOrderedRun() throws Exception {
        List<String> items = List.of("a", "b", "c", "d", "e", "f");
        List<Interaction> events = List.of(event("u1", "a", EventType.CLICK, 1), event("u2", "b", EventType.LIKE, 2),
                event("u1", "c", EventType.PURCHASE, 3));
        Map<String, ItemDelta> ordered;
        try (var h = harness(model())) {
            h.open();
            feedAuthoritativeItems(h, items);
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            for (Interaction e : events) {
                h.processElement1(new StreamRecord<>(e));
            }
            h.prepareSnapshotPreBarrier(1);
            ordered = byItem(values(h.getSideOutput(UserWorker.ITEM_DELTAS)));
        }

        OperatorSubtaskState whileWaiting;
        try (var h = harness(model())) {
            h.open();
            for (Interaction e : events) {
                h.processElement1(new StreamRecord<>(e));
            }
            h.prepareSnapshotPreBarrier(1);
            assertThat(h.getSideOutput(UserWorker.ITEM_DELTAS)).as("nothing learned before the resync").isNull();
            whileWaiting = h.snapshot(1, 1);
        }
        try (var restored = harness(model())) {
            restored.initializeState(whileWaiting);
            restored.open();
            feedAuthoritativeItems(restored, items);
            restored.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            restored.prepareSnapshotPreBarrier(2);
            Map<String, ItemDelta> resynced = byItem(values(restored.getSideOutput(UserWorker.ITEM_DELTAS)));
            assertThat(resynced.keySet()).isEqualTo(ordered.keySet());
            resynced.forEach((item, d) -> {
                assertThat(d.dq).as(item).containsExactly(ordered.get(item).dq);
                assertThat(d.interactions).as(item).isEqualTo(ordered.get(item).interactions);
            });
        }
    }

    @Test
    void restoredFromARocksDbSnapshotItBehavesIdentically() throws Exception {
        // no sampling, so the run is fully determined by state and cache
        ModelConfig model = ModelConfig.builder().dimension(DIM).negatives(0).loss(ModelConfig.Loss.POINTWISE).seed(3).build();
        List<String> items = List.of("a", "b", "c", "d", "e");
        OperatorSubtaskState snapshot;
        List<ItemDelta> originalDeltas;
        List<UserList> originalLists;
        try (var h = harness(model)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            h.processElement1(new StreamRecord<>(event("u1", "b", EventType.CART, 2)));
            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1001);

            feedAuthoritativeItems(h, items);
            int before = h.extractOutputValues().size();
            int deltasBefore = h.getSideOutput(UserWorker.ITEM_DELTAS).size();
            continueRun(h);
            originalLists = h.extractOutputValues().subList(before, h.extractOutputValues().size());
            originalDeltas = values(h.getSideOutput(UserWorker.ITEM_DELTAS)).subList(deltasBefore,
                    h.getSideOutput(UserWorker.ITEM_DELTAS).size());
        }
        try (var restored = harness(model)) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(1001);
            restored.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            feedAuthoritativeItems(restored, items);
            continueRun(restored);
            List<UserList> lists = restored.extractOutputValues();
            List<ItemDelta> deltas = values(restored.getSideOutput(UserWorker.ITEM_DELTAS));

            assertThat(lists).hasSameSizeAs(originalLists).hasSize(1);
            assertThat(lists.get(0).version).isEqualTo(2).isEqualTo(originalLists.get(0).version);
            assertThat(lists.get(0).interactions).isEqualTo(3);
            assertThat(lists.get(0).items).containsExactly(originalLists.get(0).items);
            assertThat(lists.get(0).scores).containsExactly(originalLists.get(0).scores);
            assertThat(byItem(deltas)).hasSameSizeAs(byItem(originalDeltas));
            byItem(deltas).forEach((item, d) -> assertThat(d.dq).containsExactly(byItem(originalDeltas).get(item).dq));
        }
    }

    @Test
    void measuresEachInteractionAgainstTheListBeforeLearning() throws Exception {
        try (var h = harness(model())) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            // no list yet: nothing to measure against
            assertThat(h.getSideOutput(UserWorker.ONLINE_EVALUATION)).isNull();
            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            UserList list = h.extractOutputValues().get(0);

            h.processElement1(new StreamRecord<>(event("u1", list.items[1], EventType.CLICK, 2)));
            String outside = List.of("b", "c", "d", "e", "f").stream()
                    .filter(i -> !List.of(list.items).contains(i)).findFirst().orElseThrow();
            h.processElement1(new StreamRecord<>(event("u1", outside, EventType.CLICK, 3)));
            List<OnlineHit> hits = values(h.getSideOutput(UserWorker.ONLINE_EVALUATION));
            assertThat(hits).extracting(x -> x.rank).containsExactly(1, -1);
            assertThat(hits).extracting(x -> x.listSize).containsOnly(3);
        }
    }

    @Test
    void exactModeRanksTheItemInAFreshTopNBeforeLearning() throws Exception {
        UserWorker worker = new UserWorker(config(model()).evaluation(OnlineEvaluation.EXACT).build());
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<>(worker, (Interaction e) -> e.user, (ItemUpdate u) -> "",
                Types.STRING)) {
            h.open();
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            // one item far ahead of the others by bias: it must be rank 0 for a fresh user
            h.processElement2(new StreamRecord<>(new ItemUpdate("star", new float[DIM], 5f, 0)));
            for (String item : List.of("a", "b", "c", "d")) {
                h.processElement2(new StreamRecord<>(new ItemUpdate(item, new float[DIM], 0f, 0)));
            }
            h.processElement1(new StreamRecord<>(event("u9", "star", EventType.CLICK, 1)));
            h.processElement1(new StreamRecord<>(event("u9", "star", EventType.CLICK, 2)));
            List<OnlineHit> hits = values(h.getSideOutput(UserWorker.ONLINE_EVALUATION));
            // first time: top of the list; second time it is a seen item, excluded from the list
            assertThat(hits).extracting(x -> x.rank).containsExactly(0, -1);
        }
    }

    @Test
    void adaptiveSamplingPicksTheNegativeTheModelRanksHighest() throws Exception {
        ModelConfig model = ModelConfig.builder().dimension(DIM).negatives(1).negativePool(40).seed(7).build();
        try (var h = harness(model)) {
            h.open();
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            h.processElement2(new StreamRecord<>(new ItemUpdate("pos", new float[DIM], 0f, 0)));
            h.processElement2(new StreamRecord<>(new ItemUpdate("confusing", new float[DIM], 3f, 0)));
            for (String item : List.of("x", "y", "z")) {
                h.processElement2(new StreamRecord<>(new ItemUpdate(item, new float[DIM], 0f, 0)));
            }
            h.processElement1(new StreamRecord<>(event("u1", "pos", EventType.CLICK, 1)));
            h.prepareSnapshotPreBarrier(1);
            List<ItemDelta> deltas = values(h.getSideOutput(UserWorker.ITEM_DELTAS));
            assertThat(deltas).extracting(d -> d.item).containsExactlyInAnyOrder("pos", "confusing");
            ItemDelta negative = deltas.stream().filter(d -> d.item.equals("confusing")).findFirst().orElseThrow();
            assertThat(negative.db).isNegative();
            assertThat(negative.interactions).isZero();
        }
    }

    @Test
    void keepsItsPushedDeltasInTheCacheUntilTheItemServerConfirmsThem() throws Exception {
        // zero vectors: scores are item biases (+ the same user bias), so list order shows the cache
        ModelConfig model = ModelConfig.builder().dimension(DIM).initScale(0f).negatives(0)
                .loss(ModelConfig.Loss.POINTWISE).seed(1).build();
        try (var h = harness(model)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            h.processElement2(new StreamRecord<>(new ItemUpdate("a", new float[DIM], 0f, 0)));
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            h.prepareSnapshotPreBarrier(1);
            float delta = values(h.getSideOutput(UserWorker.ITEM_DELTAS)).get(0).db;
            assertThat(delta).isPositive();
            h.processElement2(new StreamRecord<>(new ItemUpdate("below", new float[DIM], 0.66f * delta, 0)));
            h.processElement2(new StreamRecord<>(new ItemUpdate("above", new float[DIM], 1.33f * delta, 0)));

            // a broadcast that does not contain the pushed delta yet must not erase it
            h.processElement2(new StreamRecord<>(new ItemUpdate("a", new float[DIM], 0f, 1)));
            h.processElement1(new StreamRecord<>(event("u2", "z", EventType.VIEW, 2)));
            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            assertThat(h.extractOutputValues().get(h.extractOutputValues().size() - 1).items)
                    .containsExactly("above", "a", "below");

            // the ItemServer confirms it: the authoritative value now contains it, counted once
            ItemUpdate confirmed = new ItemUpdate("a", new float[DIM], delta, 1);
            confirmed.appliedFrom = 0;
            confirmed.appliedCheckpoint = 1;
            h.processElement2(new StreamRecord<>(confirmed));
            h.processElement1(new StreamRecord<>(event("u3", "z", EventType.VIEW, 3)));
            h.setProcessingTime(2000);
            h.setProcessingTime(2001);
            assertThat(h.extractOutputValues().get(h.extractOutputValues().size() - 1).items)
                    .containsExactly("above", "a", "below");
        }
    }

    @Test
    void anItemsStepShrinksWithTheInteractionsTheItemServerReports() throws Exception {
        // the same click against the same vectors, once for a new item and once for one with 1,000 interactions
        ModelConfig model = ModelConfig.builder().dimension(DIM).negatives(1).negativePool(1).seed(3).build();
        float[] norms = new float[2];
        long[] interactions = {0, 1000};
        for (int run = 0; run < 2; run++) {
            try (var h = harness(model)) {
                h.open();
                h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
                h.processElement2(new StreamRecord<>(new ItemUpdate("a", FactorMath.initVector("a", DIM, 0.2f, 1), 0f,
                        interactions[run])));
                h.processElement2(new StreamRecord<>(new ItemUpdate("b", FactorMath.initVector("b", DIM, 0.2f, 1), 0f, 5)));
                h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
                h.prepareSnapshotPreBarrier(1);
                norms[run] = FactorMath.norm(byItem(values(h.getSideOutput(UserWorker.ITEM_DELTAS))).get("a").dq);
            }
        }
        float expectedRatio = FactorMath.stepSize(1f, 0, model.itemStepHalving())
                / FactorMath.stepSize(1f, 1000, model.itemStepHalving());
        assertThat(norms[1]).isPositive();
        assertThat(norms[0] / norms[1]).isCloseTo(expectedRatio, within(expectedRatio * 1e-3f));
    }

    private static void feedAuthoritativeItems(
            KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h, List<String> items)
            throws Exception {
        for (String item : items) {
            float[] q = FactorMath.initVector(item, DIM, 0.2f, 11);
            h.processElement2(new StreamRecord<>(new ItemUpdate(item, q, 0.01f * item.charAt(0), 1)));
        }
    }

    private static void continueRun(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h)
            throws Exception {
        h.processElement1(new StreamRecord<>(event("u1", "c", EventType.LIKE, 3)));
        h.setProcessingTime(2000);
        h.setProcessingTime(2001);
        h.prepareSnapshotPreBarrier(2);
    }

    private static Map<String, ItemDelta> byItem(List<ItemDelta> deltas) {
        Map<String, ItemDelta> m = new TreeMap<>();
        deltas.forEach(d -> m.put(d.item, d));
        return m;
    }

    private static <T> List<T> values(java.util.Collection<StreamRecord<T>> records) {
        List<T> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }
}
