package io.streamrec.operators.user;

import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.item.ItemServer;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.UserList;
import io.streamrec.operators.state.ItemState;
import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.UserState;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The model's gradient loop at parallelism 1 with the runtime's failure semantics, for tests: a
 * UserWorker and an ItemServer (both on RocksDB) joined by a simulated exactly-once gradient topic.
 * The interactions come from a list (the source's offset is part of each checkpoint); the deltas
 * a checkpoint's barrier carries form a transaction that is appended to the topic when the
 * checkpoint completes, or — when a failure comes between the completion and the commit — when the
 * restored job commits it again; the ItemServer reads the committed topic from its checkpointed
 * offset and its updates go to the UserWorker. A failure discards both operators and restores them
 * from the last completed checkpoint, as a Flink failover does.
 */
final class GradientLoop implements AutoCloseable {

    private static final String RUN = "run-1";

    private record Checkpoint(long id, OperatorSubtaskState user, OperatorSubtaskState item, int source,
            int itemOffset, List<ItemDelta> transaction) {}

    private final ModelConfig model;
    private final UserWorkerConfig config;
    private final List<Interaction> input;
    private final JobID job = new JobID();
    private final List<ItemDelta> topic = new ArrayList<>();
    private UserWorker worker;
    private KeyedTwoInputStreamOperatorTestHarness<String, Interaction, ItemUpdate, UserList> user;
    private KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> item;
    private int source;
    private int itemOffset;
    private long nextCheckpoint = 1;
    private long clock = 1;
    private Checkpoint lastCompleted;
    /** Deltas of restored checkpoints that the UserWorker still had in flight (for the test's own checks). */
    int restoredWithDeltasInFlight;

    GradientLoop(ModelConfig model, List<Interaction> input) throws Exception {
        this.model = model;
        this.config = UserWorkerConfig.builder(model).topN(5).refreshInterval(java.time.Duration.ofHours(1))
                .batchSize(16).maxSeen(100).build();
        this.input = input;
        start(null);
    }

    boolean exhausted() {
        return source >= input.size();
    }

    /** The UserWorker takes the next {@code n} interactions. */
    void processInteractions(int n) throws Exception {
        for (int i = 0; i < n && source < input.size(); i++) {
            user.processElement1(new StreamRecord<>(input.get(source++)));
        }
    }

    /** The ItemServer reads what is committed; its updates reach the UserWorker. */
    void pumpItems() throws Exception {
        while (itemOffset < topic.size()) {
            item.processElement(new StreamRecord<>(copy(topic.get(itemOffset++))));
        }
        deliverItemUpdates(Integer.MAX_VALUE);
    }

    /** Delivers at most {@code limit} of the ItemServer's pending updates (a partial resync when small). */
    private void deliverItemUpdates(int limit) throws Exception {
        Object record;
        int delivered = 0;
        while (delivered < limit && (record = item.getOutput().poll()) != null) {
            if (record instanceof StreamRecord<?> r && r.getValue() instanceof ItemUpdate u) {
                user.processElement2(new StreamRecord<>(u));
                delivered++;
            }
        }
    }

    /** A checkpoint that completes and commits. */
    void checkpoint() throws Exception {
        takeCheckpoint();
        commit(lastCompleted);
    }

    /** A failure while a checkpoint is being taken: it never completes; back to the last completed one. */
    void failDuringCheckpoint() throws Exception {
        snapshot(nextCheckpoint++);
        restore();
    }

    /** The checkpoint completes, then the job fails before its gradient transaction is committed. */
    void failBetweenCompletionAndCommit() throws Exception {
        takeCheckpoint();
        restore();
    }

    /**
     * A checkpoint, then a failure, and a restore whose resync is cut short: the UserWorker gets part of the ItemServer's re-sent
     * items and some interactions (which must wait), a checkpoint is taken while it waits and
     * completes, and the job fails again before the resync ends.
     */
    void failDuringResync(int interactionsWhileWaiting) throws Exception {
        checkpoint();
        restore(false);
        deliverItemUpdates(3);
        processInteractions(interactionsWhileWaiting);
        takeCheckpoint();
        commit(lastCompleted);
        restore();
    }

    /** Offset of the next interaction the source reads. */
    int position() {
        return source;
    }

    /**
     * Runs to the end: {@code chunk} interactions at a time, each followed by the ItemServer's
     * updates; a checkpoint whenever the source's offset is a multiple of {@code checkpointEvery}
     * (so the same interactions share a checkpoint interval in every run, replays included), where
     * {@code faults} may fail instead. Then checkpoints until every delta is applied.
     */
    void run(int chunk, int checkpointEvery, Faults faults) throws Exception {
        while (!exhausted()) {
            processInteractions(chunk);
            pumpItems();
            if (source % checkpointEvery == 0 && !faults.atCheckpoint(this)) {
                checkpoint();
            }
        }
        for (int i = 0; i < 3; i++) {
            checkpoint();
            pumpItems();
        }
    }

    /** Injects failures into a {@link #run}. */
    interface Faults {
        Faults NONE = loop -> false;

        /** At a checkpoint position: true when it took (or failed) the checkpoint itself. */
        boolean atCheckpoint(GradientLoop loop) throws Exception;
    }

    /** Every user's state after {@link #finish}. */
    Map<String, UserState> users() throws Exception {
        return read(user.getOperator().getKeyedStateBackend(), SavepointLayout.userState(), SavepointLayout.USER);
    }

    /** Every item's authoritative state after {@link #finish}. */
    Map<String, ItemState> items() throws Exception {
        return read(item.getOperator().getKeyedStateBackend(), SavepointLayout.itemState(), SavepointLayout.ITEM);
    }

    private static <S> Map<String, S> read(KeyedStateBackend<String> backend, ValueStateDescriptor<S> descriptor,
            String name) throws Exception {
        Map<String, S> out = new TreeMap<>();
        List<String> keys = new ArrayList<>();
        try (Stream<String> stream = backend.getKeys(name, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        for (String key : keys) {
            backend.setCurrentKey(key);
            out.put(key, backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    descriptor).value());
        }
        return out;
    }

    private void takeCheckpoint() throws Exception {
        lastCompleted = snapshot(nextCheckpoint++);
        user.notifyOfCompletedCheckpoint(lastCompleted.id);
        item.notifyOfCompletedCheckpoint(lastCompleted.id);
    }

    private Checkpoint snapshot(long id) throws Exception {
        user.prepareSnapshotPreBarrier(id);
        List<ItemDelta> transaction = new ArrayList<>();
        StreamRecord<ItemDelta> r;
        var deltas = user.getSideOutput(UserWorker.ITEM_DELTAS);
        while (deltas != null && (r = deltas.poll()) != null) {
            ItemDelta d = copy(r.getValue());
            d.origin = RUN; // as the job's StampRun does
            transaction.add(d);
        }
        OperatorSubtaskState userState = user.snapshot(id, clock);
        item.prepareSnapshotPreBarrier(id);
        OperatorSubtaskState itemState = item.snapshot(id, clock);
        return new Checkpoint(id, userState, itemState, source, itemOffset, transaction);
    }

    private void commit(Checkpoint c) {
        topic.addAll(c.transaction);
    }

    private void restore() throws Exception {
        restore(true);
    }

    private void restore(boolean completeResync) throws Exception {
        user.close();
        item.close();
        start(lastCompleted);
        if (lastCompleted != null) {
            // the restored job's committer commits the restored checkpoint's transaction (again: a
            // transaction that is already committed stays committed once)
            if (!topic.containsAll(lastCompleted.transaction)) {
                commit(lastCompleted);
            }
            if (!worker.deltasInFlight().isEmpty()) {
                restoredWithDeltasInFlight++;
            }
        }
        if (completeResync) {
            deliverItemUpdates(Integer.MAX_VALUE);
        }
    }

    private void start(Checkpoint from) throws Exception {
        worker = new UserWorker(config);
        user = new KeyedTwoInputStreamOperatorTestHarness<>(worker, (Interaction e) -> e.user,
                (ItemUpdate u) -> "", Types.STRING);
        user.setStateBackend(new EmbeddedRocksDBStateBackend());
        item = new KeyedOneInputStreamOperatorTestHarness<>(new ItemServer(model, RUN), (ItemDelta d) -> d.item,
                Types.STRING, new MockEnvironmentBuilder().setJobID(job).build());
        item.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (from != null) {
            user.initializeState(from.user);
            item.initializeState(from.item);
            source = from.source;
            itemOffset = from.itemOffset;
        }
        user.open();
        item.open();
        user.setProcessingTime(clock);
        item.setProcessingTime(++clock); // fires the ItemServer's re-send
    }

    private static ItemDelta copy(ItemDelta d) {
        ItemDelta c = new ItemDelta(d.item, d.dq.length);
        System.arraycopy(d.dq, 0, c.dq, 0, d.dq.length);
        c.db = d.db;
        c.interactions = d.interactions;
        c.popularityLog = d.popularityLog;
        c.maxTs = d.maxTs;
        c.origin = d.origin;
        c.checkpointId = d.checkpointId;
        c.sender = d.sender;
        c.republish = d.republish;
        return c;
    }

    @Override
    public void close() throws Exception {
        user.close();
        item.close();
    }
}
