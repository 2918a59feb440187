package io.streamrec.operators.state;

/** Keyed state of one item in the ItemServer: the authoritative q_i, b_i and counters. */
public class ItemState {
    public float[] q;
    public float b;
    /** Distinct interactions with the item applied to the model. */
    public long interactions;
    /** log Σ w·exp(λ·(ts − epoch)): time-decayed popularity in log space. */
    public double popularityLog = Double.NEGATIVE_INFINITY;
    public long lastTs;
    /** Deltas refused because they would have made the vector non-finite or too large. */
    public long rejectedDeltas;
    /**
     * Sender (UserWorker subtask) and checkpoint of the last delta applied to the item: sent with
     * the re-sent items after a restore, so a UserWorker knows which of its restored in-flight
     * deltas the vector already contains. -1: none (or a savepoint from before this field).
     */
    public int lastAppliedFrom = -1;
    public long lastAppliedCheckpoint;
    /** Retired by a control record: out of every list and of scoring until un-retired; its deltas are dropped. */
    public boolean retired;
    /**
     * The item's metadata ({@link SavepointLayout#ITEM_METADATA}) says it is unavailable: kept here
     * too so that its stats carry it without a second state read per delta. False in savepoints from
     * before item metadata (a POJO field added; restores as false).
     */
    public boolean unavailable;

    public ItemState() {}
}
