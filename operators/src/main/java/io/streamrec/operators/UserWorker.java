package io.streamrec.operators;

import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.OnlineHit;
import io.streamrec.operators.records.UserList;
import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.UserState;
import io.streamrec.operators.user.ItemCache;
import io.streamrec.operators.user.NegativeSampler;
import io.streamrec.operators.user.RefreshBatch;
import io.streamrec.operators.user.RefreshPacer;
import io.streamrec.operators.user.SeenItems;
import io.streamrec.operators.user.SgdStep;
import io.streamrec.operators.user.UserWorkerConfig;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The user side of the parameter server, and the scorer: a thin operator (state, timers, outputs,
 * metrics) over the Flink-free parts in {@code io.streamrec.operators.user}.
 *
 * <p>Input 1 (keyed by user): interactions, each measured first ({@link OnlineEvaluation}), then
 * learned ({@link SgdStep} over the replicated {@link ItemCache}, which sums the item changes per
 * item); before the item cache has resynced they wait ({@link ResyncBuffer}). Input 2 (broadcast):
 * the ItemServer's item vectors. Refreshes are coalesced per user and interval and scored together
 * ({@link RefreshBatch}). Exactly-once: the item deltas ({@link #ITEM_DELTAS}, to the gradient topic)
 * and the scoring batch are emitted before each checkpoint barrier, so a checkpoint's state and the
 * records it produced always agree.
 */
public class UserWorker extends AbstractStreamOperator<UserList>
        implements TwoInputStreamOperator<Interaction, ItemUpdate, UserList>, Triggerable<String, VoidNamespace> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(UserWorker.class);
    /** Refresh lags kept for the histogram's quantiles. */
    private static final int LAG_SAMPLES = 1024;

    /** Side output: aggregated item deltas, one per touched item per checkpoint interval. */
    public static final OutputTag<ItemDelta> ITEM_DELTAS =
            new OutputTag<>("item-deltas", TypeInformation.of(ItemDelta.class));

    /** Side output: test-then-learn evaluation of each interaction (see {@link OnlineEvaluation}). */
    public static final OutputTag<OnlineHit> ONLINE_EVALUATION =
            new OutputTag<>("online-evaluation", TypeInformation.of(OnlineHit.class));

    private final UserWorkerConfig config;
    private final ModelConfig model;
    private final long refreshIntervalMs;

    private transient ValueState<UserState> userState;
    private transient ResyncBuffer waiting;
    private transient InternalTimerService<VoidNamespace> refreshTimers;
    private transient ItemCache cache;
    private transient SgdStep sgd;
    private transient NegativeSampler sampler;
    private transient RefreshBatch batch;
    private transient RefreshPacer pacer;
    private transient boolean flushScheduled;
    private transient int subtask;
    private transient boolean restored;

    private transient Counter interactionsApplied;
    private transient Counter updatesRejected;
    private transient Counter listsEmitted;
    private transient Counter hits;
    private transient Counter evaluated;
    private transient Counter refreshesDeferred;
    private transient Counter usersForgotten;
    /** Users scored and the time scoring took: their ratio is the scorer's users/s. */
    private transient Counter usersScored;
    private transient Counter scoringMicros;
    private transient Histogram refreshLag;
    private transient volatile long lastRefreshLagMs;

    public UserWorker(UserWorkerConfig config) {
        this.config = config;
        this.model = config.model();
        this.refreshIntervalMs = Math.max(1, config.refreshInterval().toMillis());
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        userState = getPartitionedState(SavepointLayout.userState());
        waiting = new ResyncBuffer(getPartitionedState(SavepointLayout.waitingForItemCache()), getKeyedStateBackend(), this);
        refreshTimers = getInternalTimerService("refresh", VoidNamespaceSerializer.INSTANCE, this);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        cache = new ItemCache(model);
        sgd = new SgdStep(model);
        sampler = new NegativeSampler(model, model.seed() ^ (31L * subtask));
        batch = new RefreshBatch(config.index().kernel(config.kernel().create()), config.topN());
        pacer = new RefreshPacer(refreshIntervalMs, config.maxScoringShare(), config.maxRefreshStretch());
        interactionsApplied = getMetricGroup().counter("interactionsApplied");
        updatesRejected = getMetricGroup().counter("updatesRejected");
        listsEmitted = getMetricGroup().counter("listsEmitted");
        hits = getMetricGroup().counter("onlineHits");
        evaluated = getMetricGroup().counter("onlineEvaluated");
        getMetricGroup().gauge("cachedItems", () -> cache.matrix().size());
        refreshesDeferred = getMetricGroup().counter("refreshesDeferred");
        usersForgotten = getMetricGroup().counter("usersForgotten");
        refreshLag = getMetricGroup().histogram("refreshLagMs", new DescriptiveStatisticsHistogram(LAG_SAMPLES));
        getMetricGroup().gauge("lastRefreshLagMs", () -> lastRefreshLagMs);
        getMetricGroup().gauge("refreshIntervalMs", () -> pacer.intervalMs(now()));
        getMetricGroup().gauge("scoringShare", () -> pacer.scoringShare(now()));
        usersScored = getMetricGroup().counter("usersScored");
        scoringMicros = getMetricGroup().counter("scoringMicros");
        getMetricGroup().gauge("indexedItems", () -> batch.indexedItems());
        if (restored && config.refreshAllOnRestore()) {
            requestRefreshOfEveryUser();
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
            forget(event.user);
            return;
        }
        UserState s = userState.value();
        if (s == null) {
            s = UserState.initial(FactorMath.initVector(event.user, model.dimension(), model.initScale(), model.seed()));
        }
        measureOnline(s, event);

        float weight = event.type == EventType.RATING ? model.ratingWeight(event.value) : model.weight(event.type);
        if (weight != 0f && !learn(s, event.item, weight)) {
            updatesRejected.inc();
        }
        if (weight > 0f) {
            sampler.observePositive(event.item);
        }
        cache.countInteraction(event.item, event.ts,
                weight > 0f ? model.popularityLogTerm(weight, event.ts) : Double.NEGATIVE_INFINITY);
        s.interactions++;
        s.lastTs = Math.max(s.lastTs, event.ts);
        s.seen = SeenItems.remember(s.seen, event.item, config.maxSeen());
        interactionsApplied.inc();

        if (!s.refreshPending) {
            s.refreshPending = true;
            s.refreshRequestedAt = now();
            refreshTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, pacer.nextRefreshTime(now()));
        }
        userState.update(s);
    }

    /**
     * Deletes everything kept about the user: their state (vector, seen items, counters), a refresh
     * waiting in the batch, and, through the sink, their list and meta in Redis. The deletion carries
     * the next version, so no earlier list of the user can overwrite it. What the user's interactions
     * contributed to item vectors and popularity stays: it is no longer the user's data.
     */
    private void forget(String user) throws Exception {
        UserState s = userState.value();
        long version = s == null ? 1 : s.version + 1;
        userState.clear();
        batch.remove(user);
        output.collect(new StreamRecord<>(UserList.forgotten(user, version, now())));
        usersForgotten.inc();
    }

    /** One SGD step ({@link SgdStep}); false when it was refused. */
    private boolean learn(UserState s, String item, float weight) {
        int row = cache.rowOf(item);
        int[] negatives = weight > 0f ? sampler.sample(s.p, item, s.seen, cache, model.negatives()) : new int[0];
        SgdStep.Update update = sgd.compute(s.p, s.b, s.interactions, row, weight, negatives, cache.matrix());
        if (update == null) {
            return false;
        }
        s.p = update.p();
        s.b = update.b();
        cache.applyOwn(update.items());
        return true;
    }

    private void measureOnline(UserState s, Interaction event) {
        int[] ranked = batch.onlineRank(config.evaluation(), s, event.item, cache);
        if (ranked != null) {
            evaluated.inc();
            if (ranked[0] >= 0) {
                hits.inc();
            }
            output.collect(ONLINE_EVALUATION,
                    new StreamRecord<>(new OnlineHit(event.user, event.item, event.ts, ranked[0], ranked[1])));
        }
    }

    /**
     * Registers a refresh for every user in this subtask's state (those without one pending), so that
     * after a repair or rollback every list is rewritten from the restored model, with this run's
     * newer versions, also for users who never interact again. The pacer spreads the scoring.
     */
    private void requestRefreshOfEveryUser() throws Exception {
        long now = now();
        long[] requested = {0};
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                SavepointLayout.userState(), (user, state) -> {
                    UserState s = state.value();
                    if (s != null && !s.refreshPending) {
                        s.refreshPending = true;
                        s.refreshRequestedAt = now;
                        state.update(s);
                        refreshTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, pacer.nextRefreshTime(now));
                        requested[0]++;
                    }
                });
        LOG.info("UserWorker subtask {}: refresh of all {} restored users requested", subtask, requested[0]);
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    @Override
    public void processElement2(StreamRecord<ItemUpdate> element) throws Exception {
        boolean wasReady = cache.ready();
        cache.apply(element.getValue(), subtask);
        if (!wasReady && cache.ready()) {
            waiting.drain(this::apply);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        UserState s = userState.value();
        if (s == null) {
            return;
        }
        if (!cache.ready()) {
            // after a restore: wait until every ItemServer subtask has re-sent its items
            refreshTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, pacer.nextRefreshTime(now()));
            return;
        }
        if (pacer.shouldDefer(now())) {
            // scoring is over its share of the thread: learning goes first, this user is refreshed
            // later with whatever else happens meanwhile
            refreshesDeferred.inc();
            refreshTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, pacer.nextRefreshTime(now()));
            return;
        }
        s.refreshPending = false;
        s.version++;
        batch.add(timer.getKey(), s, cache.rowsOf(s.seen));
        // the list itself is stored when the batch is scored; keep the state consistent now
        userState.update(s);
        if (batch.size() >= config.batchSize()) {
            scoreBatch();
        } else if (!flushScheduled) {
            flushScheduled = true;
            getProcessingTimeService().registerTimer(
                    getProcessingTimeService().getCurrentProcessingTime(), t -> {
                        flushScheduled = false;
                        scoreBatch();
                    });
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

    private void scoreBatch() throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        Object previousKey = getCurrentKey();
        long[] requested = batch.requestTimes();
        long started = System.nanoTime();
        List<UserList> lists = batch.score(cache.matrix(), now());
        long scored = now();
        long elapsedNanos = System.nanoTime() - started;
        pacer.recordScoring(scored, elapsedNanos / 1e6);
        usersScored.inc(lists.size());
        scoringMicros.inc(elapsedNanos / 1000);
        for (long t : requested) {
            lastRefreshLagMs = Math.max(0, scored - t);
            refreshLag.update(lastRefreshLagMs);
        }
        // the lists' users are not the current key: switch to each to remember its list
        for (UserList list : lists) {
            output.collect(new StreamRecord<>(list));
            listsEmitted.inc();
            setCurrentKey(list.user);
            UserState s = userState.value();
            if (s != null) {
                s.lastList = list.items;
                userState.update(s);
            }
        }
        if (previousKey != null) {
            setCurrentKey(previousKey);
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        scoreBatch();
        String origin = getRuntimeContext().getJobInfo().getJobId().toHexString();
        for (ItemDelta d : cache.flush(origin, checkpointId, subtask)) {
            output.collect(ITEM_DELTAS, new StreamRecord<>(d));
        }
    }

    @Override
    public void finish() throws Exception {
        prepareSnapshotPreBarrier(-1);
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (batch != null) {
            batch.close(); // stops the index builder thread, if any
        }
        super.close();
    }
}
