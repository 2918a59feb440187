package io.streamrec.operators.user;

import io.streamrec.operators.model.IdleExpiry;
import io.streamrec.operators.evaluation.OnlineEvaluation;
import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemDeltaSerde;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.OnlineHit;
import io.streamrec.operators.records.SimilarList;
import io.streamrec.operators.records.UserList;
import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.UserState;
import io.streamrec.operators.scoring.BatchSizeKernel;
import io.streamrec.operators.scoring.BoundedTopNKernel;
import io.streamrec.operators.similar.SimilarItemLists;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.OperatorStateCheckpointOutputStream;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StatePartitionStreamProvider;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The user side of the parameter server, and the scorer: a thin operator (state, timers, outputs)
 * over the parts in {@code io.streamrec.operators.user}. Input 1 (keyed by user): interactions,
 * measured ({@link OnlineEvaluation}), then learned ({@link InteractionLearner} over the replicated
 * {@link ItemCache}); before the cache has resynced they wait ({@link ResyncBuffer}). Input 2
 * (broadcast): the ItemServer's item vectors. Refreshes are coalesced and scored in batches ({@link
 * ListScoring}); the subtask that owns an item's key group also keeps the item's similar list
 * ({@link SimilarItemLists}, side output {@link #SIMILAR_ITEMS}). Exactly-once: the item deltas ({@link #ITEM_DELTAS}, to the gradient topic) and the
 * scoring batch are emitted before each barrier, so a checkpoint's state and its records agree; the
 * deltas not yet confirmed by the ItemServers are checkpointed too and go back into the cache after a
 * restore, so learning after a restore steps from the same item vectors as without the failure.
 */
public class UserWorker extends AbstractStreamOperator<UserList>
        implements TwoInputStreamOperator<Interaction, ItemUpdate, UserList>, Triggerable<String, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    /** Side output: aggregated item deltas, one per touched item per checkpoint interval. */
    public static final OutputTag<ItemDelta> ITEM_DELTAS =
            new OutputTag<>("item-deltas", TypeInformation.of(ItemDelta.class));

    /** Side output: test-then-learn evaluation of each interaction (see {@link OnlineEvaluation}). */
    public static final OutputTag<OnlineHit> ONLINE_EVALUATION =
            new OutputTag<>("online-evaluation", TypeInformation.of(OnlineHit.class));

    /** Side output: each item's similar list, from the subtask that owns the item ({@link SimilarItemLists}). */
    public static final OutputTag<SimilarList> SIMILAR_ITEMS = SimilarItemLists.OUTPUT;

    private final UserWorkerConfig config;

    private transient UserStateCache userState;
    private transient ResyncBuffer waiting;
    private transient UserTimers timers;
    private transient ItemCache cache;
    private transient InteractionLearner learner;
    private transient ListScoring scoring;
    private transient RefreshPacer pacer;
    private transient RepublishRouting republish;
    private transient Retirements retirements;
    /** Null when {@code recs.similar-n} is 0. */
    private transient SimilarItemLists similar;
    private transient UserWorkerMetrics metrics;
    private transient int subtask;
    /** This subtask's item deltas not yet confirmed at the checkpoint ({@link ItemCache#inFlightDeltas}). */
    private transient ListState<byte[]> inFlightState;
    private transient List<ItemDelta> restoredInFlight;

    public UserWorker(UserWorkerConfig config) {
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        inFlightState = context.getOperatorStateStore().getListState(SavepointLayout.inFlightItemDeltas());
        restoredInFlight = new ArrayList<>();
        for (byte[] bytes : inFlightState.get()) {
            restoredInFlight.addAll(ItemDeltaSerde.deserializeStateElement(bytes));
        }
        for (StatePartitionStreamProvider partition : context.getRawOperatorStateInputs()) {
            restoredInFlight.addAll(InFlightDeltas.read(new DataInputStream(partition.getStream())));
        }
    }

    /**
     * The in-flight deltas go into the raw operator state, one partition per chunk (see {@link
     * SavepointLayout#IN_FLIGHT_ITEM_DELTAS}); the managed list of earlier releases is emptied.
     */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        userState.flush(); // the keyed state is snapshotted after this method: every change before the barrier in it
        inFlightState.clear();
        OperatorStateCheckpointOutputStream raw = context.getRawOperatorStateOutput();
        cache.writeInFlight(new DataOutputStream(raw), raw::startNewPartition);
    }

    @Override
    public void open() throws Exception {
        super.open();
        userState = new UserStateCache(getPartitionedState(SavepointLayout.userState()), getKeyedStateBackend(), this,
                config.userCacheSize());
        waiting = new ResyncBuffer(getPartitionedState(SavepointLayout.waitingForItemCache()), getKeyedStateBackend(), this);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        ModelConfig model = config.model();
        cache = new ItemCache(model, config.categories());
        cache.restoreInFlight(restoredInFlight, subtask);
        restoredInFlight = null;
        learner = new InteractionLearner(model, cache, new NegativeSampler(model), config.maxSeen());
        pacer = new RefreshPacer(Math.max(1, config.refreshInterval().toMillis()), config.maxScoringShare(),
                config.maxRefreshStretch());
        timers = new UserTimers(getInternalTimerService("refresh", VoidNamespaceSerializer.INSTANCE, this), pacer,
                new IdleExpiry(config.userTtl()), config.bulkRefreshRate());
        republish = new RepublishRouting();
        retirements = new Retirements(config.refreshInterval().toMillis());
        // exact lists; most cold users are scored against a hot set of items only (BoundedTopNKernel)
        BoundedTopNKernel bounded = new BoundedTopNKernel(config.kernel().create());
        BatchSizeKernel kernel = new BatchSizeKernel(config.index().kernel(bounded));
        // category lists are scored exactly: an index is built over the whole cache only
        RefreshBatch batch = new RefreshBatch(kernel, kernel.perUser() ? new BatchSizeKernel(config.kernel().create()) : kernel,
                config.topN());
        metrics = new UserWorkerMetrics(getMetricGroup(), () -> cache.matrix().size(), batch::indexedItems, pacer, this::now);
        ItemCacheMetrics.register(getMetricGroup(), cache);
        getMetricGroup().gauge("boundedQueries", bounded::boundedUsers);
        getMetricGroup().gauge("boundedAccepted", bounded::acceptedUsers);
        getMetricGroup().gauge("userStateCached", userState::size);
        getMetricGroup().gauge("userStateCacheHits", userState::hits);
        getMetricGroup().gauge("userStateCacheMisses", userState::misses);
        scoring = new ListScoring(batch, pacer, metrics,
                getProcessingTimeService(), cache, config.batchSize(), this, userState, output);
        if (config.similarN() > 0) {
            similar = new SimilarItemLists(config.similarN(), config.similarThreshold(), kernel, config.batchSize(), cache,
                    pacer, getKeyedStateBackend(),
                    getRuntimeContext().getTaskInfo(), this, getPartitionedState(SavepointLayout.similarItemState()),
                    t -> getInternalTimerService(SimilarItemLists.TIMERS, VoidNamespaceSerializer.INSTANCE, t),
                    output, getProcessingTimeService(), this::now, getMetricGroup());
        }
    }

    @Override
    public void processElement1(StreamRecord<Interaction> element) throws Exception {
        pacer.recordInput(now());
        if (!cache.ready()) {
            // learning against a partial cache would step from the seeded vectors of trained items
            waiting.add(element.getValue());
            return;
        }
        apply(element.getValue());
    }

    private void apply(Interaction event) throws Exception {
        if (event.type == EventType.FORGET) {
            drop(event.user, metrics.usersForgotten);
            return;
        }
        if (event.type == EventType.REPUBLISH) {
            // goes out with this barrier's deltas through the gradient topic to every ItemServer
            // subtask, which re-emits its items and asks every UserWorker subtask for its lists
            republish.request(event.id != null ? event.id : "republish@" + event.ts);
            return;
        }
        if (event.type == EventType.RETIRE || event.type == EventType.UNRETIRE) {
            retirements.request(event.item, event.type == EventType.RETIRE); // to the item's ItemServer
            return;
        }
        UserState s = userState.value();
        if (s == null) {
            s = learner.newUser(event.user);
        }
        scoring.measure(config.evaluation(), s, event);
        timers.moveExpiry(s, Math.max(s.lastTs, event.ts));
        if (!learner.learn(s, event)) {
            metrics.updatesRejected.inc();
        }
        metrics.interactionsApplied.inc();
        timers.requestRefresh(s, now());
        userState.update(s);
    }

    /**
     * Deletes the user (a forget record, or idle past {@code state.user-ttl}): state, waiting refresh,
     * and through the sink their list and meta, with the next version so no earlier list overwrites
     * it. What they contributed to item vectors and popularity stays: it is no longer theirs.
     */
    private void drop(String user, Counter reason) throws Exception {
        UserState s = userState.value();
        timers.cancelExpiry(s);
        userState.clear();
        scoring.delete(user, s == null ? 1 : s.version + 1, now()); // the list and the category lists
        reason.inc();
    }

    /** This subtask's item deltas sent but not yet confirmed by the ItemServers (for tests). */
    List<ItemDelta> deltasInFlight() {
        return cache.inFlightDeltas();
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    @Override
    public void processElement2(StreamRecord<ItemUpdate> element) throws Exception {
        ItemUpdate update = element.getValue();
        if (update.isRepublish()) {
            if (republish.firstTime(update.republish)) {
                timers.refreshEveryUser(userState, now(),
                        "republish request '" + update.republish + "', subtask " + subtask);
                if (similar != null) {
                    similar.refreshAll(config.bulkRefreshRate());
                }
            }
            return;
        }
        if (update.metadata) { // availability or categories changed: lists that hold the item are found by a pass
            if (cache.applyMetadata(update)) {
                retirements.passAt(retirements.leftLists(update.item, now(), cache.ready()), getProcessingTimeService(),
                        userState, timers);
            }
            if (similar != null && update.unavailable) {
                similar.itemLeftLists(update.item);
            }
            return;
        }
        boolean wasReady = cache.ready();
        cache.apply(update, subtask);
        if (update.retired && wasReady) { // a resync's retired items were in no list refreshed since
            Retirements.refreshListsWith(Set.of(update.item), userState, timers, now());
        }
        long pass = update.expired && wasReady ? retirements.expired(update.item, now()) : -1;
        if (pass >= 0) {
            getProcessingTimeService().registerTimer(pass, t -> Retirements.refreshListsWith(
                    retirements.drainExpired(now()), userState, timers, now()));
        }
        if (similar != null) {
            similar.onItemUpdate(update);
        }
        if (!wasReady && cache.ready()) {
            retirements.passAt(retirements.leftListsWhenReady(now()), getProcessingTimeService(), userState, timers);
            waiting.drain(this::apply, this::processWatermark);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        UserState s = userState.value();
        if (s == null) {
            return;
        }
        // wait for the resync after a restore; while scoring is over its share, learning goes first
        if (!cache.ready() || pacer.shouldDefer(now())) {
            if (cache.ready()) {
                metrics.refreshesDeferred.inc();
            }
            timers.retryRefresh(now());
            return;
        }
        s.refreshPending = false;
        s.version++;
        // the list itself is stored when the batch is scored; keep the state consistent now
        userState.update(s);
        scoring.add(timer.getKey(), s);
    }

    /** An idle user's expiry (see {@link IdleExpiry}). */
    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        UserState s = userState.value();
        if (s != null && timers.expired(s, timer.getTimestamp())) {
            drop(timer.getKey(), metrics.usersExpired);
        }
    }

    /** Event time: the interactions' alone, held behind those waiting for the resync (a waiting user must not expire). */
    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        if (!cache.ready()) {
            waiting.hold(mark);
            return;
        }
        processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {}

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        scoring.scoreNow();
        if (similar != null) {
            similar.scoreNow();
        }
        String origin = getRuntimeContext().getJobInfo().getJobId().toHexString();
        List<ItemDelta> out = new ArrayList<>(cache.flush(origin, checkpointId, subtask));
        out.addAll(republish.drain(config.model().dimension(),
                getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks(), origin, checkpointId, subtask));
        out.addAll(retirements.drain(config.model().dimension(), origin, checkpointId, subtask));
        for (ItemDelta d : out) {
            output.collect(ITEM_DELTAS, new StreamRecord<>(d));
        }
    }

    @Override
    public void finish() throws Exception {
        prepareSnapshotPreBarrier(-1);
        userState.flush(); // the scored lists were stored in it; at the end of input no snapshot may follow
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (scoring != null) {
            scoring.close(); // stops the index builder thread, if any
        }
        super.close();
    }
}
