package io.streamrec.operators.user;

import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.UserList;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The UserWorker under the item bounds: {@code model.max-items}, retired and expired items. */
class UserWorkerItemBoundsTest {

    private static final int DIM = 4;

    private static KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> harness(int maxItems)
            throws Exception {
        ModelConfig model = ModelConfig.builder().dimension(DIM).negatives(1).seed(7).maxItems(maxItems).build();
        // without similar lists: their timers and passes fire at the same instants as the users' and
        // would change which of two same-time callbacks (a user's refresh, a pass) runs first
        UserWorker worker = new UserWorker(UserWorkerConfig.builder(model).topN(10)
                .refreshInterval(Duration.ofMillis(1000)).batchSize(16).maxSeen(100).similarN(0).build());
        return new KeyedTwoInputStreamOperatorTestHarness<>(worker, e -> e.user, u -> "", Types.STRING);
    }

    private static StreamRecord<Interaction> click(String user, String item, long ts) {
        Interaction e = new Interaction();
        e.id = user + "-" + item + "-" + ts;
        e.user = user;
        e.item = item;
        e.type = EventType.CLICK;
        e.value = Double.NaN;
        e.ts = ts;
        return new StreamRecord<>(e);
    }

    private static StreamRecord<ItemUpdate> item(String id) {
        return new StreamRecord<>(new ItemUpdate(id, FactorMath.initVector(id, DIM, 0.1f, 1), 0f, 1));
    }

    @Test
    void anItemPastMaxItemsStaysOutOfTheCacheAndIsOnlyCountedWhileTheUserStillCountsIt() throws Exception {
        try (var h = harness(3)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            h.processElement2(item("a"));
            h.processElement2(item("b"));
            h.processElement1(click("u1", "c", 1)); // the third item: still room
            h.processElement1(click("u1", "junk-1", 2)); // refused
            h.processElement1(click("u1", "junk-2", 3)); // refused
            h.prepareSnapshotPreBarrier(1);
            List<ItemDelta> deltas = values(h.getSideOutput(UserWorker.ITEM_DELTAS));
            assertThat(deltas).extracting(d -> d.item).contains("c", "junk-1", "junk-2");
            // the full cache cannot tell a junk item from a model item whose vector has not reached it
            // yet: it learns nothing from them but sends their counts; the ItemServer, which owns the
            // cap, applies or refuses them (ItemServerTest)
            for (ItemDelta d : deltas) {
                if (d.item.startsWith("junk")) {
                    assertThat(d.dq).as(d.item).containsOnly(0f);
                    assertThat(d.db).as(d.item).isZero();
                    assertThat(d.interactions).as(d.item).isEqualTo(1);
                }
            }

            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            UserList list = h.extractOutputValues().get(0);
            assertThat(list.user).isEqualTo("u1");
            assertThat(list.interactions).isEqualTo(3); // all three count for the user
            assertThat(list.items).containsExactlyInAnyOrder("a", "b"); // c is seen, junk never in the model
        }
    }

    @Test
    void aRetiredItemLeavesTheListsAndComesBackWhenUnretired() throws Exception {
        try (var h = harness(100)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            for (String id : List.of("a", "b", "c", "d")) {
                h.processElement2(item(id));
            }
            h.processElement1(click("u1", "d", 1));
            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            assertThat(h.extractOutputValues().get(0).items).containsExactlyInAnyOrder("a", "b", "c");

            h.processElement2(new StreamRecord<>(ItemUpdate.removed("b", true)));
            h.processElement1(click("u2", "b", 2)); // counted for u2, but b stays out of the model
            h.setProcessingTime(2000);
            h.setProcessingTime(2001);
            List<UserList> lists = h.extractOutputValues();
            UserList u1 = lists.stream().filter(l -> l.user.equals("u1")).reduce((x, y) -> y).orElseThrow();
            UserList u2 = lists.stream().filter(l -> l.user.equals("u2")).reduce((x, y) -> y).orElseThrow();
            assertThat(u1.version).isEqualTo(2); // refreshed because the retired item was in its list
            assertThat(u1.items).containsExactlyInAnyOrder("a", "c");
            assertThat(u2.items).containsExactlyInAnyOrder("a", "c", "d");
            assertThat(u2.interactions).isEqualTo(1);
            h.prepareSnapshotPreBarrier(1);
            assertThat(values(h.getSideOutput(UserWorker.ITEM_DELTAS))).extracting(d -> d.item).doesNotContain("b");

            h.processElement2(item("b")); // un-retired: the ItemServer sends its vector again
            h.processElement1(click("u1", "a", 3));
            h.setProcessingTime(3000);
            h.setProcessingTime(3001);
            UserList again = h.extractOutputValues().stream().filter(l -> l.user.equals("u1")).reduce((x, y) -> y)
                    .orElseThrow();
            assertThat(again.items).containsExactlyInAnyOrder("b", "c");
        }
    }

