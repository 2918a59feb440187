package io.streamrec.operators.item;

import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemMetadata;
import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.state.ItemState;
import io.streamrec.operators.state.SavepointLayout;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The item side of the parameter server: owner of every item's vector q_i, bias b_i and counters
 * (keyed state, keyed by item). It applies the aggregated {@link ItemDelta}s that the UserWorkers
 * push through the gradient topic, and broadcasts the new vector to every UserWorker's cache.
 *
 * <p>Gradients of other runs are refused. Every delta carries the run that produced it and the
 * checkpoint whose barrier followed it. A run is one submission of the job graph: its id is fixed
 * when the graph is built (at submit, so also at every restore from a savepoint) and given to
 * this operator, and the job stamps the same id on every gradient it sends. The JobID is not used:
 * Flink does not promise it is unique per run (application mode with HA fixes it, and
 * {@code $internal.pipeline.job-id} pins it). After a restore in a new run, every earlier run found
 * in the snapshot is accepted only up to the snapshot's checkpoint: what it committed later is
 * recomputed by this run's replay and must not be applied twice, and a run going on alongside from
 * the same savepoint (a shadow replay) never feeds this one. A failover within the run restores
 * with the same run id and keeps accepting its own gradients. Without a run id (the one-argument
 * constructor) the JobID stands in for it, as before.
 *
 * <p>A new run takes over what the runs before it published. The runs found in the snapshot are
 * those of its {@code accepted-gradient-origins}: when this run is not among them, the restore
 * starts a new run (a failover within the run restores a checkpoint that names it), and with
 * {@link RefreshOnRestore#NEW_RUN} (the default) this subtask then acts as on a republish request
 * once its resend is out: every item's stats again (item meta and the popular list, with this run's
 * versions) and a request to every UserWorker to rewrite every list from the restored state, also
 * of users who never interact again. Each subtask sends the same request id, so a UserWorker acts once.
 *
 * <p>After a start or restore it re-sends all of its items followed by a marker carrying its
 * subtask index, so the UserWorkers can rebuild their (non-checkpointed) caches and know when they
 * are complete; each re-sent item names the sender and checkpoint of its last applied delta, which
 * tells a UserWorker which of its restored in-flight deltas the vector already contains. Deltas
 * that would make a vector non-finite or larger than the configured norm are refused and counted,
 * never stored.
 *
 * <p>Bounded: new items past this subtask's share of {@code model.max-items} are refused ({@link
 * ItemCap}), and an item without interactions for {@code state.item-ttl} of event time leaves the
 * state, every UserWorker's cache and (through its stats) Redis and the popular list ({@link
 * ItemExpiry}). Watermarks from the gradient source do not drive the expiry timers: they are
 * forwarded only.
 *
 * <p>Item metadata (the item topic's categories and availability, {@link ItemMetadata}) arrives on the
 * same keyed input and is kept in a state of its own ({@code item-metadata}): the record with the
 * newest {@code ts} wins, older ones are ignored (metric {@code itemMetadataStale}). A change is
 * broadcast to every UserWorker ({@link ItemUpdate#metadata}) whether or not the item is in the model
 * yet (the caches keep it by id and apply it when the item arrives), and again in every resend; an
 * unavailable item's stats say so, which takes it out of the popular list. Metadata stays when the
 * item expires (it is the catalogue's, not the model's); it is bounded like the items, by this
 * subtask's share of {@code model.max-items} (past it: {@code itemMetadataRefused}).
 *
 * <p>Long because it is the one owner of an item's state and of every path that changes it
 * (deltas under run fencing and the cap, retirement, expiry, republish, the resend after a
 * restart); each path is short and the expiry's bookkeeping is in {@link ItemExpiry}, but the paths
 * share the state's invariants, which one class keeps in view.
 */
public class ItemServer extends AbstractStreamOperator<ItemUpdate>
        implements OneInputStreamOperator<ItemDelta, ItemUpdate>, Triggerable<String, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    /** Side output: per-item counters after each applied delta. */
    public static final OutputTag<ItemStats> ITEM_STATS =
            new OutputTag<>("item-stats", TypeInformation.of(ItemStats.class));

    private final ModelConfig model;
    /** The id of this run, stamped on its gradients; null: the JobID. */
    private final String runId;
    private final Duration itemTtl;
    private final RefreshOnRestore refreshOnRestore;

    private transient ValueState<ItemState> itemState;
    private transient ValueState<ItemMetadata> metadataState;
    /** Items with metadata in this subtask's state, counted from the state at every start. */
    private transient long metadataItems;
    private transient Counter metadataApplied;
    private transient Counter metadataStale;
    private transient Counter metadataRefused;
    private transient Counter deltasApplied;
    private transient Counter deltasRejected;
    private transient Counter deltasFromOtherRuns;
    private transient Counter itemsRefused;
    private transient Counter deltasOfRetiredItems;
    private transient Counter deltasOfUnknownItems;
    private transient Counter itemsExpired;
    private transient ItemExpiry expiry;
    /** Items restored without expiry timers wait for them until the clock is known (see {@link #registerExpiryOfAllItems}). */
    private transient boolean expiryScanPending;
    /** Items in this subtask's state, counted from the state at every start. */
    private transient long items;
    /** This subtask's share of {@code model.max-items}: the share of the key groups it owns. */
    private transient long itemShare;
    /** Producing run (or, from older releases, job) → highest accepted checkpoint id (Long.MAX_VALUE: everything). */
    private transient Map<String, Long> acceptedOrigins;
    private transient ListState<Tuple2<String, Long>> acceptedOriginsState;
    /** The republish request this subtask acted on last (its markers arrive once per key group). */
    private transient String lastRepublish;
    /** The request id of this restore's takeover ({@link RefreshOnRestore}), sent after the resend; null: none. */
    private transient String takeover;

    public ItemServer(ModelConfig model) {
        this(model, null);
    }

    /**
     * @param runId unique per run (submission), the same in every restart of the run, and equal
     *     to the origin the job stamps on the gradients this run sends
     */
    public ItemServer(ModelConfig model, String runId) {
        this(model, runId, Duration.ZERO);
    }

    /** @param itemTtl {@code state.item-ttl}: items idle this long in event time leave the model (0: never) */
    public ItemServer(ModelConfig model, String runId, Duration itemTtl) {
        this(model, runId, itemTtl, RefreshOnRestore.NEW_RUN);
    }

    /** @param refreshOnRestore {@code recs.refresh-on-restore}: which restores rewrite everything this job publishes */
    public ItemServer(ModelConfig model, String runId, Duration itemTtl, RefreshOnRestore refreshOnRestore) {
        this.model = model;
        this.runId = runId;
        this.itemTtl = itemTtl;
        this.refreshOnRestore = refreshOnRestore;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        acceptedOriginsState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(
                "accepted-gradient-origins", TypeInformation.of(new TypeHint<Tuple2<String, Long>>() {})));
        acceptedOrigins = new HashMap<>();
        for (Tuple2<String, Long> origin : acceptedOriginsState.get()) {
            acceptedOrigins.merge(origin.f0, origin.f1, Math::max);
        }
        String current = currentRun();
        takeover = null;
        if (context.isRestored()) {
            // the snapshot of a run names it (every run puts itself in): absent, this restore starts a new run
            boolean newRun = !acceptedOrigins.containsKey(current);
            if (refreshOnRestore.refreshes(newRun)) {
                takeover = "restore:" + current + "@" + context.getRestoredCheckpointId().orElse(-1L);
            }
            long restoredCheckpoint = context.getRestoredCheckpointId().orElse(Long.MAX_VALUE);
            acceptedOrigins.replaceAll((job, upTo) ->
                    upTo == Long.MAX_VALUE && !job.equals(current) ? restoredCheckpoint : upTo);
        }
        acceptedOrigins.put(current, Long.MAX_VALUE);
        expiry = new ItemExpiry(itemTtl);
        expiry.initializeState(context.getOperatorStateStore(), context.isRestored());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Tuple2<String, Long>> origins = new ArrayList<>();
        acceptedOrigins.forEach((job, upTo) -> origins.add(Tuple2.of(job, upTo)));
        acceptedOriginsState.update(origins);
        expiry.snapshotState();
    }

    private String currentRun() {
        return runId != null ? runId : getRuntimeContext().getJobInfo().getJobId().toHexString();
    }

    @Override
    public void open() throws Exception {
        super.open();
        itemState = getPartitionedState(SavepointLayout.itemState());
        metadataState = getPartitionedState(SavepointLayout.itemMetadata());
        metadataApplied = getMetricGroup().counter("itemMetadataApplied");
        metadataStale = getMetricGroup().counter("itemMetadataStale");
        metadataRefused = getMetricGroup().counter("itemMetadataRefused");
        deltasApplied = getMetricGroup().counter("deltasApplied");
        deltasRejected = getMetricGroup().counter("deltasRejected");
        deltasFromOtherRuns = getMetricGroup().counter("deltasFromOtherRuns");
        itemsRefused = getMetricGroup().counter("itemsRefused");
        deltasOfRetiredItems = getMetricGroup().counter("deltasOfRetiredItems");
        deltasOfUnknownItems = getMetricGroup().counter("deltasOfUnknownItems");
        itemsExpired = getMetricGroup().counter("itemsExpired");
        expiry.open(getInternalTimerService("item-expiry", VoidNamespaceSerializer.INSTANCE, this));
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> keys = backend.getKeys(SavepointLayout.ITEM, VoidNamespace.INSTANCE)) {
            items = keys.count();
        }
        try (Stream<String> keys = backend.getKeys(SavepointLayout.ITEM_METADATA, VoidNamespace.INSTANCE)) {
            metadataItems = keys.count();
        }
        getMetricGroup().gauge("itemsWithMetadata", () -> metadataItems);
        TaskInfo task = getRuntimeContext().getTaskInfo();
        itemShare = ItemCap.share(model.maxItems(), KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                task.getMaxNumberOfParallelSubtasks(), task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask())
                .getNumberOfKeyGroups(), task.getMaxNumberOfParallelSubtasks());
        getMetricGroup().gauge("items", () -> items);
        getMetricGroup().gauge("itemShare", () -> itemShare);
        // Emitting from open() is not allowed; a timer callback runs on the task thread right away.
        getProcessingTimeService().registerTimer(
                getProcessingTimeService().getCurrentProcessingTime(), t -> {
                    expiryScanPending = expiry.needsTimersForAllItems();
                    if (expiryScanPending && expiry.clock() != Long.MIN_VALUE) {
                        registerExpiryOfAllItems();
                    }
                    resendAll();
                    if (takeover != null) {
                        LOG.info("ItemServer subtask {}: restored by {} ({}, recs.refresh-on-restore {}): "
                                        + "republishing everything", getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                                currentRun(), takeover, refreshOnRestore);
                        republish(takeover);
                        takeover = null;
                    }
                });
    }

    @Override
    public void processElement(StreamRecord<ItemDelta> element) throws Exception {
        ItemDelta d = element.getValue();
        if (d.isMetadata()) {
            metadata(d.metadata); // from the item topic's source: no run to fence
            return;
        }
        if (d.origin != null) {
            Long upTo = acceptedOrigins.get(d.origin);
            if (upTo == null || d.checkpointId > upTo) {
                deltasFromOtherRuns.inc();
                return;
            }
        }
        if (d.isRepublishMarker()) {
            republish(d.republish);
            return;
        }
        ItemState s = itemState.value();
        if (d.isRetirementMarker()) {
            retirement(d, s);
            return;
        }
        if (s != null && s.retired) {
            deltasOfRetiredItems.inc(); // sent before the retirement reached the sender
            return;
        }
        if (s == null && d.interactions == 0) {
            // only negative samples, of an item that left the model (expired) before they reached it
            deltasOfUnknownItems.inc();
            output.collect(new StreamRecord<>(ItemUpdate.removed(d.item, false)));
            return;
        }
        long touchedBefore = s == null || s.interactions == 0 ? Long.MIN_VALUE : s.lastTs;
        if (s == null) {
            if (items >= itemShare) {
                // model.max-items: the item stays out of the model, and out of the UserWorkers' caches
                itemsRefused.inc();
                output.collect(new StreamRecord<>(ItemUpdate.removed(d.item, false)));
                return;
            }
            items++;
            s = newItem(d.item);
        }
        if (d.dq.length != s.q.length) {
            throw new IllegalStateException("gradient for item '" + d.item + "' has dimension " + d.dq.length
                    + " but the model has " + s.q.length + " (did the dimension option change?)");
        }
        float[] q = s.q.clone();
        for (int k = 0; k < q.length; k++) {
            q[k] += d.dq[k];
        }
        float b = s.b + d.db;
        if (FactorMath.isSane(q, model.maxNorm()) && FactorMath.isSane(b, model.maxNorm())) {
            s.q = q;
            s.b = b;
            deltasApplied.inc();
        } else {
            s.rejectedDeltas++;
            deltasRejected.inc();
        }
        // counts are applied even when the vector update is refused: the interactions did happen
        s.interactions += d.interactions;
        s.popularityLog = FactorMath.logAdd(s.popularityLog, d.popularityLog);
        s.lastTs = Math.max(s.lastTs, d.maxTs);
        s.lastAppliedFrom = d.sender;
        s.lastAppliedCheckpoint = d.checkpointId;
        itemState.update(s);
        ItemUpdate update = new ItemUpdate(d.item, s.q, s.b, s.interactions);
        update.appliedFrom = d.sender;
        update.appliedCheckpoint = d.checkpointId;
        output.collect(new StreamRecord<>(update));
        output.collect(ITEM_STATS, new StreamRecord<>(stats(d.item, s)));
        if (d.interactions > 0) {
            expiry.itemTouched(touchedBefore, s.lastTs);
            if (expiryScanPending) {
                registerExpiryOfAllItems();
            }
            // the expiries fired here change the current key: nothing of this delta comes after
            expiry.advance(timeServiceManager);
        }
    }

    /**
     * An item's expiry timer: it leaves the state (a retired item stays, kept for un-retiring), the
     * UserWorkers' caches and lists, the popular list, and its meta leaves Redis.
     */
    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        ItemState s = itemState.value();
        if (s == null || s.retired || s.interactions == 0 || !expiry.expired(s.lastTs, timer.getTimestamp())) {
            return;
        }
        String item = timer.getKey();
        itemState.clear();
        items--;
        itemsExpired.inc();
        output.collect(new StreamRecord<>(ItemUpdate.expired(item)));
        ItemStats stats = new ItemStats(item, s.interactions, s.b, s.popularityLog, s.lastTs);
        stats.expired = true;
        output.collect(ITEM_STATS, new StreamRecord<>(stats));
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}

    /** Forwarded only: the item expiry runs on the clock of the applied interactions ({@link ItemExpiry}). */
    @Override
    public void processWatermark(Watermark mark) {
        output.emitWatermark(mark);
    }

    /**
     * After a restore from state without expiry timers for this TTL: one timer per item with
     * interactions. An item without an interaction time (bootstrapped from factor files) counts
     * from the clock, so this waits until the clock is known: restored, or the first interaction.
     */
    private void registerExpiryOfAllItems() throws Exception {
        expiryScanPending = false;
        List<String> keys = itemKeys();
        Object previous = getCurrentKey();
        for (String key : keys) {
            setCurrentKey(key);
            ItemState s = itemState.value();
            if (s != null && !s.retired && s.interactions > 0) {
                expiry.itemTouched(Long.MIN_VALUE, s.lastTs > 0 ? s.lastTs : expiry.clock());
            }
        }
        if (previous != null) {
            setCurrentKey(previous);
        }
        LOG.info("ItemServer subtask {}: expiry timers registered for {} items (state.item-ttl {})",
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), keys.size(), itemTtl);
    }

    /**
     * Retires or un-retires the item. A retired item keeps its state (vector, counters, the flag)
     * so that un-retiring restores it; the UserWorkers drop it from their caches and the popular
     * list drops it. Retiring an item the model does not hold yet keeps the flag (a new state with
     * the seeded vector) if the share of {@code model.max-items} has room, so its first gradients
     * are refused too.
     */
    private void retirement(ItemDelta d, ItemState s) throws Exception {
        boolean retire = d.retirement == ItemDelta.RETIRE;
        if (s == null) {
            if (!retire) {
                return; // nothing to bring back
            }
            if (items < itemShare) {
                items++;
                s = newItem(d.item);
            }
        }
        if (s != null) {
            s.retired = retire;
            itemState.update(s);
            ItemStats stats = stats(d.item, s);
            stats.retired = retire;
            output.collect(ITEM_STATS, new StreamRecord<>(stats));
        }
        output.collect(new StreamRecord<>(retire
                ? ItemUpdate.removed(d.item, true)
                : new ItemUpdate(d.item, s.q, s.b, s.interactions)));
        LOG.info("item '{}' {}", d.item, retire ? "retired" : "un-retired");
    }

    /**
     * A republish request: every item's stats again (item meta in Redis, and through the popularity
     * ranker the popular list), then one request to every UserWorker subtask to re-emit its users'
     * lists. Each UserWorker sends one marker per key group, so a subtask sees the same request
     * several times; it acts on the first. A restore that takes over ({@link RefreshOnRestore}) comes
     * here too, without markers.
     */
    private void republish(String requestId) throws Exception {
        if (requestId.equals(lastRepublish)) {
            return;
        }
        lastRepublish = requestId;
        Object previous = getCurrentKey();
        long[] items = {0};
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                SavepointLayout.itemState(), (item, state) -> {
                    ItemState s = state.value();
                    if (s != null) {
                        ItemStats stats = stats(item, s);
                        stats.republished = true;
                        stats.retired = s.retired;
                        output.collect(ITEM_STATS, new StreamRecord<>(stats));
                        items[0]++;
                    }
                });
        if (previous != null) {
            setCurrentKey(previous);
        }
        output.collect(new StreamRecord<>(ItemUpdate.republish(requestId)));
        LOG.info("ItemServer subtask {}: republish request '{}', stats of {} items re-emitted",
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), requestId, items[0]);
    }

    /** A new item of the model: its seeded vector, and the availability its metadata (if any) gives it. */
    private ItemState newItem(String item) throws Exception {
        ItemState s = new ItemState();
        s.q = FactorMath.initVector(item, model.dimension(), model.initScale(), model.seed());
        ItemMetadata m = metadataState.value();
        s.unavailable = m != null && !m.available;
        return s;
    }

    private static ItemStats stats(String item, ItemState s) {
        ItemStats stats = new ItemStats(item, s.interactions, s.b, s.popularityLog, s.lastTs);
        stats.unavailable = s.unavailable;
        return stats;
    }

    /**
     * A record of the item topic (the current key is its item): kept if newer than the one kept,
     * and a change of what it says is broadcast; an item of the model that becomes unavailable (or
     * available again) also re-emits its stats, which take it out of (or back into) the popular list.
     */
    private void metadata(ItemMetadata m) throws Exception {
        ItemMetadata current = metadataState.value();
        if (current != null && m.ts <= current.ts) {
            metadataStale.inc();
            return;
        }
        if (current == null) {
            if (metadataItems >= itemShare) {
                metadataRefused.inc();
                return;
            }
            metadataItems++;
        }
        metadataState.update(m);
        metadataApplied.inc();
        if (current == null ? m.isDefault() : current.sameFacts(m)) {
            return;
        }
        output.collect(new StreamRecord<>(ItemUpdate.metadata(m.item, m.categoriesOrEmpty(), m.available)));
        ItemState s = itemState.value();
        if (s != null && s.unavailable == m.available) {
            s.unavailable = !m.available;
            itemState.update(s);
            if (!s.retired) {
                output.collect(ITEM_STATS, new StreamRecord<>(stats(m.item, s)));
            }
        }
    }

    /** Every item in this subtask's state, collected first: the callers change state while they go through them. */
    private List<String> itemKeys() throws Exception {
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        List<String> keys = new ArrayList<>();
        try (Stream<String> stream = backend.getKeys(SavepointLayout.ITEM, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        return keys;
    }

    private void resendAll() throws Exception {
        List<String> keys = itemKeys();
        Object previous = getCurrentKey();
        for (String key : keys) {
            setCurrentKey(key);
            ItemState s = itemState.value();
            if (s != null) {
                if (s.retired) {
                    output.collect(new StreamRecord<>(ItemUpdate.removed(key, true)));
                    continue;
                }
                ItemUpdate update = new ItemUpdate(key, s.q, s.b, s.interactions);
                update.appliedFrom = s.lastAppliedFrom;
                update.appliedCheckpoint = s.lastAppliedCheckpoint;
                output.collect(new StreamRecord<>(update));
            }
        }
        List<String> withMetadata = new ArrayList<>();
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> stream = backend.getKeys(SavepointLayout.ITEM_METADATA, VoidNamespace.INSTANCE)) {
            stream.forEach(withMetadata::add);
        }
        for (String key : withMetadata) {
            setCurrentKey(key);
            ItemMetadata m = metadataState.value();
            if (m != null && !m.isDefault()) {
                output.collect(new StreamRecord<>(ItemUpdate.metadata(key, m.categoriesOrEmpty(), m.available)));
            }
        }
        if (previous != null) {
            setCurrentKey(previous);
        }
        output.collect(new StreamRecord<>(ItemUpdate.marker(
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks())));
        LOG.info("ItemServer subtask {} re-sent {} items to the scorers' caches",
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), keys.size());
    }
}
