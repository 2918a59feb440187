package io.streamrec.operators.user;

import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.UserList;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Item metadata in the UserWorker on RocksDB: unavailable items leave every list and the lists that
 * held them are refreshed; category lists hold only their category's items; a forgotten user's
 * category lists are deleted with their list.
 */
class UserWorkerItemMetadataTest {

    private static final int DIM = 4;
    private static final List<String> ITEMS = List.of("a", "b", "c", "d", "e", "f", "g", "h");

    private static KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> harness() throws Exception {
        ModelConfig model = ModelConfig.builder().dimension(DIM).negatives(2).seed(7).build();
        UserWorker worker = new UserWorker(UserWorkerConfig.builder(model).topN(3).refreshInterval(Duration.ofMillis(1000))
                .batchSize(16).maxSeen(100).similarN(0).categories(List.of("shoes", "kids")).build());
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList>(
                worker, e -> e.user, u -> "", Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
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

    private static void metadata(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h,
                                 String item, boolean available, String... categories) throws Exception {
        h.processElement2(new StreamRecord<>(ItemUpdate.metadata(item, categories, available)));
    }

    /** The lists emitted since the last call, then cleared. */
    private static List<UserList> lists(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h) {
        List<UserList> out = List.copyOf(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    /** The newest of the user's lists of the category (null: their list) among {@code lists}. */
    private static UserList list(List<UserList> lists, String user, String category) {
        return lists.stream().filter(l -> l.user.equals(user) && java.util.Objects.equals(l.category, category))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no list of " + user + " / " + category + " in " + lists.size()));
    }

    /**
     * Moves processing time on in steps of 100 ms for {@code millis}: the refresh interval may
     * stretch (the pacer compares the real time scoring took with the harness's clock).
     */
    private long now;

    private void advance(KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> h, long millis)
            throws Exception {
        for (long end = now + millis; now < end; ) {
            now += 100;
            h.setProcessingTime(now);
        }
    }

    @Test
    void unavailableItemsLeaveEveryListAndCategoryListsHoldOnlyTheirCategory() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(0);
            // metadata first (before the resync and before the items): it waits in the catalogue by id
            metadata(h, "a", true, "shoes");
            metadata(h, "b", true, "shoes", "kids");
            metadata(h, "c", true, "shoes", "outdoor");
            metadata(h, "d", false, "kids");
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            for (String item : ITEMS) {
                h.processElement2(new StreamRecord<>(new ItemUpdate(item, FactorMath.initVector(item, DIM, 0.1f, 1), 0f, 0)));
            }
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            h.processElement1(new StreamRecord<>(event("u2", "e", EventType.CLICK, 2)));
            advance(h, 1100);
            List<UserList> first = lists(h);
            assertThat(first).hasSize(6); // two users × (list + shoes + kids), in that order per user
            assertThat(first).extracting(l -> l.category).containsExactly(null, "shoes", "kids", null, "shoes", "kids");
            for (UserList l : first) {
                assertThat(l.items).doesNotContain("d"); // unavailable: in no list
            }
            assertThat(list(first, "u1", "shoes").items).containsExactlyInAnyOrder("b", "c"); // a was seen
            assertThat(list(first, "u2", "shoes").items).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(list(first, "u1", "kids").items).containsExactly("b");
            assertThat(list(first, "u1", null).items).hasSize(3).doesNotContain("a");
            assertThat(list(first, "u1", "shoes").version).isEqualTo(list(first, "u1", null).version);

            // b becomes unavailable: both users' lists hold it (their shoes lists), both are refreshed
            metadata(h, "b", false, "shoes", "kids");
            advance(h, 60_000); // the pass over the users, then their refreshes
            List<UserList> second = lists(h);
            assertThat(second).extracting(l -> l.user).containsOnly("u1", "u2").hasSize(6);
            for (UserList l : second) {
                assertThat(l.items).doesNotContain("b", "d");
            }
            assertThat(list(second, "u1", "shoes").items).containsExactly("c");
            assertThat(list(second, "u1", "kids").items).isEmpty();

            // c leaves the shoes category: lists holding it are refreshed, the shoes lists lose it
            metadata(h, "c", true, "outdoor");
            advance(h, 60_000);
            List<UserList> third = lists(h);
            assertThat(list(third, "u1", "shoes").items).isEmpty();
            assertThat(list(third, "u2", "shoes").items).containsExactly("a");

            // available again: lists refreshed from then on may hold b again
            metadata(h, "b", true, "shoes", "kids");
            h.processElement1(new StreamRecord<>(event("u1", "e", EventType.CLICK, 3)));
            advance(h, 60_000);
            List<UserList> fourth = lists(h);
            assertThat(list(fourth, "u1", "shoes").items).containsExactly("b");
            assertThat(list(fourth, "u1", "kids").items).containsExactly("b");
        }
    }

    @Test
    void aForgottenUsersCategoryListsAreDeletedWithTheirList() throws Exception {
        try (var h = harness()) {
            h.open();
            h.setProcessingTime(0);
            h.processElement2(new StreamRecord<>(ItemUpdate.marker(0, 1)));
            for (String item : ITEMS) {
                h.processElement2(new StreamRecord<>(new ItemUpdate(item, FactorMath.initVector(item, DIM, 0.1f, 1), 0f, 0)));
            }
            h.processElement1(new StreamRecord<>(event("u1", "a", EventType.CLICK, 1)));
            advance(h, 1100);
            assertThat(lists(h)).hasSize(3);
            Interaction forget = event("u1", "", EventType.FORGET, 2);
            h.processElement1(new StreamRecord<>(forget));
            List<UserList> deleted = lists(h);
            assertThat(deleted).extracting(l -> l.category).containsExactly(null, "shoes", "kids");
            assertThat(deleted).allSatisfy(l -> {
                assertThat(l.forgotten).isTrue();
                assertThat(l.version).isEqualTo(2);
                assertThat(l.items).isEmpty();
            });
        }
    }
}
