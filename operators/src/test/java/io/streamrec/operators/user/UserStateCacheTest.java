package io.streamrec.operators.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.UserState;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

/**
 * The write-back cache of user states, over a real RocksDB keyed state backend (an operator on Flink's
 * test harness owns both): what the backend holds when, after updates, evictions, flushes, deletes and
 * passes over all users.
 */
class UserStateCacheTest {

    /** Owns a cache and the raw state behind it; its input is unused. */
    static final class Owner extends AbstractStreamOperator<String> implements OneInputStreamOperator<String, String> {
        private final int capacity;
        transient UserStateCache cache;
        transient ValueState<UserState> raw;

        Owner(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public void open() throws Exception {
            super.open();
            raw = getPartitionedState(SavepointLayout.userState());
            cache = new UserStateCache(raw, getKeyedStateBackend(), this, capacity);
        }

        @Override
        public void processElement(StreamRecord<String> element) {}

        /** The backend's own value for {@code user}, leaving the current key as it was. */
        UserState stored(String user) throws Exception {
            Object previous = getCurrentKey();
            setCurrentKey(user);
            UserState s = raw.value();
            if (previous != null) {
                setCurrentKey(previous);
            }
            return s;
        }

        UserState cached(String user) throws Exception {
            setCurrentKey(user);
            return cache.value();
        }

        void put(String user, long interactions) throws Exception {
            setCurrentKey(user);
            UserState s = cache.value();
            if (s == null) {
                s = UserState.initial(new float[] {1f, 2f});
            }
            s.interactions = interactions;
            cache.update(s);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(Owner owner) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(owner, v -> v, Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        h.open();
        return h;
    }

    @Test
    void changesReachTheBackendAtFlushNotBefore() throws Exception {
        Owner o = new Owner(8);
        try (var h = harness(o)) {
            o.put("u1", 1);
            o.put("u1", 2);
            assertThat(o.stored("u1")).as("written back only at the flush").isNull();
            assertThat(o.cached("u1").interactions).isEqualTo(2);

            o.cache.flush();
            assertThat(o.stored("u1").interactions).isEqualTo(2);
            assertThat(o.cache.size()).as("a flushed user stays cached").isEqualTo(1);

            o.put("u1", 3);
            assertThat(o.stored("u1").interactions).as("the newest flush, not the change after it").isEqualTo(2);
            o.cache.flush();
            assertThat(o.stored("u1").interactions).isEqualTo(3);
        }
    }

    @Test
    void theLeastRecentlyUsedUserIsWrittenBackWhenItLeaves() throws Exception {
        Owner o = new Owner(2);
        try (var h = harness(o)) {
            o.put("a", 10);
            o.put("b", 20);
            o.cached("a"); // a is now more recent than b
            o.put("c", 30); // b leaves
            assertThat(o.stored("b").interactions).isEqualTo(20);
            assertThat(o.stored("a")).as("still cached, not written").isNull();
            assertThat(o.stored("c")).isNull();
            assertThat(o.cache.size()).isEqualTo(2);

            long misses = o.cache.misses();
            assertThat(o.cached("b").interactions).as("read back from the backend").isEqualTo(20);
            assertThat(o.cache.misses()).isEqualTo(misses + 1);
            // from least to most recent: a, c, then b read back; a is over capacity and leaves
            assertThat(o.stored("a").interactions).isEqualTo(10);
        }
    }

    @Test
    void readsOfCachedUsersDoNotGoToTheBackend() throws Exception {
        Owner o = new Owner(4);
        try (var h = harness(o)) {
            o.put("a", 1);
            o.cache.flush();
            long hits = o.cache.hits();
            long misses = o.cache.misses();
            for (int i = 0; i < 5; i++) {
                assertThat(o.cached("a").interactions).isEqualTo(1);
            }
            assertThat(o.cache.hits()).isEqualTo(hits + 5);
            assertThat(o.cache.misses()).isEqualTo(misses);
            assertThat(o.cached("nobody")).isNull();
            assertThat(o.cache.size()).as("an absent user is not cached").isEqualTo(1);
        }
    }

    @Test
    void clearDeletesFromTheBackendAtOnce() throws Exception {
        Owner o = new Owner(4);
        try (var h = harness(o)) {
            o.put("a", 1);
            o.cache.flush();
            o.put("a", 2);
            o.setCurrentKey("a");
            o.cache.clear();
            assertThat(o.stored("a")).isNull();
            assertThat(o.cached("a")).isNull();
            o.cache.flush();
            assertThat(o.stored("a")).as("no stale write after the delete").isNull();

            o.put("b", 5);
            o.setCurrentKey("b");
            o.cache.update(null);
            assertThat(o.cached("b")).isNull();
            o.cache.flush();
            assertThat(o.stored("b")).isNull();
        }
    }

    @Test
    void aPassOverAllUsersSeesCachedChangesAndItsWritesAreNotOverwritten() throws Exception {
        Owner o = new Owner(4);
        try (var h = harness(o)) {
            o.put("a", 1);
            o.put("b", 2);
            o.put("c", 3);
            o.setCurrentKey("b");
            Map<String, Long> seen = new HashMap<>();
            o.cache.applyToAllUsers((user, state) -> {
                UserState s = state.value();
                seen.put(user, s.interactions);
                s.interactions += 100;
                state.update(s);
            });
            assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 2L, "c", 3L));
            assertThat(o.getCurrentKey()).as("the current key is restored").isEqualTo("b");
            assertThat(o.cache.size()).isZero();

            assertThat(o.cached("a").interactions).isEqualTo(101);
            o.cache.flush();
            assertThat(o.stored("a").interactions).isEqualTo(101);
            assertThat(o.stored("c").interactions).isEqualTo(103);
        }
    }

    @Test
    void capacityZeroGoesToTheBackendEveryTime() throws Exception {
        Owner o = new Owner(0);
        try (var h = harness(o)) {
            o.put("a", 7);
            assertThat(o.stored("a").interactions).isEqualTo(7);
            assertThat(o.cache.size()).isZero();
            assertThat(o.cached("a").interactions).isEqualTo(7);
            assertThat(o.cache.hits()).isZero();
        }
    }
}
