package io.streamrec.operators.user;

import io.streamrec.operators.evaluation.OnlineEvaluation;
import io.streamrec.operators.records.UserList;
import io.streamrec.operators.scoring.BatchSizeKernel;
import io.streamrec.operators.scoring.HnswTopNKernel;
import io.streamrec.operators.scoring.ItemMatrix;
import io.streamrec.operators.scoring.JavaTopNKernel;
import io.streamrec.operators.scoring.ScoredItems;
import io.streamrec.operators.scoring.TopNKernel;
import io.streamrec.operators.state.UserState;

import java.util.ArrayList;
import java.util.List;

/**
 * Users whose lists are due, scored together: one matrix × matrix pass of a top-N kernel over the
 * item cache for the whole batch (seen items excluded), instead of one pass per user; small batches
 * go to the Java kernel ({@link BatchSizeKernel}).
 *
 * <p>Unavailable items ({@link ItemCatalog}) are masked rows of the cache, which the exact kernels
 * never return; a kernel that searches an index gets them as excluded rows. For each configured
 * category the batch is scored a second time against that category's sub-matrix (its available
 * items only) by the category kernel, an exact one: the extra cost of a category is proportional
 * to the number of its items, and a user's lists come out together (the main list, then one per
 * category, in the configured order). Not thread-safe.
 */
public final class RefreshBatch implements AutoCloseable {

    private final BatchSizeKernel kernel;
    /** Scores the category sub-matrices: exact (an index is built over the whole cache only). */
    private final BatchSizeKernel categoryKernel;
    private final TopNKernel smallBatchKernel = new JavaTopNKernel();
    private final int topN;
    private final List<Due> due = new ArrayList<>();

    public RefreshBatch(BatchSizeKernel kernel, int topN) {
        this(kernel, kernel.perUser() ? new BatchSizeKernel(new JavaTopNKernel()) : kernel, topN);
    }

    /** @param categoryKernel an exact kernel for the category lists (the main one if it is exact) */
    public RefreshBatch(BatchSizeKernel kernel, BatchSizeKernel categoryKernel, int topN) {
        this.kernel = kernel;
        this.categoryKernel = categoryKernel;
        this.topN = topN;
    }

    /** Items in the kernel's approximate index now (0 when scoring is exact or no index is ready). */
    public int indexedItems() {
        return kernel.configured() instanceof HnswTopNKernel hnsw ? hnsw.indexedItems() : 0;
    }

