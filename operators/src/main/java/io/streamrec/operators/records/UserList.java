package io.streamrec.operators.records;

/**
 * A user's refreshed top-N list. {@code version} increases by one with every refresh of the user,
 * so the Redis sink can refuse to move a list backwards on retries and replays.
 */
public class UserList {
    public String user;
    public String[] items;
    public float[] scores;
    public long version;
    /** Wall-clock time the list was computed, epoch ms. */
    public long updated;
    /** Event time of the newest interaction reflected in the list, epoch ms. */
    public long eventTs;
    /** Distinct interactions of the user applied to the model so far. */
    public long interactions;

    public UserList() {}
}