    @Test
    void expiredItemsLeaveEveryListThatHoldsThemInOnePassAndANewInteractionIsNotLost() throws Exception {
        try (var h = harness(100)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            for (String id : List.of("a", "b", "c", "d", "e")) {
                h.processElement2(item(id));
            }
            h.processElement1(click("u1", "e", 1));
            h.processElement1(click("u2", "a", 1));
            h.processElement1(click("u3", "a", 1));
            h.setProcessingTime(1000);
            h.setProcessingTime(1001);
            assertThat(h.extractOutputValues()).hasSize(3);
            h.getOutput().clear();
            h.prepareSnapshotPreBarrier(1); // the deltas so far go out

            h.processElement1(click("u3", "b", 2)); // not yet sent when b expires
            h.processElement2(new StreamRecord<>(ItemUpdate.expired("b")));
            h.processElement2(new StreamRecord<>(ItemUpdate.expired("c")));
            h.setProcessingTime(1500);
            assertThat(h.extractOutputValues()).isEmpty(); // gathered for one pass, a second after the first
            h.setProcessingTime(2001); // the pass asks for refreshes; they are due at the next interval
            h.setProcessingTime(3001);
            List<UserList> lists = h.extractOutputValues();
            // u1 and u2 held b or c: refreshed by the pass; u3 by its click and by the pass
            assertThat(lists).extracting(l -> l.user).containsExactlyInAnyOrder("u1", "u2", "u3", "u3");
            java.util.Map<String, UserList> last = new java.util.HashMap<>();
            lists.forEach(l -> last.put(l.user, l));
            for (UserList l : last.values()) {
                assertThat(l.items).as(l.user).doesNotContain("b", "c");
            }
            UserList u1 = last.get("u1");
            assertThat(u1.items).containsExactlyInAnyOrder("a", "d");
            assertThat(u1.version).isEqualTo(2);

            // the next expiry's pass waits for a minute after the last one
            h.getOutput().clear();
            h.processElement2(new StreamRecord<>(ItemUpdate.expired("d")));
            h.setProcessingTime(50_000);
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(62_001);
            h.setProcessingTime(63_001);
            assertThat(h.extractOutputValues()).extracting(l -> l.user).contains("u1");
            assertThat(h.extractOutputValues()).allSatisfy(l -> assertThat(l.items).doesNotContain("b", "c", "d"));

            // u3's click on b went into no delta yet: it is sent and brings b back as a new item
            h.prepareSnapshotPreBarrier(2);
            List<ItemDelta> deltas = values(h.getSideOutput(UserWorker.ITEM_DELTAS));
            assertThat(deltas).filteredOn(d -> d.item.equals("b") && d.checkpointId == 2).singleElement()
                    .satisfies(d -> assertThat(d.interactions).isEqualTo(1));
            assertThat(deltas).filteredOn(d -> d.item.equals("c") && d.checkpointId == 2).isEmpty();
        }
    }

    private static <T> List<T> values(java.util.Collection<StreamRecord<T>> records) {
        List<T> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }
}