    /** Releases the kernel's resources (an index's builder thread). */
    @Override
    public void close() throws Exception {
        if (kernel.configured() instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    private record Due(String user, float[] p, float bias, String[] seen, long version, long interactions, long eventTs,
                       long requestedAt) {}

    /**
     * Adds a user with a snapshot of their state now; the list carries {@code s.version}. Their seen
     * items are looked up when the batch is scored: rows can move until then ({@code ItemMatrix#remove}).
     */
    public void add(String user, UserState s) {
        due.add(new Due(user, s.p.clone(), s.b, s.seen, s.version, s.interactions, s.lastTs, s.refreshRequestedAt));
    }

    /** When each waiting user's refresh was requested (processing time), in the order {@link #score} returns them. */
    public long[] requestTimes() {
        long[] out = new long[due.size()];
        for (int u = 0; u < out.length; u++) {
            out[u] = due.get(u).requestedAt;
        }
        return out;
    }

    public int size() {
        return due.size();
    }

    /** Drops the user's waiting refresh, if any (the user was forgotten). */
    public void remove(String user) {
        due.removeIf(d -> d.user.equals(user));
    }

    public boolean isEmpty() {
        return due.isEmpty();
    }

    /** Scores every waiting user against {@code items} and returns their lists (computed at {@code now}); empties the batch. */
    public List<UserList> score(ItemMatrix items, long now) {
        return score(items, null, now);
    }

    /**
     * Scores every waiting user against {@code items}, without the {@code catalog}'s unavailable
     * items, and against each of its categories; returns per user the main list followed by the
     * category lists (computed at {@code now}); empties the batch.
     */
    public List<UserList> score(ItemMatrix items, ItemCatalog catalog, long now) {
        int b = due.size();
        if (b == 0) {
            return List.of();
        }
        float[][] users = new float[b][];
        float[] offsets = new float[b];
        int[][] excluded = new int[b][];
        // masked rows are skipped by the exact kernels; an index search needs them as excluded rows
        int[] unavailable = catalog == null || !kernel.perUser() ? new int[0] : catalog.unavailableRows(items);
        for (int u = 0; u < b; u++) {
            Due d = due.get(u);
            users[u] = d.p;
            offsets[u] = d.bias;
            excluded[u] = concat(rowsOf(items, d.seen), unavailable);
        }
        ScoredItems[] top = kernel.topN(items, users, offsets, excluded, topN);
        List<String> categories = catalog == null ? List.of() : catalog.categories();
        ScoredItems[][] byCategory = new ScoredItems[categories.size()][];
        for (int c = 0; c < byCategory.length; c++) {
            ItemMatrix m = catalog.category(categories.get(c));
            int[][] seenInCategory = new int[b][];
            for (int u = 0; u < b; u++) {
                seenInCategory[u] = rowsOf(m, due.get(u).seen);
            }
            byCategory[c] = categoryKernel.topN(m, users, offsets, seenInCategory, topN);
        }
        List<UserList> lists = new ArrayList<>(b * (1 + byCategory.length));
        for (int u = 0; u < b; u++) {
            Due d = due.get(u);
            lists.add(list(d, null, top[u], items, now));
            for (int c = 0; c < byCategory.length; c++) {
                lists.add(list(d, categories.get(c), byCategory[c][u], catalog.category(categories.get(c)), now));
            }
        }
        due.clear();
        return lists;
    }

    private static UserList list(Due d, String category, ScoredItems top, ItemMatrix items, long now) {
        UserList list = new UserList();
        list.user = d.user;
        list.category = category;
        list.items = new String[top.size()];
        list.scores = top.scores();
        for (int k = 0; k < list.items.length; k++) {
            list.items[k] = items.idAt(top.rows()[k]);
        }
        list.version = d.version;
        list.updated = now;
        list.eventTs = d.eventTs;
        list.interactions = d.interactions;
        return list;
    }

    /** {@code a} followed by {@code b}. */
    static int[] concat(int[] a, int[] b) {
        if (b.length == 0) {
            return a;
        }
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Test-then-learn: the rank of {@code item} for the user before learning from the interaction,
     * and the length of the list it was ranked in; null when nothing is measured. LAST_LIST looks in
     * the list the user last got, EXACT in a fresh top-N from the current model (seen items excluded).
     */
    public int[] onlineRank(OnlineEvaluation mode, UserState s, String item, ItemCache cache) {
        if (mode == OnlineEvaluation.LAST_LIST && s.lastList != null && s.lastList.length > 0) {
            return new int[] {SeenItems.indexOf(s.lastList, item), s.lastList.length};
        }
        if (mode != OnlineEvaluation.EXACT || cache.matrix().size() == 0) {
            return null;
        }
        ItemMatrix items = cache.matrix();
        ScoredItems top = smallBatchKernel.topN(items, new float[][] {s.p}, new float[] {s.b},
                new int[][] {cache.rowsOf(s.seen)}, topN)[0];
        int row = items.indexOf(item);
        for (int k = 0; k < top.size() && row >= 0; k++) {
            if (top.rows()[k] == row) {
                return new int[] {k, top.size()};
            }
        }
        return new int[] {-1, top.size()};
    }

    /** Rows of the cached items among {@code seen} (items not cached are skipped). */
    static int[] rowsOf(ItemMatrix items, String[] seen) {
        int[] rows = new int[seen.length];
        int n = 0;
        for (String item : seen) {
            int row = items.indexOf(item);
            if (row >= 0) {
                rows[n++] = row;
            }
        }
        return n == rows.length ? rows : java.util.Arrays.copyOf(rows, n);
    }
}
