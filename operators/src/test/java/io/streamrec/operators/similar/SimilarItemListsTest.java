package io.streamrec.operators.similar;

import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.SimilarList;
import io.streamrec.operators.records.UserList;
import io.streamrec.operators.user.UserWorker;
import io.streamrec.operators.user.UserWorkerConfig;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/**
 * The similar lists of a UserWorker on its test harness (RocksDB): item vectors in two clear groups,
 * so every item's neighbours are known, then vectors that move a little (no new list) and past the
 * threshold (a new list, next version), a retirement, a restore, and two subtasks sharing the items.
 */
class SimilarItemListsTest {

    private static final int DIM = 4;
    private static final long INTERVAL = 1000;

    /** Group a points along the first axis, group b along the third. */
    private static final Map<String, float[]> VECTORS = new LinkedHashMap<>();

    static {
        VECTORS.put("a1", new float[] {1f, 0.1f, 0f, 0f});
        VECTORS.put("a2", new float[] {1f, 0f, 0.1f, 0f});
        VECTORS.put("a3", new float[] {0.9f, 0.2f, 0.15f, 0f});
        VECTORS.put("b1", new float[] {0f, 0f, 1f, 0.1f});
        VECTORS.put("b2", new float[] {0f, 0.1f, 1f, 0f});
        VECTORS.put("b3", new float[] {0.1f, 0f, 0.9f, 0.2f});
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> harness(
            int parallelism, int subtask) throws Exception {
        ModelConfig model = ModelConfig.builder().dimension(DIM).seed(7).build();
        UserWorker worker = new UserWorker(UserWorkerConfig.builder(model).topN(3)
                .refreshInterval(Duration.ofMillis(INTERVAL)).similarN(2).similarThreshold(0.05).build());
        // the harness needs a key for the broadcast input too: one of this subtask's key groups
        String broadcastKey = ownKey(parallelism, subtask);
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList>(
                worker, e -> e.user, u -> broadcastKey, Types.STRING, 128, parallelism, subtask);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static String ownKey(int parallelism, int subtask) {
        for (int i = 0; ; i++) {
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator("k" + i, 128, parallelism) == subtask) {
                return "k" + i;
            }
        }
    }

    private static void send(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h,
                             String item, float[] q) throws Exception {
        h.processElement2(new StreamRecord<>(new ItemUpdate(item, q, 0f, 5)));
    }

    private static void resync(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h)
            throws Exception {
        h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
        for (Map.Entry<String, float[]> e : VECTORS.entrySet()) {
            send(h, e.getKey(), e.getValue());
        }
    }

    private static List<SimilarList> lists(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h) {
        List<SimilarList> out = new ArrayList<>();
        var records = h.getSideOutput(UserWorker.SIMILAR_ITEMS);
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
            records.clear();
        }
        return out;
    }

    private static SimilarList of(List<SimilarList> lists, String item) {
        return lists.stream().filter(l -> l.item.equals(item)).findFirst().orElseThrow();
    }

    /** The score of {@code b} for {@code a}: the dot product (the updates carry bias 0). */
    private static double score(float[] a, float[] b) {
        double dot = 0;
        for (int k = 0; k < a.length; k++) {
            dot += a[k] * b[k];
        }
        return dot;
    }

    /** The two items that score best for {@code item}, leaving out itself and {@code gone}. */
    private static String[] nearest(String item, String gone) {
        return VECTORS.keySet().stream().filter(i -> !i.equals(item) && !i.equals(gone))
                .sorted((x, y) -> Double.compare(score(VECTORS.get(item), VECTORS.get(y)), score(VECTORS.get(item), VECTORS.get(x))))
                .limit(2).toArray(String[]::new);
    }

    @Test
    void listsEachItemsOwnGroupWithItsScoreOnceTheIntervalHasPassed() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            assertThat(lists(h)).isEmpty(); // coalesced: due at the interval boundary

