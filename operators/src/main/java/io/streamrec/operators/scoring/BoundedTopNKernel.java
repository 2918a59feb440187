package io.streamrec.operators.scoring;

import java.util.Arrays;
import java.util.Objects;

/**
 * An exact kernel that scores most cold users against a few thousand items instead of the whole
 * catalogue, and proves for each that the rest of the catalogue cannot enter their list.
 *
 * <p>A user with one or two interactions has a short vector {@code p}, so their scores {@code b_j +
 * p·q_j + offset} are ranked mostly by the item biases. Per batch this kernel takes a hot set
 * {@code H} of {@link #hotItems()} unmasked rows with the largest {@code b_j + r·|q_j|} ({@code r}:
 * the batch's median user norm), scores the batch against {@code H} alone with the wrapped exact
 * kernel, and accepts a user's list when its {@code n}-th score is strictly above an upper bound of
 * every score outside {@code H}: by Cauchy–Schwarz {@code p·q_j <= |p|·|q_j|}, so with the rows
 * outside {@code H} split into {@value #NORM_BANDS} bands by norm, each with its largest bias {@code
 * B_g} and norm {@code Q_g}, no outside row scores above {@code max_g (B_g + |p|·Q_g) + offset}. The
 * bound is raised by a relative margin that covers float rounding of the dot products, the norms and
 * the two additions, so it holds for the scores the kernels compute, not only for real numbers.
 * Users that are not accepted are scored by the exact kernel against the whole matrix, together.
 *
 * <p><b>Exact.</b> An accepted user's list is the exact kernel's: every row outside {@code H} scores
 * strictly below the list's last score, so it could neither enter nor tie. {@code H} is copied
 * in increasing row order, so ties inside it are broken by the lower row as in {@link TopNHeap};
 * seen rows in {@code H} are excluded, masked rows never enter it. Biases and norms are read from
 * the matrix as it is at the call ({@link ItemMatrix} keeps each row's norm in step with its vector
 * on every upsert and removal), never cached here. The hot set is
 * scored by the same exact kernel, so scores are the ones it would compute (a kernel whose
 * summation order depends on the batch size may differ in the last bits).
 *
 * <p><b>Kept, not rechosen.</b> Choosing {@code H} and the bands is a pass over every row's bias and
 * norm; done for every batch it was 13% of a UserWorker's thread at 100k items. So they are chosen
 * once and then followed ({@link RowChanges}): a written hot row is copied again, a written row
 * outside {@code H} raises its band's largest bias and norm to its own (bands are never lowered, so
 * the bound only loosens). They are chosen afresh after a removal or a mask, after writes to more
 * than 1/{@value #CHANGED_ROWS_PER_PASS} of the rows, and after a batch with few acceptances.
 *
 * <p><b>When it pays.</b> Following the writes costs little, the hot set
 * {@code |H| / M} of the batch's. A batch of warm users (long vectors) is rarely accepted: after a
 * batch in which fewer than {@value #MIN_ACCEPTED_SHARE_PERCENT}% of the users were accepted, the
 * next batches go straight to the exact kernel (1, then 2, 4 … up to {@value #MAX_SKIP} batches while
 * the low rate persists). Catalogues of at most {@value #MIN_ROWS_PER_HOT_ROW} × {@link #hotItems()}
 * rows, and requests for more than a quarter of {@code H}, go straight to the exact kernel.
 *
 * <p>Not thread-safe (scratch buffers, a copy of the hot set), like every kernel. Long (over 400
 * lines) because choosing, following and using the hot set share its arrays and the proof that
 * the bound holds; split, each part would need the others' invariants.
 */
public final class BoundedTopNKernel implements TopNKernel {

    /** Hot-set size unless given: 2% of a 100k catalogue. */
    public static final int DEFAULT_HOT_ITEMS = 2048;
    static final int NORM_BANDS = 32;
    static final int MIN_ROWS_PER_HOT_ROW = 4;
    static final int MIN_ACCEPTED_SHARE_PERCENT = 20;
    static final int MAX_SKIP = 64;
    /** The hot set is chosen afresh once more than 1 / this of the catalogue's rows were written since. */
    static final int CHANGED_ROWS_PER_PASS = 8;

