package io.streamrec.operators.records;

import java.util.Arrays;

/**
 * The "push" of the parameter server: the sum of the updates one user-side subtask made to one
 * item's vector and bias during one checkpoint interval, plus the interactions it counted. Travels
 * through the Kafka gradient topic (exactly-once) back to the item's owner, the ItemServer.
 */
public class ItemDelta {
    public String item;
    public float[] dq;
    public float db;
    /** Positive interactions with the item applied by the sender in this interval. */
    public long interactions;
    /** log Σ w·exp(λ·(ts − epoch)) of those interactions: time-decayed popularity in log space. */
    public double popularityLog = Double.NEGATIVE_INFINITY;
    /** Largest event timestamp among those interactions. */
    public long maxTs;
    /**
     * The run that produced the delta (the job stamps its run id; releases before issue 9 stamped
     * the JobID) and the checkpoint whose barrier followed it: lets the ItemServer refuse
     * gradients of another run (see {@code ItemServer}). Null when unknown.
     */
    public String origin;
    public long checkpointId;
    /** Index of the UserWorker subtask that sent the delta (-1 when unknown). */
    public int sender = -1;
    /**
     * Non-null in a republish marker, not a gradient: the id of the request. {@code dq} is zero and
     * {@code item} is only a key that routes the marker to one key group of the ItemServer.
     */
    public String republish;
    /**
     * Non-zero in a retirement marker, not a gradient: {@link #RETIRE} or {@link #UNRETIRE} the item
     * ({@code dq} is zero). Goes to the item's ItemServer like its gradients.
     */
    public byte retirement;
    /**
     * Non-null in an item-metadata record from the item topic, not a gradient ({@code dq} is null):
     * it reaches the item's ItemServer on the same keyed input as the gradients, directly from the
     * item topic's source (never through the gradient topic, so {@link ItemDeltaSerde} does not carry it).
     */
    public ItemMetadata metadata;
    /**
     * This delta's {@link ItemDeltaSerde} bytes once {@link ItemDeltaSerde#serializeOnce} encoded
     * them; transient, so never part of the record Flink serializes or copies.
     */
    transient byte[] encoded;

    public static final byte RETIRE = 1;
    public static final byte UNRETIRE = 2;

    public ItemDelta() {}

    public ItemDelta(String item, int dim) {
        this.item = item;
        this.dq = new float[dim];
    }

    /** A republish marker routed by {@code key}: carries no change, only the request id. */
    public static ItemDelta republishMarker(String key, int dim, String requestId) {
        ItemDelta d = new ItemDelta(key, dim);
        d.republish = requestId;
        return d;
    }

    public boolean isRepublishMarker() {
        return republish != null;
    }

    /** A marker that retires ({@code retire}) or un-retires the item. */
    public static ItemDelta retirementMarker(String item, int dim, boolean retire) {
        ItemDelta d = new ItemDelta(item, dim);
        d.retirement = retire ? RETIRE : UNRETIRE;
        return d;
    }

    public boolean isRetirementMarker() {
        return retirement != 0;
    }

    /** An item-metadata record on its way to the item's ItemServer. */
    public static ItemDelta metadata(ItemMetadata metadata) {
        ItemDelta d = new ItemDelta();
        d.item = metadata.item;
        d.metadata = metadata;
        return d;
    }

    public boolean isMetadata() {
        return metadata != null;
    }

    @Override
    public String toString() {
        return "ItemDelta{" + item + ", db=" + db + ", n=" + interactions + ", dq=" + Arrays.toString(dq) + "}";
    }
}
