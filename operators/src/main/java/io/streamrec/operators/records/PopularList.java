package io.streamrec.operators.records;

/** The global most-popular list (time-decayed interaction counts), the fallback for new users. */
public class PopularList {
    public String[] items;
    public float[] scores;
    public long version;
    public long updated;

    public PopularList() {}
}