    private final TopNKernel exact;
    private final int hotItems;
    private final String[] hotIds;
    private ItemMatrix hot;
    private float[] norms = new float[0];
    private float[] keys = new float[0];
    private float[] select = new float[0];
    private final int[] hotRows;
    private final float[] bandBias = new float[NORM_BANDS];
    private final float[] bandNorm = new float[NORM_BANDS];
    private float[] vector = new float[0];
    /** The matrix whose hot set and bands are held, and the rows written in it since they were chosen. */
    private ItemMatrix tracked;
    private RowChanges changes;
    /** Bands per unit of norm, as chosen with the hot set. */
    private float toBand;
    private int skip;
    private int skipLeft;
    // written by the task thread only; volatile so that metric gauges may read them
    private volatile long boundedUsers;
    private volatile long acceptedUsers;
    private long hotSetChoices;

    /** Wraps {@code exact} with a hot set of {@value #DEFAULT_HOT_ITEMS} items. */
    public BoundedTopNKernel(TopNKernel exact) {
        this(exact, DEFAULT_HOT_ITEMS);
    }

    public BoundedTopNKernel(TopNKernel exact, int hotItems) {
        this.exact = Objects.requireNonNull(exact, "exact");
        if (hotItems < 1) {
            throw new IllegalArgumentException("hotItems must be positive, got " + hotItems);
        }
        this.hotItems = hotItems;
        this.hotRows = new int[hotItems];
        this.hotIds = new String[hotItems];
        for (int i = 0; i < hotItems; i++) {
            hotIds[i] = Integer.toString(i);
        }
    }

    @Override
    public ScoredItems[] topN(ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(users, "users");
        if (!worthBounding(items, users, userOffsets, excludedRows, n)) {
            return exact.topN(items, users, userOffsets, excludedRows, n);
        }
        int batch = users.length;
        double[] userNorms = new double[batch];
        for (int u = 0; u < batch; u++) {
            userNorms[u] = norm(users[u]);
        }
        boolean fresh = !followChanges(items);
        if (fresh) {
            double[] sorted = userNorms.clone();
            Arrays.sort(sorted);
            if (!chooseHotSet(items, (float) sorted[batch / 2])) {
                return exact.topN(items, users, userOffsets, excludedRows, n);
            }
            copyHotSet(items);
            hotSetChoices++;
            changes.restart(Math.max(hotItems, items.size() / CHANGED_ROWS_PER_PASS));
        }
        int[][] hotExcluded = new int[batch][];
        for (int u = 0; u < batch; u++) {
            hotExcluded[u] = excludedRows == null ? null : hotRowsOf(excludedRows[u]);
        }
        ScoredItems[] inHot = exact.topN(hot, users, userOffsets, hotExcluded, n);
        // relative margin over float rounding: dot products and norms (d terms), bias and offset sums
        double margin = (items.dim() + 8) * 0x1p-22;
        ScoredItems[] results = new ScoredItems[batch];
        int[] rest = new int[batch];
        int restCount = 0;
        for (int u = 0; u < batch; u++) {
            float offset = userOffsets == null ? 0f : userOffsets[u];
            ScoredItems candidate = inHot[u];
            if (candidate.size() == n && candidate.scores[n - 1] > outsideBound(userNorms[u], offset, margin)) {
                int[] rows = new int[n];
                for (int k = 0; k < n; k++) {
                    rows[k] = hotRows[candidate.rows[k]];
                }
                results[u] = new ScoredItems(rows, candidate.scores);
            } else {
                rest[restCount++] = u;
            }
        }
        boundedUsers += batch;
        acceptedUsers += batch - restCount;
        if (!fresh && (batch - restCount) * 100L < (long) MIN_ACCEPTED_SHARE_PERCENT * batch) {
            changes.invalidate(); // perhaps users' norms have moved away from the hot set's: choose it afresh
        } else {
            adapt(batch - restCount, batch);
        }
        if (restCount > 0) {
            scoreRest(items, users, userOffsets, excludedRows, n, results, rest, restCount);
        }
        return results;
    }

    private boolean worthBounding(ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n) {
        if (users.length == 0 || n <= 0 || n > hotItems / 4
                || items.size() <= (long) MIN_ROWS_PER_HOT_ROW * hotItems
                || (userOffsets != null && userOffsets.length != users.length)
                || (excludedRows != null && excludedRows.length != users.length)) {
            return false; // nothing to gain, or arguments the exact kernel rejects with its message
        }
        for (float[] user : users) {
            if (user == null || user.length != items.dim()) {
                return false;
            }
        }
        if (skipLeft > 0) {
            skipLeft--;
            return false;
        }
        return true;
    }

