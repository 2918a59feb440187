package io.streamrec.operators.records;

/**
 * A user's refreshed top-N list. {@code version} increases by one with every refresh of the user,
 * so the Redis sink can refuse to move a list backwards on retries and replays.
 */
public class UserList {
    public String user;
    /** Null for the user's list; else the configured category ({@code recs.categories}) this list is of. */
    public String category;
    public String[] items;
    public float[] scores;
    public long version;
    /** Wall-clock time the list was computed, epoch ms. */
    public long updated;
    /** Event time of the newest interaction reflected in the list, epoch ms. */
    public long eventTs;
    /** Distinct interactions of the user applied to the model so far. */
    public long interactions;
    /** True when the user was forgotten: the list and its meta are to be deleted (items and scores are empty). */
    public boolean forgotten;

    public UserList() {}

    /** The deletion of a forgotten user's list, ordered after every earlier list of the user by {@code version}. */
    public static UserList forgotten(String user, long version, long now) {
        UserList list = new UserList();
        list.user = user;
        list.items = new String[0];
        list.scores = new float[0];
        list.version = version;
        list.updated = now;
        list.forgotten = true;
        return list;
    }

    /** The deletion of a forgotten user's list of {@code category} ({@link #forgotten}). */
    public static UserList forgotten(String user, String category, long version, long now) {
        UserList list = forgotten(user, version, now);
        list.category = category;
        return list;
    }
}
