package io.streamrec.operators.user;

import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.UserState;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.KeyedStateFunction;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyContext;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The UserWorker's user state, with a write-back cache of the most recently used users in front of
 * the keyed state backend.
 *
 * <p>Why: an interaction reads and writes its user's state up to three times (learning, the refresh
 * timer, storing the scored list). With RocksDB each read deserializes and each write serializes the
 * whole state, up to {@code recs.max-seen} item ids among it; at 5k users and 2k items this was a
 * quarter of the UserWorker thread. Here an active user's state is deserialized once, stays an object
 * while the user is active, and is written back once: when it leaves the cache or at the next
 * checkpoint.
 *
 * <p>Exactly-once: {@link #flush} writes every changed user back to the backend, and the UserWorker
 * calls it before each snapshot of its keyed state (and at the end of input). So a checkpoint holds
 * every change made before its barrier, as without the cache; after a restore the cache starts empty.
 * A user leaving the cache is written back at once. Passes over all users of the backend go through
 * {@link #applyToAllUsers}, which writes back and empties the cache first, so that they neither read
 * stale states nor have their writes overwritten later.
 *
 * <p>Like Flink's heap backend, {@link #value} returns the cached object itself: a change to it is kept
 * even without {@link #update}. The UserWorker always stores what it changes, so this is only a
 * difference for code that would change a state and mean to drop the change; there is none.
 *
 * <p>Not thread-safe: the operator's task thread only. With capacity 0 every call goes to the backend.
 */
final class UserStateCache implements ValueState<UserState> {

    private final ValueState<UserState> backend;
    private final KeyedStateBackend<String> keyed;
    private final KeyContext keys;
    private final int capacity;
    /** Access-ordered: the eldest entry is the least recently used. */
    private final LinkedHashMap<Object, Cached> cached;

    private long hits;
    private long misses;

    private static final class Cached {
        UserState state;
        boolean changed;

        Cached(UserState state, boolean changed) {
            this.state = state;
            this.changed = changed;
        }
    }

    UserStateCache(ValueState<UserState> backend, KeyedStateBackend<String> keyed, KeyContext keys, int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.backend = backend;
        this.keyed = keyed;
        this.keys = keys;
        this.capacity = capacity;
        this.cached = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1, 0.75f, true);
    }

    /** The current user's state; null when they have none. */
    @Override
    public UserState value() throws IOException {
        if (capacity == 0) {
            return backend.value();
        }
        Object user = keys.getCurrentKey();
        Cached c = cached.get(user);
        if (c != null) {
            hits++;
            return c.state;
        }
        misses++;
        UserState s = backend.value();
        if (s != null) {
            put(user, new Cached(s, false));
        }
        return s;
    }

    /** Sets the current user's state; null deletes it, like {@link #clear}. */
    @Override
    public void update(UserState s) throws IOException {
        if (s == null) {
            clear();
            return;
        }
        if (capacity == 0) {
            backend.update(s);
            return;
        }
        Object user = keys.getCurrentKey();
        Cached c = cached.get(user);
        if (c != null) {
            c.state = s;
            c.changed = true;
        } else {
            put(user, new Cached(s, true));
        }
    }

    /** Deletes the current user's state, in the backend at once. */
    @Override
    public void clear() {
        cached.remove(keys.getCurrentKey());
        backend.clear();
    }

    /** Writes every changed user back to the backend; they stay cached. */
    void flush() throws IOException {
        Object previousKey = keys.getCurrentKey();
        boolean wrote = false;
        for (Map.Entry<Object, Cached> e : cached.entrySet()) {
            Cached c = e.getValue();
            if (c.changed) {
                keys.setCurrentKey(e.getKey());
                backend.update(c.state);
                c.changed = false;
                wrote = true;
            }
        }
        if (wrote && previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
    }

    /**
     * Runs {@code function} for every user in the backend, as {@link KeyedStateBackend#applyToAllKeys}
     * does, after writing back and emptying the cache. The current key is restored afterwards.
     */
    void applyToAllUsers(KeyedStateFunction<String, ValueState<UserState>> function) throws Exception {
        flush();
        cached.clear();
        Object previousKey = keys.getCurrentKey();
        keyed.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, SavepointLayout.userState(), function);
        if (previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
    }

    /** Users cached now. */
    int size() {
        return cached.size();
    }

    /** Reads answered by the cache, and those that went to the backend, since the start. */
    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    private void put(Object user, Cached c) throws IOException {
        cached.put(user, c);
        if (cached.size() > capacity) {
            evictEldest();
        }
    }

    private void evictEldest() throws IOException {
        Iterator<Map.Entry<Object, Cached>> eldest = cached.entrySet().iterator();
        Map.Entry<Object, Cached> e = eldest.next();
        eldest.remove();
        if (e.getValue().changed) {
            Object current = keys.getCurrentKey();
            keys.setCurrentKey(e.getKey());
            backend.update(e.getValue().state);
            keys.setCurrentKey(current);
        }
    }
}
