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

    public ItemState() {}
}
