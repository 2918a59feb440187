package io.streamrec.operators.similar;

import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.records.SimilarList;
import io.streamrec.operators.scoring.ItemNeighbours;
import io.streamrec.operators.scoring.ItemMatrix;
import io.streamrec.operators.scoring.ScoredItems;
import io.streamrec.operators.scoring.TopNKernel;
import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.SimilarItemState;
import io.streamrec.operators.user.ItemCache;
import io.streamrec.operators.user.PassSchedule;
import io.streamrec.operators.user.RefreshPacer;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * "Similar items" lists, computed inside the UserWorker from its replicated item cache: for each
 * item, the {@code recs.similar-n} items that score best for a user whose vector is the item's own
 * ({@link ItemNeighbours}: {@code q_i · q_j + b_j}).
 *
 * <p><b>One owner per item.</b> Every UserWorker subtask sees every item's vector (the ItemServers
 * broadcast them), but only the subtask whose key-group range holds the item's id computes its
 * list; its state ({@link SimilarItemState}: the vector at the last list, the list's items and
 * version) lives in the UserWorker's keyed state under the item's id, in a state of its own next to
 * the users'. Key groups move with a rescale, and the ownership moves with them.
 *
 * <p><b>When.</b> An item's list is due when its vector has moved by more than
 * {@code recs.similar-threshold} of its length since its last list ({@link
 * ItemNeighbours#relativeChange}: the list depends on the vector's direction and its length), or
 * when it has none. The other items' moves do not make it due: a list is as fresh as its own
 * item's vector. Due lists are coalesced like user refreshes: one
 * processing-time timer per item at the {@link RefreshPacer}'s next interval boundary, deferred
 * like user refreshes while scoring is over its share; the lists due at one moment are computed
 * together by the users' top-N kernel ({@link ItemNeighbours#of}), and that time counts as scoring.
 *
 * <p><b>Exactly-once.</b> Lists leave only through the side output {@link #OUTPUT} to the Redis
 * sink, which writes them when the checkpoint that computed them completes; their versions grow per
 * item from the checkpointed state, so a replay after a failure never moves a list backwards. An
 * item that leaves the model (retired, expired after {@code state.item-ttl}, or refused past
 * {@code model.max-items}) gets a versioned deletion, and the owned lists that hold it are refreshed.
 *
 * <p><b>Items leaving lists.</b> The lists that hold such an item are found by one pass over the
 * owned lists for all items gathered meanwhile ({@link PassSchedule}), and are due at the next
 * refresh interval boundary after it. Items that become unavailable (item topic) or are retired
 * have the same bound as users' lists: the pass runs at once, or one refresh interval after the
 * previous such pass, so they are out of every list one refresh interval after the change, or two
 * when the change comes right after a pass. Items that expire ({@code state.item-ttl}) or are
 * refused have passes of their own at most once a minute: junk items expire continuously, and each
 * pass reads every owned list. A failure before a pass forgets its gathered items: unavailable and
 * retired items come back with the ItemServers' resend after a restore; lists that held an expired
 * item keep it until their own item moves. Not thread-safe: the task thread only.
 */
public final class SimilarItemLists implements Triggerable<String, VoidNamespace> {

    /** Side output of the UserWorker: the similar lists, to the Redis sink. */
    public static final OutputTag<SimilarList> OUTPUT = new OutputTag<>("similar-items", TypeInformation.of(SimilarList.class));

    /** The shortest time between two passes over the owned lists for items that expired or were refused. */
    static final long MIN_PASS_SPACING_MS = 60_000;

    /** Name of the keyed timer service of the similar lists (next to the users' {@code refresh}). */
    public static final String TIMERS = "similar-items";

    private final int n;
    private final double threshold;
    private final ItemCache cache;
    private final RefreshPacer pacer;
    private final KeyedStateBackend<String> backend;
    private final TaskInfo task;
    private final KeyContext keys;
    private final ValueState<SimilarItemState> state;
    private final InternalTimerService<VoidNamespace> timers;
    private final Output<?> output;
    private final LongSupplier clock;
    private final ProcessingTimeService processingTime;
    /** Items that expired or were refused since the last pass for them (not state: see the class doc). */
    private final PassSchedule expired = new PassSchedule(0, MIN_PASS_SPACING_MS);
    /** Items that became unavailable or were retired since the last pass for them, spaced by the refresh interval. */
    private final PassSchedule leftLists;
    private final TopNKernel kernel;
    private final int batchSize;
    /** Items whose lists are due now, scored together by {@link #scoreNow}. */
    private final Set<String> due = new LinkedHashSet<>();
    private boolean scoreScheduled;
    private final Counter listsComputed;
    private final Counter listsDeferred;

    /**
     * @param timerService creates this class's timer service with the given callback (the operator's
     *                     {@code getInternalTimerService(TIMERS, ..., callback)})
     */
    public SimilarItemLists(int n, double threshold, TopNKernel kernel, int batchSize, ItemCache cache, RefreshPacer pacer,
                            KeyedStateBackend<String> backend, TaskInfo task, KeyContext keys, ValueState<SimilarItemState> state,
                            Function<Triggerable<String, VoidNamespace>, InternalTimerService<VoidNamespace>> timerService,
                            Output<?> output, ProcessingTimeService processingTime, LongSupplier clock,
                            MetricGroup metrics) {
        if (n < 1) {
            throw new IllegalArgumentException("similar lists need n >= 1, got " + n);
        }
        this.n = n;
        this.threshold = threshold;
        this.kernel = kernel;
        this.batchSize = Math.max(1, batchSize);
        this.cache = cache;
        this.pacer = pacer;
        this.leftLists = new PassSchedule(0, pacer.configuredIntervalMs());
        this.backend = backend;
        this.task = task;
        this.keys = keys;
        this.state = state;
        this.timers = timerService.apply(this);
        this.output = output;
        this.processingTime = processingTime;
        this.clock = clock;
        this.listsComputed = metrics.counter("similarListsComputed");
        this.listsDeferred = metrics.counter("similarListsDeferred");
    }

    /**
     * An ItemServer broadcast, after the cache has applied it: the owner of the item checks whether
     * its list is due (or, for an item that left the model, deletes it and refreshes the lists that
     * hold it: within a refresh interval when it was retired, see the class doc).
     */
    public void onItemUpdate(ItemUpdate update) throws Exception {
        if (update.item == null || update.isRepublish()) {
            return; // a resync marker
        }
        Object previousKey = keys.getCurrentKey();
        try {
            if (update.removed) {
                gather(update.retired ? leftLists : expired, update.item);
            }
            if (owns(update.item)) {
                keys.setCurrentKey(update.item);
                if (update.removed) {
                    delete(update.item);
                } else {
                    requestIfMoved(update.item);
                }
            }
        } finally {
            if (previousKey != null) {
                keys.setCurrentKey(previousKey);
            }
        }
    }

    /**
     * The item became unavailable (item topic): computed lists leave it out from now on (its row is
     * masked in the cache), and the owned lists that hold it are refreshed within one refresh
     * interval (two when it comes right after a pass; see the class doc). Its own list stays: it
     * lists other items.
     */
    public void itemLeftLists(String item) {
        gather(leftLists, item);
    }

    /**
     * Asks for every owned list again, spread at {@code perSecond} lists per second (like the users'
     * bulk refreshes): a republish request, sent by {@code bin/streamrec republish} (Redis lost its
     * data) or by the ItemServers when a new run restores ({@code recs.refresh-on-restore}).
     * Returns how many were asked.
     */
    public long refreshAll(int perSecond) throws Exception {
        long now = clock.getAsLong();
        long[] asked = {0};
        Object previousKey = keys.getCurrentKey();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                SavepointLayout.similarItemState(), (item, itemState) -> {
                    SimilarItemState s = itemState.value();
                    if (s != null && s.listedQ != null && !s.refreshPending) {
                        s.refreshPending = true;
                        itemState.update(s);
                        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE,
                                pacer.bulkRefreshTime(now, asked[0]++, perSecond));
                    }
                });
        if (previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
        return asked[0];
    }

    /** True when this subtask's key groups hold {@code item}: it alone computes the item's list. */
    boolean owns(String item) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(item, task.getMaxNumberOfParallelSubtasks(),
                task.getNumberOfParallelSubtasks()) == task.getIndexOfThisSubtask();
    }

    private void requestIfMoved(String item) throws Exception {
        SimilarItemState s = state.value();
        if (s != null && s.refreshPending) {
            return;
        }
        int row = cache.matrix().indexOf(item);
        if (row < 0) {
            return;
        }
        if (s == null) {
            s = new SimilarItemState();
        } else if (s.listedQ != null && ItemNeighbours.relativeChange(s.listedQ, cache.matrix().vectorAt(row)) <= threshold) {
            return;
        }
        request(s);
    }

    private void request(SimilarItemState s) throws Exception {
        s.refreshPending = true;
        state.update(s);
        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, pacer.nextRefreshTime(clock.getAsLong()));
    }

    /** The item left the model: its list is deleted with the next version (kept, so a return counts on from it). */
    private void delete(String item) throws Exception {
        SimilarItemState s = state.value();
        if (s == null || s.listedQ == null) {
            return;
        }
        s.version++;
        s.listedQ = null;
        s.items = null;
        state.update(s);
        emit(SimilarList.deletion(item, s.version, clock.getAsLong()));
    }

    /** An item left lists: gathered in {@code passes}, whose pass finds the owned lists that hold it. */
    private void gather(PassSchedule passes, String item) {
        long at = passes.add(item, clock.getAsLong());
        if (at >= 0) {
            processingTime.registerTimer(at, t -> refreshListsHolding(passes.drain(clock.getAsLong())));
        }
    }

    /**
     * Asks for a refresh, at the next interval boundary, of every list this subtask owns that holds
     * one of {@code gone}; also of a list whose refresh is pending already, whose timer may be a
     * later one (a bulk refresh's).
     */
    private void refreshListsHolding(Set<String> gone) throws Exception {
        long at = pacer.nextRefreshTime(clock.getAsLong());
        Object previousKey = keys.getCurrentKey();
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                SavepointLayout.similarItemState(), (owner, ownerState) -> {
                    SimilarItemState s = ownerState.value();
                    if (s != null && s.items != null && holdsAny(s.items, gone)) {
                        if (!s.refreshPending) {
                            s.refreshPending = true;
                            ownerState.update(s);
                        }
                        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, at);
                    }
                });
        if (previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
    }

    private static boolean holdsAny(String[] items, Set<String> gone) {
        for (String item : items) {
            if (gone.contains(item)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A due list (the current key is the item): it waits in the batch, which is scored when it is
     * full or once the timers due now have fired ({@link #scoreNow}); or it is deferred like a user
     * refresh.
     */
    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        SimilarItemState s = state.value();
        if (s == null || !s.refreshPending) {
            return;
        }
        long now = clock.getAsLong();
        if (!cache.ready() || pacer.shouldDefer(now)) {
            listsDeferred.inc();
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, pacer.nextRefreshTime(now));
            return;
        }
        due.add(timer.getKey());
        if (due.size() >= batchSize) {
            scoreNow();
        } else if (!scoreScheduled) {
            scoreScheduled = true;
            processingTime.registerTimer(processingTime.getCurrentProcessingTime(), t -> {
                scoreScheduled = false;
                scoreNow();
            });
        }
    }

    /**
     * Computes every waiting list from the cache as it is now, in one call of the top-N kernel (each
     * item's vector as the query, the item itself excluded), and emits them. Also before each
     * checkpoint barrier: the batch is not state.
     */
    public void scoreNow() throws Exception {
        if (due.isEmpty()) {
            return;
        }
        ItemMatrix items = cache.matrix();
        List<String> listed = new ArrayList<>(due.size());
        int[] rows = new int[due.size()];
        Object previousKey = keys.getCurrentKey();
        for (String item : due) {
            int row = items.indexOf(item);
            if (row < 0) { // left the model meanwhile: its deletion went out then
                keys.setCurrentKey(item);
                SimilarItemState s = state.value();
                if (s != null) {
                    s.refreshPending = false;
                    state.update(s);
                }
                continue;
            }
            rows[listed.size()] = row;
            listed.add(item);
        }
        due.clear();
        rows = Arrays.copyOf(rows, listed.size());
        long now = clock.getAsLong();
        long start = System.nanoTime();
        // unavailable items are masked rows, which only an index search needs to be told about
        ScoredItems[] nearest = ItemNeighbours.of(kernel, items, rows, n,
                kernel.perUser() ? cache.catalog().unavailableRows(items) : new int[0]);
        pacer.recordScoring(now, (System.nanoTime() - start) / 1e6);
        for (int i = 0; i < nearest.length; i++) {
            String item = listed.get(i);
            String[] ids = new String[nearest[i].size()];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = items.idAt(nearest[i].rows[k]);
            }
            keys.setCurrentKey(item);
            SimilarItemState s = state.value();
            if (s == null) {
                continue;
            }
            s.refreshPending = false;
            s.version++;
            s.listedQ = items.vectorAt(rows[i]);
            s.items = ids;
            state.update(s);
            listsComputed.inc();
            emit(new SimilarList(item, ids, nearest[i].scores.clone(), s.version, now, items.interactionsAt(rows[i])));
        }
        if (previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

    private void emit(SimilarList list) {
        output.collect(OUTPUT, new StreamRecord<>(list));
    }
}
