package io.streamrec.operators;

import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.model.RecentItems;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.OnlineHit;
import io.streamrec.operators.records.UserList;
import io.streamrec.operators.scoring.ItemMatrix;
import io.streamrec.operators.scoring.JavaTopNKernel;
import io.streamrec.operators.scoring.ScoredItems;
import io.streamrec.operators.scoring.ScoringKernel;
import io.streamrec.operators.scoring.TopNKernel;
import io.streamrec.operators.state.UserState;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The user side of the parameter server, and the scorer.
 *
 * <p>Input 1 (keyed by user): de-duplicated interactions. Each one is applied at once to the
 * user's vector p_u (keyed state), and the matching updates of the item vectors are added to a
 * per-item {@link ItemDelta} held on the heap and to the local item cache. The deltas are emitted
 * to {@link #ITEM_DELTAS} in {@link #prepareSnapshotPreBarrier}, one record per touched item per
 * checkpoint, and reach the {@link ItemServer} through the exactly-once gradient topic.
 *
 * <p>Input 2 (broadcast): the ItemServer's item vectors, kept in a heap {@link ItemMatrix}. The
 * cache is not checkpointed; after a restore every ItemServer subtask re-sends its items and then a
 * marker, and no list is computed before all markers have arrived.
 *
 * <p>Refreshes are coalesced: a user whose vector changed gets one processing-time timer, aligned
 * to the refresh interval so that many users fire together; fired users are scored in batches
 * (matrix × matrix) and their lists emitted with a version that increases per user.
 *
 * <p>Exactly-once: everything that is emitted from heap buffers (pending deltas, the scoring batch)
 * is emitted before the checkpoint barrier, so the state of a checkpoint and the records it
 * produced always agree.
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

    /** Popularity timestamps are measured from this instant (2020-01-01) to keep exponents small. */
    public static final long POPULARITY_EPOCH_MS = 1_577_836_800_000L;

    private static final int RECENT_ITEMS = 20_000;
    private static final int SMALL_BATCH = 8;
    private static final int MAX_UNCONFIRMED_CHECKPOINTS = 10;

    private final ModelConfig model;
    private final int topN;
    private final long refreshIntervalMs;
    private final int batchSize;
    private final int maxSeen;
    private final OnlineEvaluation evaluation;
    private final ScoringKernel scoringKernel;

    private transient ValueState<UserState> userState;
    private transient InternalTimerService<VoidNamespace> refreshTimers;
    private transient ItemMatrix items;
    private transient TopNKernel kernel;
    /** jblas pays a large fixed cost per call; for one or a few users the Java kernel is ~20× faster. */
    private transient TopNKernel singleUserKernel;
    private transient BitSet markers;
    private transient int expectedMarkers;
    private transient Map<String, ItemDelta> pendingDeltas;
    /** Deltas pushed to the gradient topic whose application the ItemServer has not confirmed yet. */
    private transient Map<String, List<ItemDelta>> inFlight;
    private transient int subtask;
    private transient RecentItems recentItems;
    private transient SplittableRandom random;
    private transient List<PendingRefresh> batch;
    private transient boolean flushScheduled;

    private transient Counter interactionsApplied;
    private transient Counter updatesRejected;
    private transient Counter listsEmitted;
    private transient Counter hits;
    private transient Counter evaluated;

    // scratch buffers, reused for every interaction
    private transient float[] gp;

    public UserWorker(ModelConfig model, int topN, Duration refreshInterval, int batchSize, int maxSeen) {
        this(model, topN, refreshInterval, batchSize, maxSeen, OnlineEvaluation.LAST_LIST, ScoringKernel.JAVA);
    }

    public UserWorker(ModelConfig model, int topN, Duration refreshInterval, int batchSize, int maxSeen,
                      OnlineEvaluation evaluation) {
        this(model, topN, refreshInterval, batchSize, maxSeen, evaluation, ScoringKernel.JAVA);
    }

    public UserWorker(ModelConfig model, int topN, Duration refreshInterval, int batchSize, int maxSeen,
                      OnlineEvaluation evaluation, ScoringKernel scoringKernel) {
        this.evaluation = evaluation;
        this.scoringKernel = scoringKernel;
        this.model = model;
        this.topN = topN;
        this.refreshIntervalMs = Math.max(1, refreshInterval.toMillis());
        this.batchSize = batchSize;
        this.maxSeen = maxSeen;
    }

    @Override
    public void open() throws Exception {
        super.open();
        userState = getPartitionedState(new ValueStateDescriptor<>("user", UserState.class));
        refreshTimers = getInternalTimerService("refresh", VoidNamespaceSerializer.INSTANCE, this);
        items = new ItemMatrix(model.dimension());
        kernel = scoringKernel.create();
        singleUserKernel = new JavaTopNKernel();
        markers = new BitSet();
        expectedMarkers = 0;
        pendingDeltas = new LinkedHashMap<>();
        inFlight = new HashMap<>();
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        recentItems = new RecentItems(RECENT_ITEMS);
        random = new SplittableRandom(model.seed() ^ (31L * getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
        batch = new ArrayList<>();
        gp = new float[model.dimension()];
        interactionsApplied = getMetricGroup().counter("interactionsApplied");
        updatesRejected = getMetricGroup().counter("updatesRejected");
        listsEmitted = getMetricGroup().counter("listsEmitted");
        hits = getMetricGroup().counter("onlineHits");
        evaluated = getMetricGroup().counter("onlineEvaluated");
        getMetricGroup().gauge("cachedItems", () -> items.size());
    }

    // ---------------------------------------------------------------- interactions (input 1)

    @Override
    public void processElement1(StreamRecord<Interaction> element) throws Exception {
        Interaction event = element.getValue();
        UserState s = userState.value();
        if (s == null) {
            s = newUser(event.user);
        }
        measureOnline(s, event);

        float weight = weightOf(event);
        if (weight != 0f && !learn(s, event, weight)) {
            updatesRejected.inc();
        }
        ItemDelta delta = delta(event.item);
        delta.interactions++;
        int itemRow = cachedRow(event.item);
        items.setInteractions(itemRow, items.interactionsAt(itemRow) + 1);
        delta.maxTs = Math.max(delta.maxTs, event.ts);
        if (weight > 0f) {
            delta.popularityLog = FactorMath.logAdd(delta.popularityLog,
                    Math.log(weight) + model.popularityDecayPerMilli() * (event.ts - POPULARITY_EPOCH_MS));
            recentItems.add(event.item);
        }
        s.interactions++;
        s.lastTs = Math.max(s.lastTs, event.ts);
        s.seen = remember(s.seen, event.item);
        interactionsApplied.inc();

        if (!s.refreshPending) {
            s.refreshPending = true;
            refreshTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, nextRefreshTime());
        }
        userState.update(s);
    }

    private UserState newUser(String user) {
        UserState s = new UserState();
        s.p = FactorMath.initVector(user, model.dimension(), model.initScale(), model.seed());
        s.seen = new String[0];
        return s;
    }

    private float weightOf(Interaction event) {
        if (event.type == EventType.RATING) {
            return model.ratingWeight(event.value);
        }
        return model.weight(event.type);
    }

    /**
     * One SGD step for the interaction. The gradients of the user and of every touched item are
     * computed first, each vector then steps with its own size, which decays with the vector's
     * interactions ({@link FactorMath#stepSize}). The updates are applied only if the new user vector
     * and every item update are finite and bounded, so one bad record can never poison the model.
     * Returns false when the update was rejected.
     */
    private boolean learn(UserState s, Interaction event, float weight) {
        int dim = model.dimension();
        Arrays.fill(gp, 0f);
        float gbu = 0f;
        int row = cachedRow(event.item);
        float[] qi = items.vectorAt(row);
        float bi = items.biasAt(row);
        List<Touched> touched = new ArrayList<>(model.negatives() + 1);
        Touched ti = new Touched(event.item, row, dim);
        touched.add(ti);

        boolean pairwise = weight > 0f && model.loss() == ModelConfig.Loss.BPR;
        if (!pairwise) {
            float g = FactorMath.pointwiseGradient(s.p, s.b, qi, bi, weight > 0f ? 1f : 0f, Math.abs(weight), gp, ti.g);
            ti.gb += g;
            gbu += g;
        }
        if (weight > 0f) {
            for (int k = 0; k < model.negatives(); k++) {
                int negRow = sampleNegative(s, event.item);
                if (negRow < 0) {
                    break;
                }
                Touched tj = new Touched(items.idAt(negRow), negRow, dim);
                touched.add(tj);
                float[] qj = items.vectorAt(negRow);
                float bj = items.biasAt(negRow);
                if (pairwise) {
                    float g = FactorMath.bprGradient(s.p, qi, bi, qj, bj, weight, gp, ti.g, tj.g);
                    ti.gb += g;
                    tj.gb -= g;
                } else {
                    float g = FactorMath.pointwiseGradient(s.p, s.b, qj, bj, 0f, 1f, gp, tj.g);
                    tj.gb += g;
                    gbu += g;
                }
            }
        }

        float userStep = FactorMath.stepSize(model.learningRate(), s.interactions, model.userStepHalving());
        float[] newP = s.p.clone();
        FactorMath.ascend(newP, gp, userStep, model.regularization(), model.gradientClip());
        float newB = s.b + userStep * (gbu - model.biasRegularization() * s.b);
        if (!FactorMath.isSane(newP, model.maxNorm()) || !FactorMath.isSane(newB, model.maxNorm())) {
            return false;
        }
        for (Touched t : touched) {
            float step = FactorMath.stepSize(model.learningRate(), items.interactionsAt(t.row), model.itemStepHalving());
            float[] q = items.vectorAt(t.row);
            for (int k = 0; k < dim; k++) {
                t.dq[k] = step * (t.g[k] - model.regularization() * q[k]);
            }
            FactorMath.clip(t.dq, model.gradientClip());
            t.db = step * (t.gb - model.biasRegularization() * items.biasAt(t.row));
            if (!FactorMath.isSane(t.dq, model.maxNorm()) || !FactorMath.isSane(t.db, model.maxNorm())) {
                return false;
            }
        }
        s.p = newP;
        s.b = newB;
        for (Touched t : touched) {
            ItemDelta d = delta(t.item);
            float[] q = items.vectorAt(t.row);
            for (int k = 0; k < dim; k++) {
                d.dq[k] += t.dq[k];
                q[k] += t.dq[k];
            }
            d.db += t.db;
            items.upsert(t.item, q, items.biasAt(t.row) + t.db);
        }
        return true;
    }

    /**
     * A negative item for the user: not the positive one and not already seen. Draws
     * {@code negativePool} candidates (uniformly from the cache, or from the recent-items reservoir)
     * and returns the one the model currently ranks highest for the user, i.e. the most informative
     * mistake (adaptive, WARP-like sampling). Returns -1 when no candidate qualifies.
     */
    private int sampleNegative(UserState s, String positive) {
        int best = -1;
        float bestScore = Float.NEGATIVE_INFINITY;
        int pool = model.negativePool();
        int drawn = 0;
        for (int attempt = 0; attempt < 2 * pool + 3 && drawn < pool; attempt++) {
            String candidate = model.negativeSampling() == ModelConfig.NegativeSampling.POPULAR && recentItems.size() > 0
                    ? recentItems.sample(random)
                    : (items.size() > 0 ? items.idAt(random.nextInt(items.size())) : null);
            if (candidate == null) {
                return -1;
            }
            if (candidate.equals(positive) || contains(s.seen, candidate)) {
                continue;
            }
            int row = cachedRow(candidate);
            float score = pool == 1 ? 0f : items.biasAt(row) + FactorMath.dot(s.p, items.vectorAt(row));
            drawn++;
            if (best < 0 || score > bestScore) {
                best = row;
                bestScore = score;
            }
        }
        return best;
    }

    /** Row of the item in the cache, adding it with its seeded initial vector when it is new. */
    private int cachedRow(String item) {
        int row = items.indexOf(item);
        if (row < 0) {
            row = items.upsert(item, FactorMath.initVector(item, model.dimension(), model.initScale(), model.seed()), 0f);
        }
        return row;
    }

    private ItemDelta delta(String item) {
        return pendingDeltas.computeIfAbsent(item, i -> new ItemDelta(i, model.dimension()));
    }

    private void measureOnline(UserState s, Interaction event) {
        int rank;
        int size;
        if (evaluation == OnlineEvaluation.LAST_LIST && s.lastList != null && s.lastList.length > 0) {
            rank = indexOf(s.lastList, event.item);
            size = s.lastList.length;
        } else if (evaluation == OnlineEvaluation.EXACT && items.size() > 0) {
            ScoredItems top = singleUserKernel.topN(items, new float[][] {s.p}, new float[] {s.b},
                    new int[][] {excludedRows(s.seen)}, topN)[0];
            int row = items.indexOf(event.item);
            rank = -1;
            for (int k = 0; k < top.size() && row >= 0; k++) {
                if (top.rows()[k] == row) {
                    rank = k;
                    break;
                }
            }
            size = top.size();
        } else {
            return;
        }
        evaluated.inc();
        if (rank >= 0) {
            hits.inc();
        }
        output.collect(ONLINE_EVALUATION, new StreamRecord<>(new OnlineHit(event.user, event.item, event.ts, rank, size)));
    }

    private static int indexOf(String[] values, String value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i].equals(value)) {
                return i;
            }
        }
        return -1;
    }

    private String[] remember(String[] seen, String item) {
        if (contains(seen, item)) {
            return seen;
        }
        if (seen.length < maxSeen) {
            String[] grown = Arrays.copyOf(seen, seen.length + 1);
            grown[seen.length] = item;
            return grown;
        }
        String[] shifted = new String[seen.length];
        System.arraycopy(seen, 1, shifted, 0, seen.length - 1);
        shifted[seen.length - 1] = item;
        return shifted;
    }

    private static boolean contains(String[] values, String value) {
        for (String v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private long nextRefreshTime() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        return (now / refreshIntervalMs + 1) * refreshIntervalMs;
    }

    // ---------------------------------------------------------------- item vectors (input 2)

    @Override
    public void processElement2(StreamRecord<ItemUpdate> element) {
        ItemUpdate update = element.getValue();
        if (update.isMarker()) {
            markers.set(update.markerFrom);
            expectedMarkers = update.markerTotal;
            return;
        }
        List<ItemDelta> unconfirmed = inFlight.get(update.item);
        if (unconfirmed != null && update.appliedFrom == subtask) {
            // the ItemServer has applied our delta of that checkpoint (and, in topic order, all earlier ones)
            unconfirmed.removeIf(d -> d.checkpointId <= update.appliedCheckpoint);
            if (unconfirmed.isEmpty()) {
                inFlight.remove(update.item);
                unconfirmed = null;
            }
        }
        ItemDelta pending = pendingDeltas.get(update.item);
        if (pending == null && unconfirmed == null) {
            items.setInteractions(items.upsert(update.item, update.q, update.b), update.interactions);
            return;
        }
        // keep this subtask's own contributions that the authoritative value does not contain yet:
        // pushed but not applied by the ItemServer, and not pushed at all
        float[] q = update.q.clone();
        float b = update.b;
        long interactions = update.interactions;
        if (unconfirmed != null) {
            for (ItemDelta d : unconfirmed) {
                for (int k = 0; k < q.length; k++) {
                    q[k] += d.dq[k];
                }
                b += d.db;
                interactions += d.interactions;
            }
        }
        if (pending != null) {
            for (int k = 0; k < q.length; k++) {
                q[k] += pending.dq[k];
            }
            b += pending.db;
            interactions += pending.interactions;
        }
        items.setInteractions(items.upsert(update.item, q, b), interactions);
    }

    private boolean cacheReady() {
        return expectedMarkers > 0 && markers.cardinality() >= expectedMarkers;
    }

    // ---------------------------------------------------------------- refresh and scoring

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        UserState s = userState.value();
        if (s == null) {
            return;
        }
        if (!cacheReady()) {
            // after a restore: wait until every ItemServer subtask has re-sent its items
            refreshTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, nextRefreshTime());
            return;
        }
        s.refreshPending = false;
        s.version++;
        PendingRefresh r = new PendingRefresh();
        r.user = timer.getKey();
        r.p = s.p.clone();
        r.bias = s.b;
        r.excluded = excludedRows(s.seen);
        r.version = s.version;
        r.interactions = s.interactions;
        r.eventTs = s.lastTs;
        batch.add(r);
        // the list itself is stored when the batch is scored; keep the state consistent now
        userState.update(s);
        if (batch.size() >= batchSize) {
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
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // no event-time timers
    }

    private int[] excludedRows(String[] seen) {
        int[] rows = new int[seen.length];
        int n = 0;
        for (String item : seen) {
            int row = items.indexOf(item);
            if (row >= 0) {
                rows[n++] = row;
            }
        }
        return n == rows.length ? rows : Arrays.copyOf(rows, n);
    }

    private void scoreBatch() throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        int b = batch.size();
        float[][] users = new float[b][];
        float[] offsets = new float[b];
        int[][] excluded = new int[b][];
        for (int u = 0; u < b; u++) {
            PendingRefresh r = batch.get(u);
            users[u] = r.p;
            offsets[u] = r.bias;
            excluded[u] = r.excluded;
        }
        ScoredItems[] top = (b < SMALL_BATCH ? singleUserKernel : kernel).topN(items, users, offsets, excluded, topN);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        Object previousKey = getCurrentKey();
        for (int u = 0; u < b; u++) {
            PendingRefresh r = batch.get(u);
            UserList list = new UserList();
            list.user = r.user;
            list.items = new String[top[u].size()];
            list.scores = top[u].scores();
            for (int k = 0; k < list.items.length; k++) {
                list.items[k] = items.idAt(top[u].rows()[k]);
            }
            list.version = r.version;
            list.updated = now;
            list.eventTs = r.eventTs;
            list.interactions = r.interactions;
            output.collect(new StreamRecord<>(list));
            listsEmitted.inc();
            setCurrentKey(r.user);
            UserState s = userState.value();
            if (s != null) {
                s.lastList = list.items;
                userState.update(s);
            }
        }
        if (previousKey != null) {
            setCurrentKey(previousKey);
        }
        batch.clear();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        scoreBatch();
        String origin = getRuntimeContext().getJobInfo().getJobId().toHexString();
        for (ItemDelta d : pendingDeltas.values()) {
            d.origin = origin;
            d.checkpointId = checkpointId;
            d.sender = subtask;
            output.collect(ITEM_DELTAS, new StreamRecord<>(d));
            inFlight.computeIfAbsent(d.item, i -> new ArrayList<>(2)).add(d);
        }
        pendingDeltas.clear();
        // a delta that never comes back (the ItemServer refused it) must not stay in the cache forever
        inFlight.values().removeIf(list -> {
            list.removeIf(d -> d.checkpointId < checkpointId - MAX_UNCONFIRMED_CHECKPOINTS);
            return list.isEmpty();
        });
    }

    @Override
    public void finish() throws Exception {
        prepareSnapshotPreBarrier(-1);
        super.finish();
    }

    /** An item that one interaction's SGD step touches: its gradient, then its update. */
    private static final class Touched {
        final String item;
        final int row;
        final float[] g;
        float gb;
        final float[] dq;
        float db;

        Touched(String item, int row, int dim) {
            this.item = item;
            this.row = row;
            this.g = new float[dim];
            this.dq = new float[dim];
        }
    }

    private static final class PendingRefresh {
        String user;
        float[] p;
        float bias;
        int[] excluded;
        long version;
        long interactions;
        long eventTs;
    }
}
