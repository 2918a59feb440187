package io.streamrec.operators.records;

/**
 * Broadcast from the ItemServer to every UserWorker subtask: the current vector and bias of one
 * item, for the scorers' heap cache. A record with {@code item == null} is a resync marker: subtask
 * {@code markerFrom} of the ItemServer has re-sent all of its items after a (re)start; or, with
 * {@code republish} set, a request to re-emit every user's list.
 */
public class ItemUpdate {
    public String item;
    public float[] q;
    public float b;
    public long interactions;
    public int markerFrom = -1;
    /** The UserWorker subtask whose delta produced this update, and that delta's checkpoint (-1: a resend). */
    public int appliedFrom = -1;
    public long appliedCheckpoint;
    /** In a marker: the ItemServer's parallelism, i.e. how many markers make the cache complete. */
    public int markerTotal;
    /** Non-null in a republish request (no item): every UserWorker re-emits all its users' lists. */
    public String republish;
    /**
     * The item left the model (no vector): refused past {@code model.max-items}, or retired.
     * Every UserWorker drops it from its cache, and from its pending and unconfirmed deltas.
     */
    public boolean removed;
    /** With {@code removed}: the item is retired; the caches refuse it until an update brings it back. */
    public boolean retired;
    /**
     * With {@code removed}: the item had no interaction for {@code state.item-ttl} and left the
     * model; lists that hold it are refreshed, and an interaction brings it back as a new item, so
     * the caches keep their own not yet sent interactions with it.
     */
    public boolean expired;
    /**
     * An item-metadata change, not a vector ({@code q} is null): the item's categories and whether
     * it is unavailable. Sent when the ItemServer's metadata of the item changes and in every
     * resend; applies whether or not the item is in the model.
     */
    public boolean metadata;
    /** With {@code metadata}: the item's categories (never null). */
    public String[] categories;
    /** With {@code metadata}: the item is in no list until a newer record makes it available. */
    public boolean unavailable;

    public ItemUpdate() {}

    public ItemUpdate(String item, float[] q, float b, long interactions) {
        this.item = item;
        this.q = q;
        this.b = b;
        this.interactions = interactions;
    }

    public static ItemUpdate marker(int subtask, int parallelism) {
        ItemUpdate m = new ItemUpdate();
        m.markerFrom = subtask;
        m.markerTotal = parallelism;
        return m;
    }

    /** Asks every UserWorker subtask to re-emit its users' lists (request {@code requestId}). */
    public static ItemUpdate republish(String requestId) {
        ItemUpdate m = new ItemUpdate();
        m.republish = requestId;
        return m;
    }

    /** The item left the model: refused by a full ItemServer, or retired ({@code retired}). */
    public static ItemUpdate removed(String item, boolean retired) {
        ItemUpdate m = new ItemUpdate();
        m.item = item;
        m.removed = true;
        m.retired = retired;
        return m;
    }

    /** The item left the model after {@code state.item-ttl} without interactions. */
    public static ItemUpdate expired(String item) {
        ItemUpdate m = removed(item, false);
        m.expired = true;
        return m;
    }

    /** The item's categories and availability changed (or are re-sent after a restart). */
    public static ItemUpdate metadata(String item, String[] categories, boolean available) {
        ItemUpdate m = new ItemUpdate();
        m.item = item;
        m.metadata = true;
        m.categories = categories == null ? new String[0] : categories;
        m.unavailable = !available;
        return m;
    }

    /** True for a resync marker (not for a republish request). */
    public boolean isMarker() {
        return item == null && republish == null;
    }

    public boolean isRepublish() {
        return republish != null;
    }
}