    /** After a batch with few acceptances the next ones skip the bound, for longer while it lasts. */
    private void adapt(int accepted, int batch) {
        if (accepted * 100L >= (long) MIN_ACCEPTED_SHARE_PERCENT * batch) {
            skip = 0;
        } else {
            skip = Math.min(MAX_SKIP, Math.max(1, skip * 2));
            skipLeft = skip;
        }
    }

    /**
     * Brings the hot set and the bands up to date with the rows written since they were chosen, and
     * returns true; or returns false when they must be chosen afresh: first call, another matrix, a
     * removal or mask, or more than the list's limit of writes. A written hot row is copied again; a
     * written row outside the hot set raises its band's largest bias and norm to its own (the bands
     * are never lowered, so the bound stays an upper bound, only a looser one, until the next choice).
     */
    private boolean followChanges(ItemMatrix items) {
        if (items != tracked) {
            if (tracked != null) {
                tracked.untrackChanges(changes);
            }
            tracked = items;
            changes = items.trackChanges();
        }
        if (!changes.complete() || hot == null || hot.dim() != items.dim()) {
            return false;
        }
        int dim = items.dim();
        int shift = Integer.numberOfTrailingZeros(items.segmentRows());
        int mask = items.segmentRows() - 1;
        for (int i = 0, count = changes.count(); i < count; i++) {
            int row = changes.row(i);
            int hotPosition = Arrays.binarySearch(hotRows, 0, hotItems, row);
            float bias = items.biasSegment(row >>> shift)[row & mask];
            if (hotPosition >= 0) {
                System.arraycopy(items.vectorSegment(row >>> shift), (row & mask) * dim, vector, 0, dim);
                hot.upsert(hotIds[hotPosition], vector, bias);
            } else if (bias != Float.NEGATIVE_INFINITY) {
                float q = items.normSegment(row >>> shift)[row & mask];
                int g = Math.min(NORM_BANDS - 1, (int) (q * toBand));
                bandBias[g] = Math.max(bandBias[g], bias);
                bandNorm[g] = Math.max(bandNorm[g], q);
            }
        }
        changes.restart(Math.max(hotItems, items.size() / CHANGED_ROWS_PER_PASS));
        return true;
    }

    /**
     * Reads every row's norm, picks the hot rows (largest {@code bias + r·norm}, unmasked, in
     * increasing row order) and the bands of the others. False if fewer than {@link #hotItems()}
     * rows can be scored.
     */
    private boolean chooseHotSet(ItemMatrix items, float r) {
        int size = items.size();
        if (norms.length < size) {
            norms = new float[size + size / 4];
            keys = new float[norms.length];
            select = new float[norms.length];
        }
        int scorable = 0;
        for (int s = 0, segments = items.usedSegments(); s < segments; s++) {
            float[] segmentNorms = items.normSegment(s);
            float[] biases = items.biasSegment(s);
            int base = s * items.segmentRows();
            for (int l = 0, rows = items.rowsIn(s); l < rows; l++) {
                float q = segmentNorms[l];
                norms[base + l] = q;
                float b = biases[l];
                keys[base + l] = b == Float.NEGATIVE_INFINITY ? Float.NEGATIVE_INFINITY : b + r * q;
                if (b != Float.NEGATIVE_INFINITY) {
                    scorable++;
                }
            }
        }
        if (scorable < hotItems) {
            return false;
        }
        System.arraycopy(keys, 0, select, 0, size);
        float kth = kthLargest(select, size, hotItems);
        int above = 0;
        for (int row = 0; row < size; row++) {
            if (keys[row] > kth) {
                above++;
            }
        }
        int ties = hotItems - above;
        float maxNorm = 0f;
        int h = 0;
        for (int row = 0; row < size; row++) {
            float key = keys[row];
            if (key > kth || (key == kth && ties-- > 0)) {
                hotRows[h++] = row;
                keys[row] = Float.NaN; // marks a hot row for the band pass
            } else if (key != Float.NEGATIVE_INFINITY) {
                maxNorm = Math.max(maxNorm, norms[row]);
            }
        }
        Arrays.fill(bandBias, Float.NEGATIVE_INFINITY);
        Arrays.fill(bandNorm, 0f);
        toBand = maxNorm > 0f ? NORM_BANDS / maxNorm : 0f;
        for (int s = 0, segments = items.usedSegments(); s < segments; s++) {
            float[] biases = items.biasSegment(s);
            int base = s * items.segmentRows();
            for (int l = 0, rows = items.rowsIn(s); l < rows; l++) {
                float key = keys[base + l];
                if (Float.isNaN(key) || key == Float.NEGATIVE_INFINITY) {
                    continue; // hot, or masked
                }
                float q = norms[base + l];
                int g = Math.min(NORM_BANDS - 1, (int) (q * toBand));
                bandBias[g] = Math.max(bandBias[g], biases[l]);
                bandNorm[g] = Math.max(bandNorm[g], q);
            }
        }
        return true;
    }

