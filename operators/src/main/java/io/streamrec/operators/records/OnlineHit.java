package io.streamrec.operators.records;

/**
 * Online (test-then-learn) evaluation of one interaction: where the item stood in the user's list
 * just before the model learned from the interaction. {@code rank} is 0-based, -1 when the item
 * was not in the top {@code listSize}.
 */
public class OnlineHit {
    public String user;
    public String item;
    public long ts;
    public int rank = -1;
    public int listSize;

    public OnlineHit() {}

    public OnlineHit(String user, String item, long ts, int rank, int listSize) {
        this.user = user;
        this.item = item;
        this.ts = ts;
        this.rank = rank;
        this.listSize = listSize;
    }

    public boolean hit() {
        return rank >= 0;
    }
}
