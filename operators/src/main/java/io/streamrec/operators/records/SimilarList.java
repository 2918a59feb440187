package io.streamrec.operators.records;

/**
 * An item's "similar items" list: the items that score best for a user whose vector is the item's
 * own, best first, with that score ({@code q_i · q_j + b_j}). {@code version} grows by one with every list of the item
 * (and with its deletion), so the Redis sink never moves a list backwards on retries and replays.
 */
public class SimilarList {
    public String item;
    public String[] items;
    public float[] scores;
    public long version;
    /** Wall-clock time the list was computed, epoch ms. */
    public long updated;
    /** Interactions the model had applied to the item when the list was computed. */
    public long interactions;
    /** True when the item left the model (retired, or refused past the cap): the list is to be deleted. */
    public boolean deleted;

    public SimilarList() {}

    public SimilarList(String item, String[] items, float[] scores, long version, long updated, long interactions) {
        this.item = item;
        this.items = items;
        this.scores = scores;
        this.version = version;
        this.updated = updated;
        this.interactions = interactions;
    }

    /** The deletion of an item's list, ordered after every earlier list of the item by {@code version}. */
    public static SimilarList deletion(String item, long version, long now) {
        SimilarList list = new SimilarList(item, new String[0], new float[0], version, now, 0);
        list.deleted = true;
        return list;
    }
}