    /**
     * An upper bound of every score outside the hot set for a user of norm {@code r}: the largest
     * {@code B_g + r·Q_g + offset}, raised by {@code margin} times the magnitudes that were rounded.
     */
    private double outsideBound(double r, float offset, double margin) {
        double bound = Double.NEGATIVE_INFINITY;
        double magnitude = 0;
        for (int g = 0; g < NORM_BANDS; g++) {
            if (bandBias[g] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            double term = bandBias[g] + r * bandNorm[g];
            bound = Math.max(bound, term);
            magnitude = Math.max(magnitude, Math.abs(bandBias[g]) + r * bandNorm[g]);
        }
        if (bound == Double.NEGATIVE_INFINITY) {
            return bound; // every row outside the hot set is masked
        }
        magnitude += Math.abs(offset);
        return bound + offset + margin * magnitude + Double.MIN_NORMAL;
    }

    /** Copies the hot rows, in increasing row order, into the hot matrix (ids are positions). */
    private void copyHotSet(ItemMatrix items) {
        int dim = items.dim();
        if (hot == null || hot.dim() != dim) {
            hot = new ItemMatrix(dim, hotItems);
            vector = new float[dim];
        }
        int shift = Integer.numberOfTrailingZeros(items.segmentRows());
        int mask = items.segmentRows() - 1;
        for (int i = 0; i < hotItems; i++) {
            int row = hotRows[i];
            System.arraycopy(items.vectorSegment(row >>> shift), (row & mask) * dim, vector, 0, dim);
            hot.upsert(hotIds[i], vector, items.biasAt(row));
        }
    }

    /** Positions in the hot set of the rows in {@code excluded} that are hot. */
    private int[] hotRowsOf(int[] excluded) {
        if (excluded == null || excluded.length == 0) {
            return excluded;
        }
        int[] out = new int[excluded.length];
        int count = 0;
        for (int row : excluded) {
            int i = Arrays.binarySearch(hotRows, 0, hotItems, row);
            if (i >= 0) {
                out[count++] = i;
            }
        }
        return Arrays.copyOf(out, count);
    }

    private void scoreRest(ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n,
                           ScoredItems[] results, int[] rest, int restCount) {
        float[][] restUsers = new float[restCount][];
        float[] restOffsets = userOffsets == null ? null : new float[restCount];
        int[][] restExcluded = excludedRows == null ? null : new int[restCount][];
        for (int i = 0; i < restCount; i++) {
            int u = rest[i];
            restUsers[i] = users[u];
            if (restOffsets != null) {
                restOffsets[i] = userOffsets[u];
            }
            if (restExcluded != null) {
                restExcluded[i] = excludedRows[u];
            }
        }
        ScoredItems[] scored = exact.topN(items, restUsers, restOffsets, restExcluded, n);
        for (int i = 0; i < restCount; i++) {
            results[rest[i]] = scored[i];
        }
    }

    private static double norm(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    /** The {@code k}-th largest of {@code a[0 .. size)} (1-based; reorders {@code a}). */
    static float kthLargest(float[] a, int size, int k) {
        int lo = 0;
        int hi = size - 1;
        int target = k - 1;
        while (lo < hi) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] > pivot) {
                    i++;
                }
                while (a[j] < pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return a[target];
            }
        }
        return a[target];
    }

    /** Size of the hot set. */
    public int hotItems() {
        return hotItems;
    }

    /** Users scored through the bound so far (batches that skipped it not counted). */
    public long boundedUsers() {
        return boundedUsers;
    }

    /** Of {@link #boundedUsers()}, those whose list came from the hot set alone. */
    public long acceptedUsers() {
        return acceptedUsers;
    }

    /** How many times the hot set was chosen by a pass over the whole matrix (for tests). */
    long hotSetChoices() {
        return hotSetChoices;
    }

    /** The wrapped exact kernel. */
    public TopNKernel exact() {
        return exact;
    }

    @Override
    public String name() {
        return "bounded(" + exact.name() + ")";
    }
}
