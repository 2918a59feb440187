package io.streamrec.operators.records;

/** Per-item counters published by the ItemServer after applying a delta (for Redis and popularity). */
public class ItemStats {
    public String item;
    public long interactions;
    public float bias;
    public double popularityLog;
    public long lastTs;
    /** True when re-emitted for a republish request, not after a change: the popular list is written again too. */
    public boolean republished;
    /** True when the item is retired: it leaves the popular list. */
    public boolean retired;
    /** True when the item left the model after {@code state.item-ttl}: its meta is deleted and it leaves the popular list. */
    public boolean expired;
    /** True while the item's metadata says it is unavailable: it is not in the popular list. */
    public boolean unavailable;

    public ItemStats() {}

    public ItemStats(String item, long interactions, float bias, double popularityLog, long lastTs) {
        this.item = item;
        this.interactions = interactions;
        this.bias = bias;
        this.popularityLog = popularityLog;
        this.lastTs = lastTs;
    }
}
