package io.streamrec.operators.user;

import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.state.SavepointLayout;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.watermark.Watermark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The interactions a {@link UserWorker} receives before its item cache is complete (after a start
 * or restore, until every ItemServer subtask has re-sent its items). Learning from them at once
 * would take SGD steps from the seeded initial vectors of items that are already trained, and draw
 * negatives from a partial cache; so they wait in keyed state (checkpointed, rescalable with their
 * user) with an arrival number, and are learned in arrival order once the cache is ready, exactly
 * as if they had arrived after it.
 */
final class ResyncBuffer {

    /** Advances the operator's event time. */
    interface WatermarkSink {
        void process(Watermark mark) throws Exception;
    }

    /** Applies one interaction with the operator's current key set to its user. */
    interface Apply {
        void apply(Interaction event) throws Exception;
    }

    private final ListState<Tuple2<Long, Interaction>> waiting;
    private final KeyedStateBackend<String> backend;
    private final KeyContext keys;
    /** Next arrival number; -1 until the first wait of this run (then it continues after restored ones). */
    private long nextArrival = -1;
    private Watermark held;

    ResyncBuffer(ListState<Tuple2<Long, Interaction>> waiting, KeyedStateBackend<String> backend, KeyContext keys) {
        this.waiting = waiting;
        this.backend = backend;
        this.keys = keys;
    }

    /** Keeps the interactions' watermark until they are applied (it must not pass them). */
    void hold(Watermark mark) {
        held = mark;
    }

    /** Keeps the interaction of the current key's user. */
    void add(Interaction event) throws Exception {
        if (nextArrival < 0) {
            nextArrival = inArrivalOrder().size();
        }
        waiting.add(Tuple2.of(nextArrival++, event));
    }

    /** Applies every waiting interaction in arrival order and forgets them, then passes on the held watermark. */
    void drain(Apply apply, WatermarkSink watermarks) throws Exception {
        Object previousKey = keys.getCurrentKey();
        for (Tuple3<Long, String, Interaction> w : inArrivalOrder()) {
            keys.setCurrentKey(w.f1);
            apply.apply(w.f2);
        }
        for (String user : users()) {
            keys.setCurrentKey(user);
            waiting.clear();
        }
        if (previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
        if (held != null) {
            Watermark mark = held;
            held = null;
            watermarks.process(mark);
        }
    }

    private List<Tuple3<Long, String, Interaction>> inArrivalOrder() throws Exception {
        Object previousKey = keys.getCurrentKey();
        List<Tuple3<Long, String, Interaction>> all = new ArrayList<>();
        for (String user : users()) {
            keys.setCurrentKey(user);
            for (Tuple2<Long, Interaction> w : waiting.get()) {
                all.add(Tuple3.of(w.f0, user, w.f1));
            }
        }
        if (previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
        all.sort(Comparator.comparingLong(w -> w.f0));
        return all;
    }

    private List<String> users() {
        try (Stream<String> users = backend.getKeys(SavepointLayout.WAITING_FOR_ITEM_CACHE, VoidNamespace.INSTANCE)) {
            return users.collect(Collectors.toList());
        }
    }
}