            h.setProcessingTime(INTERVAL);
            List<SimilarList> lists = lists(h);
            assertThat(lists).extracting(l -> l.item).containsExactlyInAnyOrderElementsOf(VECTORS.keySet());
            for (SimilarList l : lists) {
                String group = l.item.substring(0, 1);
                assertThat(l.items).hasSize(2).allMatch(i -> i.startsWith(group)).doesNotContain(l.item);
                assertThat(l.version).isEqualTo(1);
                for (int i = 0; i < l.items.length; i++) {
                    assertThat((double) l.scores[i]).isCloseTo(score(VECTORS.get(l.item), VECTORS.get(l.items[i])), within(1e-5));
                }
                assertThat(l.scores[0]).isGreaterThanOrEqualTo(l.scores[1]);
            }
            for (String item : VECTORS.keySet()) {
                assertThat(of(lists, item).items).containsExactly(nearest(item, null));
            }
        }
    }

    @Test
    void aVectorThatMovesLessThanTheThresholdKeepsItsListAndOneThatMovesMoreGetsANewOne() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            h.setProcessingTime(INTERVAL);
            lists(h);

            send(h, "a1", new float[] {1f, 0.11f, 0.005f, 0f}); // moved by 1.1% of its length since its list
            send(h, "a1", new float[] {1f, 0.12f, 0.01f, 0f}); // 2.2%: still under 5%
            h.setProcessingTime(3 * INTERVAL);
            assertThat(lists(h)).isEmpty();

            float[] turned = {0.05f, 0f, 1f, 0.05f}; // now in group b
            send(h, "a1", turned);
            send(h, "a1", new float[] {0.04f, 0f, 1f, 0.06f}); // a second move in the interval: one list
            h.setProcessingTime(4 * INTERVAL - 1);
            assertThat(lists(h)).isEmpty();
            h.setProcessingTime(4 * INTERVAL);
            List<SimilarList> lists = lists(h);
            assertThat(lists).hasSize(1);
            SimilarList a1 = lists.get(0);
            assertThat(a1.item).isEqualTo("a1");
            assertThat(a1.version).isEqualTo(2);
            assertThat(a1.items).hasSize(2).allMatch(i -> i.startsWith("b"));
            // the lists of a2 and a3 still name a1: their own vectors did not move
        }
    }

    @Test
    void aRetiredItemLosesItsListAndLeavesTheListsThatHeldIt() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            h.setProcessingTime(INTERVAL);
            List<SimilarList> before = lists(h);
            Set<String> holding = new HashSet<>();
            before.stream().filter(l -> List.of(l.items).contains("b2")).forEach(l -> holding.add(l.item));
            assertThat(holding).containsExactlyInAnyOrder("b1", "b3");

            h.processElement2(new StreamRecord<>(ItemUpdate.removed("b2", true)));
            List<SimilarList> deleted = lists(h);
            assertThat(deleted).hasSize(1);
            assertThat(deleted.get(0).item).isEqualTo("b2");
            assertThat(deleted.get(0).deleted).isTrue();
            assertThat(deleted.get(0).version).isEqualTo(2);

            h.setProcessingTime(2 * INTERVAL); // the pass over the owned lists: a refresh for each that holds b2
            assertThat(lists(h)).isEmpty();
            h.setProcessingTime(3 * INTERVAL);
            List<SimilarList> refreshed = lists(h);
            assertThat(refreshed).extracting(l -> l.item).containsExactlyInAnyOrder("b1", "b3");
            for (SimilarList l : refreshed) {
                assertThat(l.items).doesNotContain("b2");
                assertThat(l.version).isEqualTo(2);
            }
            assertThat(of(refreshed, "b1").items).containsExactly(nearest("b1", "b2"));
        }
    }

    /**
     * Moves the harness's processing time to {@code end} a millisecond at a time, as a task's clock
     * does. The harness fires a timer only when its time moves: a pass a task runs at once runs a
     * millisecond late here.
     */
    private static void runTo(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h, long end)
            throws Exception {
        for (long t = h.getProcessingTime() + 1; t <= end; t++) {
            h.setProcessingTime(t);
        }
    }

    private static void unavailable(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h,
                                    String item) throws Exception {
        h.processElement2(new StreamRecord<>(ItemUpdate.metadata(item, new String[0], false)));
    }

    /** The items whose lists among {@code lists} hold {@code item}. */
    private static Set<String> holding(List<SimilarList> lists, String item) {
        Set<String> out = new HashSet<>();
        lists.stream().filter(l -> List.of(l.items).contains(item)).forEach(l -> out.add(l.item));
        return out;
    }

    /** Opens the harness, resyncs its cache at time 0 and runs to the first lists; returns them by item. */
    private static Map<String, SimilarList> firstLists(
            KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h) throws Exception {
        h.open();
        h.setProcessingTime(0);
        resync(h);
        runTo(h, INTERVAL);
        Map<String, SimilarList> newest = new LinkedHashMap<>();
        lists(h).forEach(l -> newest.put(l.item, l));
        return newest;
    }

    @Test
    void anUnavailableItemLeavesEverySimilarListOneRefreshIntervalAfterTheChange() throws Exception {
        try (var h = harness(1, 0)) {
            Map<String, SimilarList> newest = firstLists(h);
            assertThat(holding(List.copyOf(newest.values()), "b2")).containsExactlyInAnyOrder("b1", "b3");

            runTo(h, 2 * INTERVAL);
            unavailable(h, "b2");
            runTo(h, 3 * INTERVAL - 1);
            assertThat(lists(h)).isEmpty(); // the lists holding b2 are due at the next boundary, not before
            runTo(h, 3 * INTERVAL);
            List<SimilarList> refreshed = lists(h);
            assertThat(refreshed).extracting(l -> l.item).containsExactlyInAnyOrder("b1", "b3");
            refreshed.forEach(l -> newest.put(l.item, l));
            assertThat(newest.values()).allSatisfy(l -> assertThat(l.items).doesNotContain("b2"));
            assertThat(newest.get("b2").deleted).isFalse(); // its own list stays: it lists other items
            assertThat(newest.get("b1").items).containsExactly(nearest("b1", "b2"));
            assertThat(newest.get("b1").version).isEqualTo(2);
        }
    }

    @Test
    void aSecondItemUnavailableRightAfterAPassLeavesTheListsWithinOneMoreInterval() throws Exception {
        try (var h = harness(1, 0)) {
            firstLists(h);

            runTo(h, 2 * INTERVAL);
            unavailable(h, "b2");
            runTo(h, 2 * INTERVAL + 1); // the pass for b2
            long second = h.getProcessingTime() + 1;
            runTo(h, second);
            unavailable(h, "a3"); // its pass waits one interval after b2's
            runTo(h, 3 * INTERVAL);
            assertThat(lists(h)).extracting(l -> l.item).containsExactlyInAnyOrder("b1", "b3");
            runTo(h, 4 * INTERVAL - 1);
            assertThat(lists(h)).isEmpty();
            runTo(h, 4 * INTERVAL);
            List<SimilarList> refreshed = lists(h);
            assertThat(refreshed).extracting(l -> l.item).containsExactlyInAnyOrder("a1", "a2");
            assertThat(refreshed).allSatisfy(l -> assertThat(l.items).doesNotContain("a3", "b2"));
            assertThat(h.getProcessingTime() - second).isLessThanOrEqualTo(2 * INTERVAL);
        }
    }

    @Test
    void expiredItemsShareOnePassAMinuteWithoutDelayingUnavailableOnes() throws Exception {
        try (var h = harness(1, 0)) {
            Map<String, SimilarList> newest = firstLists(h);

            runTo(h, 2 * INTERVAL);
            h.processElement2(new StreamRecord<>(ItemUpdate.expired("b2"))); // the first expiry: a pass at once
            List<SimilarList> deleted = lists(h);
            assertThat(deleted).extracting(l -> l.item, l -> l.deleted).containsExactly(tuple("b2", true));
            assertThat(deleted.get(0).items).isEmpty();
            newest.remove("b2");
            runTo(h, 3 * INTERVAL);
            List<SimilarList> afterFirstExpiry = lists(h);
            assertThat(afterFirstExpiry).extracting(l -> l.item).containsExactlyInAnyOrder("b1", "b3");
            afterFirstExpiry.forEach(l -> newest.put(l.item, l));
            Set<String> holdingA3 = holding(List.copyOf(newest.values()), "a3");
            assertThat(holdingA3).contains("a1", "a2");

            runTo(h, 4 * INTERVAL);
            h.processElement2(new StreamRecord<>(ItemUpdate.expired("a3"))); // its pass waits a minute after b2's
            lists(h);
            unavailable(h, "b3"); // not held back by the expiries' spacing
            runTo(h, 5 * INTERVAL);
            List<SimilarList> unavailableGone = lists(h);
            assertThat(unavailableGone).extracting(l -> l.item).containsExactlyInAnyOrderElementsOf(
                    holding(List.copyOf(newest.values()), "b3"));
            assertThat(unavailableGone).isNotEmpty().allSatisfy(l -> assertThat(l.items).doesNotContain("b2", "b3"));
            unavailableGone.forEach(l -> holdingA3.remove(l.item)); // computed without a3 too: it was out of the cache
            assertThat(holdingA3).contains("a1", "a2");

            long expiredPass = 2 * INTERVAL + 1 + SimilarItemLists.MIN_PASS_SPACING_MS;
            long due = (expiredPass / INTERVAL + 1) * INTERVAL;
            runTo(h, due - 1);
            assertThat(lists(h)).isEmpty(); // the lists holding a3 keep it until the minute is over
            runTo(h, due);
            List<SimilarList> expiredGone = lists(h);
            assertThat(expiredGone).extracting(l -> l.item).containsExactlyInAnyOrderElementsOf(holdingA3);
            assertThat(expiredGone).allSatisfy(l -> assertThat(l.items).doesNotContain("a3", "b2", "b3"));
        }
    }

    @Test
    void aRestoredSubtaskListsOnlyWhatMovedAndCountsVersionsOn() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(1, 0)) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            h.setProcessingTime(INTERVAL);
            assertThat(lists(h)).hasSize(VECTORS.size());
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, INTERVAL + 1);
        }
        try (var h = harness(1, 0)) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(10 * INTERVAL);
            resync(h); // the ItemServers re-send every item after a restore
            send(h, "b3", new float[] {1f, 0.05f, 0.05f, 0f}); // b3 moved into group a
            h.setProcessingTime(11 * INTERVAL);
            List<SimilarList> lists = lists(h);
            assertThat(lists).hasSize(1);
            assertThat(lists.get(0).item).isEqualTo("b3");
            assertThat(lists.get(0).version).isEqualTo(2);
            assertThat(lists.get(0).items).allMatch(i -> i.startsWith("a"));
        }
    }

    @Test
    void aRepublishRequestWritesEveryListAgainWithTheNextVersion() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            h.setProcessingTime(0);
            resync(h);
            h.setProcessingTime(INTERVAL);
            List<SimilarList> first = lists(h);

            h.processElement2(new StreamRecord<>(ItemUpdate.republish("redis-lost-its-data")));
            h.processElement2(new StreamRecord<>(ItemUpdate.republish("redis-lost-its-data"))); // once per request
            h.setProcessingTime(10 * INTERVAL);
            List<SimilarList> again = lists(h);
            assertThat(again).extracting(l -> l.item).containsExactlyInAnyOrderElementsOf(VECTORS.keySet());
            for (SimilarList l : again) {
                assertThat(l.version).isEqualTo(2);
                assertThat(l.items).containsExactly(of(first, l.item).items); // nothing moved: the same list
            }
        }
    }

    @Test
    void twoSubtasksListEveryItemExactlyOnceBetweenThem() throws Exception {
        Map<String, Integer> listedBy = new LinkedHashMap<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            try (var h = harness(2, subtask)) {
                h.open();
                h.setProcessingTime(0);
                resync(h);
                h.setProcessingTime(INTERVAL);
                for (SimilarList l : lists(h)) {
                    assertThat(listedBy.put(l.item, subtask)).as("listed twice: " + l.item).isNull();
                    assertThat(l.items).allMatch(i -> i.charAt(0) == l.item.charAt(0)); // neighbours from the full cache
                }
            }
        }
        assertThat(listedBy.keySet()).containsExactlyInAnyOrderElementsOf(VECTORS.keySet());
        assertThat(new HashSet<>(listedBy.values())).containsExactlyInAnyOrder(0, 1);
    }
}
