package io.streamrec.operators.state;

/**
 * Keyed state of one user in the UserWorker (one RocksDB value per user). A Flink POJO so that its
 * schema can evolve (fields may be added between releases; savepoints stay readable).
 */
public class UserState {
    /** Latent vector p_u. */
    public float[] p;
    /** User bias b_u (used by the pointwise loss; constant per user, so it never changes a ranking). */
    public float b;
    /** Distinct interactions applied to the model. */
    public long interactions;
    /** Version of the last list emitted for this user. */
    public long version;
    /** Items the user interacted with, oldest first, capped; excluded from the user's list. */
    public String[] seen;
    /** Items of the last list emitted, for online hit-rate measurement. */
    public String[] lastList;
    /**
     * Hash codes of the items in the user's last category lists ({@code recs.categories}): a user
     * whose lists hold an item that becomes unavailable or leaves a category is refreshed (a hash
     * collision only refreshes a list needlessly). Null without category lists.
     */
    public int[] categoryListItems;
    /** Newest event time applied. */
    public long lastTs;
    /** True while a refresh timer is registered. */
    public boolean refreshPending;
    /** Processing time at which the pending refresh was requested (the user's first change since their last list). */
    public long refreshRequestedAt;

    public UserState() {}

    /** A new user with initial vector {@code p}, nothing seen yet. */
    public static UserState initial(float[] p) {
        UserState s = new UserState();
        s.p = p;
        s.seen = new String[0];
        return s;
    }
}
