package io.streamrec.operators.user;

import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.scoring.ItemMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One UserWorker subtask's replica of every item vector, and the contributions of this subtask that
 * the authoritative values (the ItemServers' broadcast) do not contain yet.
 *
 * <p>The subtask's own updates apply to the replica at once and are summed per item into a pending
 * {@link ItemDelta}; {@link #flush} hands the pending deltas over to be pushed before a checkpoint
 * barrier and keeps them as in flight until an ItemServer broadcast confirms them
 * ({@link ItemUpdate#appliedFrom}, {@link ItemUpdate#appliedCheckpoint}). A broadcast that does not
 * contain them yet is applied with them added, so the replica never falls back to an older vector.
 *
 * <p>Bounded by {@code model.max-items}: a new item of this subtask's own joins only while the
 * replica holds fewer items (else it is refused, {@link #admit}); the ItemServers keep the model to
 * the cap and broadcast a removal for a new item they refuse, which drops it here. Retired items
 * are removed the same way and refused until un-retired.
 *
 * <p>The replica is not checkpointed. After a (re)start every ItemServer subtask re-sends its items
 * and then a marker; the cache is {@link #ready} when markers from all of them have arrived. The
 * in-flight deltas are checkpointed by the operator ({@link #inFlightDeltas}) and given back after a
 * restore ({@link #restoreInFlight}): the restored ItemServers may not have applied them yet, and
 * without them the replica would step from older vectors than the run that never failed. Each
 * ItemServer update carries the sender and checkpoint of the last delta applied to the item, so
 * the first update of an item after a restore tells which restored deltas it already contains.
 *
 * <p>Uniform negatives are drawn by position in a {@link SamplingOrder}, which depends only on
 * which items are cached. The item topic's metadata (unavailable items, category sub-matrices) is
 * kept in step by its {@link ItemCatalog}, which sees every stored vector and every removal.
 *
 * <p>Long because it is the one place that changes the replica: own updates, broadcasts, removals,
 * in-flight deltas across restores, and the catalogue's view of each; split, the invariant "the
 * replica is the ItemServer's value plus this subtask's unconfirmed contributions" would span classes.
 * Not thread-safe.
 */
public final class ItemCache {

    private final ModelConfig model;
    private final ItemMatrix items;
    /** Per item this subtask changed since the last flush, in the order of the first change. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /** The vector an own update writes into the replica (the matrix copies it). */
    private final float[] scratch;
    /** Sent, not confirmed yet; restored ones are marked until an ItemServer update confirms or refutes them. */
    private final InFlightDeltas inFlight = new InFlightDeltas();
    private final SamplingOrder order;
    private final BitSet markers = new BitSet();
    private int expectedMarkers;
    /** Items retired by a control record: never added again until the ItemServer brings them back. */
    private final Set<String> retired = new HashSet<>();
    private long refused;
    /** The item topic's metadata: unavailable items, and the sub-matrices of the configured categories. */
    private final ItemCatalog catalog;

    public ItemCache(ModelConfig model) {
        this(model, List.of());
    }

    /** @param categories the categories whose lists the subtask computes ({@code recs.categories}) */
    public ItemCache(ModelConfig model, List<String> categories) {
        this.model = model;
        this.scratch = new float[model.dimension()];
        this.items = new ItemMatrix(model.dimension(), 1, ItemMatrix.DEFAULT_SEGMENT_ROWS, hardLimit(model.maxItems()));
        this.order = new SamplingOrder(items::idAt);
        this.catalog = new ItemCatalog(model.dimension(), hardLimit(model.maxItems()), categories);
    }

    /** The items' metadata as this subtask knows it. */
    public ItemCatalog catalog() {
        return catalog;
    }

    /**
     * An ItemServer's metadata update ({@link ItemUpdate#metadata}); returns true when lists that
     * hold the item must be recomputed (it became unavailable or left a configured category).
     */
    public boolean applyMetadata(ItemUpdate update) {
        return catalog.apply(update.item, update.categories, update.unavailable, items);
    }

    /**
     * Rows the replica can hold at most: the model's items ({@code model.max-items}, the ItemServers'
     * cap) plus this subtask's own new items that wait for the ItemServer's verdict; those are added
     * only while the replica holds fewer than {@code max-items} rows, so twice the cap is never reached.
     */
    static int hardLimit(int maxItems) {
        return (int) Math.min(ItemMatrix.MAX_ROWS, 2L * maxItems);
    }

    /** The replica, for scoring kernels and reads; change it only through this class. */
    public ItemMatrix matrix() {
        return items;
    }

    /**
     * Row of the item, adding it with its seeded initial vector (the ItemServer's too) when it is
     * new; -1 when it is new and refused: the replica already holds {@code model.max-items} items,
     * or the item is retired.
     */
    public int rowOf(String item) {
        int row = items.indexOf(item);
        if (row < 0) {
            if (items.size() >= model.maxItems() || retired.contains(item)) {
                return -1;
            }
            row = upsert(item, FactorMath.initVector(item, model.dimension(), model.initScale(), model.seed()), 0f);
        }
        return row;
    }

    /** Number of cached items. */
    public int size() {
        return order.size();
    }

    /** The row at {@code position} of the arrival-independent order (0 ≤ position < {@link #size}). */
    public int rowInSamplingOrder(int position) {
        return order.rowAt(position);
    }

    /** Upsert into the matrix and the sampling order; -1 when the matrix refuses a new item (its hard limit). */
    private int upsert(String item, float[] q, float b) {
        int before = items.size();
        int row = items.upsert(item, q, b);
        if (items.size() > before) {
            order.add(row);
        }
        if (row >= 0) {
            catalog.upserted(item, items, row, items.size() > before, q, b);
        }
        return row;
    }

    /**
     * True if the item is in the replica or may join it ({@link #rowOf}); a refusal is counted in
     * {@link #refusedItems}. An interaction with a refused item counts for the user only.
     */
    public boolean admit(String item) {
        if (rowOf(item) >= 0) {
            return true;
        }
        refused++;
        return false;
    }

    /**
     * An item's pending delta, and its value (vector, then bias) before the delta: null until an own
     * update needs it, or after the item expired from the replica. One map entry for both, so an own
     * update costs one lookup by id (two maps cost 10% of a UserWorker's thread in a profile).
     */
    private static final class Pending {
        final ItemDelta delta;
        float[] base;

        Pending(ItemDelta delta) {
            this.delta = delta;
        }
    }

    private Pending pendingOf(String item) {
        Pending p = pending.get(item);
        if (p == null) {
            p = new Pending(new ItemDelta(item, model.dimension()));
            pending.put(item, p);
        }
        return p;
    }

    /** This subtask's pending delta of the item (created empty). */
    public ItemDelta pendingDelta(String item) {
        return pendingOf(item).delta;
    }

    /**
     * Counts one interaction with the item: in its pending delta (for the ItemServer) and in the
     * replica's interaction count, the clock of the item's step size.
     */
    public void countInteraction(String item, long ts, double popularityLogTerm) {
        ItemDelta delta = pendingDelta(item);
        delta.interactions++;
        delta.maxTs = Math.max(delta.maxTs, ts);
        delta.popularityLog = FactorMath.logAdd(delta.popularityLog, popularityLogTerm);
        int row = rowOf(item);
        if (row >= 0) {
            items.setInteractions(row, items.interactionsAt(row) + 1);
        }
    }

    /** Applies this subtask's changes of one SGD step ({@link SgdStep}) to the replica and the pending deltas. */
    public void applyOwn(List<SgdStep.ItemChange> changes) {
        for (SgdStep.ItemChange c : changes) {
            applyOwn(c.item(), c.row(), c.dq(), c.db());
        }
    }

    /**
     * Applies this subtask's update of one item to the pending delta, and sets the replica to the
     * item's value before this interval plus the pending delta: the value the ItemServer will hold
     * once it has applied everything sent so far, computed with the same float additions in the same
     * order (see {@link #apply}). So the replica does not depend on when the ItemServer's updates
     * arrive, and a run restored from a checkpoint learns from bit-identical item vectors.
     */
    public void applyOwn(String item, int row, float[] dq, float db) {
        Pending p = pendingOf(item);
        ItemDelta delta = p.delta;
        float[] base = p.base;
        if (base == null) {
            base = Arrays.copyOf(items.vectorAt(row), dq.length + 1);
            base[dq.length] = items.biasAt(row);
            p.base = base;
        }
        float[] q = scratch;
        for (int k = 0; k < q.length; k++) {
            delta.dq[k] += dq[k];
            q[k] = base[k] + delta.dq[k];
        }
        delta.db += db;
        float b = base[dq.length] + delta.db;
        items.update(row, q, b); // the row holds the item: SgdStep read it from the replica just now
        catalog.upserted(item, items, row, false, q, b);
    }

    /**
     * Hands over the pending deltas, stamped with the producing run, the checkpoint whose barrier
     * follows them and the sending subtask, and keeps them in flight until confirmed.
     */
    public Collection<ItemDelta> flush(String origin, long checkpointId, int sender) {
        List<ItemDelta> out = new ArrayList<>(pending.size());
        for (Pending p : pending.values()) {
            out.add(p.delta);
        }
        for (ItemDelta d : out) {
            d.origin = origin;
            d.checkpointId = checkpointId;
            d.sender = sender;
        }
        pending.clear();
        inFlight.sent(checkpointId, out);
        return out;
    }

    /**
     * Applies an ItemServer broadcast from ItemServer subtask output to this subtask
     * ({@code subtask}): a marker counts towards {@link #ready}; a vector replaces the replica's,
     * plus this subtask's contributions it does not contain yet.
     */
    public void apply(ItemUpdate update, int subtask) {
        if (update.isMarker()) {
            markers.set(update.markerFrom);
            expectedMarkers = update.markerTotal;
            if (ready()) {
                // every ItemServer has re-sent its items: a restored delta of an item none of them
                // has is not applied anywhere yet, so it stays in flight as an ordinary one
                inFlight.resolveRestored();
            }
            return;
        }
        if (update.metadata) {
            applyMetadata(update);
            return;
        }
        if (update.removed) {
            remove(update.item, update.retired, update.expired);
            return;
        }
        if (!retired.isEmpty()) {
            retired.remove(update.item); // a vector from the ItemServer: the item is (back) in the model
        }
        List<InFlightDeltas.Entry> unconfirmed = inFlight.of(update.item);
        if (unconfirmed != null && anyRestored(unconfirmed)) {
            // the item's first update since the restore
            if (update.appliedFrom != subtask) {
                // its last applied delta came from another subtask: ours may or may not be in it; leave
                // them out (the replica may lag until the ItemServer applies them) rather than count twice
                unconfirmed = inFlight.finish(update.item, unconfirmed, e -> e.restored);
            }
            if (unconfirmed != null) {
                unconfirmed.forEach(e -> e.restored = false);
            }
        }
        if (unconfirmed != null && update.appliedFrom == subtask) {
            // the ItemServer has applied our delta of that checkpoint (and, in topic order, all earlier ones)
            unconfirmed = inFlight.finish(update.item, unconfirmed, e -> e.delta.checkpointId <= update.appliedCheckpoint);
        }
        // the ItemServer's value plus ours in the order it will apply them (the same float additions)
        float[] q = update.q.clone();
        float b = update.b;
        long interactions = update.interactions;
        if (unconfirmed != null) {
            for (InFlightDeltas.Entry e : unconfirmed) {
                ItemDelta d = e.delta;
                for (int k = 0; k < q.length; k++) {
                    q[k] += d.dq[k];
                }
                b += d.db;
                interactions += d.interactions;
            }
        }
        Pending minePending = pending.get(update.item);
        if (minePending != null) {
            ItemDelta mine = minePending.delta;
            float[] base = Arrays.copyOf(q, q.length + 1);
            base[q.length] = b;
            minePending.base = base;
            for (int k = 0; k < q.length; k++) {
                q[k] += mine.dq[k];
            }
            b += mine.db;
            interactions += mine.interactions;
        }
        int row = upsert(update.item, q, b);
        if (row < 0) {
            refused++; // past the hard limit: cannot happen while the ItemServers keep to model.max-items
            return;
        }
        items.setInteractions(row, interactions);
    }

    private static boolean anyRestored(List<InFlightDeltas.Entry> entries) {
        for (InFlightDeltas.Entry e : entries) {
            if (e.restored) {
                return true;
            }
        }
        return false;
    }

    /**
     * The item left the model: out of the replica (the last row moves into its place) and the
     * sampling order, and this subtask's pending and unconfirmed changes of it are dropped. A
     * retired item is refused from now on, until an ItemServer broadcast of its vector brings it back.
     * An expired item keeps this subtask's interactions with it that the ItemServer has not seen:
     * they bring it back as a new item (its initial vector plus them, on both sides).
     */
    private void remove(String item, boolean retire, boolean expired) {
        int row = items.indexOf(item);
        if (row >= 0) {
            int last = items.size() - 1;
            order.remove(row);
            if (row != last) {
                order.move(last, row);
            }
            items.remove(item);
            catalog.removed(item);
        }
        Pending mine = pending.get(item);
        if (mine != null) {
            mine.base = null;
        }
        if (expired) {
            if (mine != null && mine.delta.interactions == 0) {
                pending.remove(item);
            }
            return;
        }
        pending.remove(item);
        inFlight.drop(item);
        if (retire) {
            retired.add(item);
        }
    }

    /** This subtask's deltas sent but not yet confirmed. */
    public List<ItemDelta> inFlightDeltas() {
        return inFlight.all();
    }

    /** Writes the deltas in flight into the operator's checkpoint ({@link InFlightDeltas#write}). */
    void writeInFlight(java.io.DataOutputStream out, InFlightDeltas.PartitionStarter partition) throws java.io.IOException {
        inFlight.write(out, partition);
    }

    /**
     * After a restore, before the resync: the in-flight deltas of the checkpoint restored from
     * (those of other senders are ignored: after a rescale they are another subtask's). They are
     * applied to the replica at once (an item the ItemServers do not know yet then has its initial
     * vector plus them) and kept in flight until an update says whether they are applied.
     */
    public void restoreInFlight(Collection<ItemDelta> deltas, int subtask) {
        List<ItemDelta> accepted = new ArrayList<>();
        for (ItemDelta d : deltas) {
            if (d.sender != subtask || d.isRepublishMarker() || d.isRetirementMarker()) {
                continue;
            }
            int row = rowOf(d.item);
            if (row < 0) {
                continue; // refused: past model.max-items
            }
            accepted.add(d);
            float[] q = items.vectorAt(row);
            for (int k = 0; k < q.length; k++) {
                q[k] += d.dq[k];
            }
            upsert(d.item, q, items.biasAt(row) + d.db);
            items.setInteractions(row, items.interactionsAt(row) + d.interactions);
        }
        inFlight.restore(accepted);
    }

    /** True when every ItemServer subtask has re-sent its items since the start. */
    public boolean ready() {
        return expectedMarkers > 0 && markers.cardinality() >= expectedMarkers;
    }

    /** Rows of the cached items among {@code seen} (items not cached are skipped). */
    public int[] rowsOf(String[] seen) {
        return RefreshBatch.rowsOf(items, seen);
    }

    /** This subtask's deltas dropped unconfirmed ({@link InFlightDeltas#expired}). */
    public long expiredDeltas() {
        return inFlight.expired();
    }

    /** New items this subtask refused: past {@code model.max-items}, retired, or past the cache's hard limit. */
    public long refusedItems() {
        return refused;
    }

    /** True while the item is retired (refused until un-retired). */
    public boolean isRetired(String item) {
        return retired.contains(item);
    }

    /** Items retired by a control record that this cache refuses. */
    public int retiredItems() {
        return retired.size();
    }
}
