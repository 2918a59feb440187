package io.streamrec.operators.state;

/**
 * Keyed state of one item's similar list in the UserWorker subtask that owns the item's key group
 * (one RocksDB value per item, next to the users' state under another name). A Flink POJO so that
 * its schema can evolve.
 */
public class SimilarItemState {
    /** The item's vector when its last list was computed; null before the first list and after a deletion. */
    public float[] listedQ;
    /** Items of the last list, to find the lists that hold an item that leaves the model. */
    public String[] items;
    /** Version of the last list (or deletion) emitted for the item. */
    public long version;
    /** True while a refresh timer is registered. */
    public boolean refreshPending;

    public SimilarItemState() {}
}
