package io.streamrec.operators.scoring;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Heap cache of item vectors and biases for scoring, addressed by a dense row index.
 *
 * <p><b>Segmented storage.</b> Rows live in fixed-size segments of {@link #segmentRows()} rows
 * (a power of two; {@value #DEFAULT_SEGMENT_ROWS} by default): row {@code r} is local row {@code r
 * & (segmentRows - 1)} of segment {@code r >> log2(segmentRows)}, and a segment's vectors are one
 * row-major {@code float[]} (local row {@code l} occupies {@code [l * dim, (l + 1) * dim)}), so a
 * block of consecutive rows inside a segment is also a column-major {@code dim × rows} matrix that
 * BLAS can read in place. The matrix grows by adding a segment, never by copying what it holds:
 * the extra memory of a growth is one segment (only the last segment may start small and double up
 * to full size), where one flat array needed the old and the new array at once (2.5× at a growth
 * by 1.5). Kernels scan segment by segment ({@link #vectorSegment}, {@link #biasSegment}).
 *
 * <p><b>Bounded.</b> At most {@link #maxRows()} rows: {@link #upsert} of a new item past it returns
 * -1 (refused) instead of throwing, so a cache refilled after a restart cannot crash-loop; the
 * caller counts the refusal. Rows do not address one array, so there is no (2³¹ − 8) / dim limit.
 *
 * <p><b>Rows.</b> A row index stays valid until {@link #remove}: removing an item moves the last
 * row into its place (the matrix stays dense, kernels scan rows {@code 0 .. size() - 1}). Updating
 * an item overwrites its row. Segments are kept after removals (capacity stays at its high-water
 * mark), so a reader holding a segment never sees it vanish.
 *
 * <p>The cache is derived data (rebuilt from keyed state after a restore) and is not thread-safe:
 * one instance per scorer subtask, used from the task thread only.
 *
 * <p>Why it is long (over 400 lines): the segment addressing, the removal that keeps rows dense and
 * the move tracking of the HNSW index, the masks of unavailable items and the norms all act on the same per-row
 * arrays; split up, each part would need the segments' internals.
 */
public final class ItemMatrix {

    /** Rows per segment unless given: 2 MiB of vectors at d = 64; a multiple of every kernel's block. */
    public static final int DEFAULT_SEGMENT_ROWS = 8192;
    /** The largest row count a matrix can be asked to hold (rows are int indexes). */
    public static final int MAX_ROWS = Integer.MAX_VALUE - 8;

    private static final int MIN_FIRST_SEGMENT = 16;

    private final int dim;
    private final int segmentRows;
    private final int segmentShift;
    private final int segmentMask;
    private final int maxRows;
    private final Map<String, Integer> rowsById;
    private Segment[] segments = new Segment[0];
    private int segmentCount;
    private int size;
    /**
     * Squared distance each row has moved (vector and bias) since {@link #markMoves}, in the
     * segments' {@code movedSq}, or not tracked while {@code tracking} is false. An approximate
     * index reads it to know when its graph has gone stale.
     */
    private boolean tracking;
    private float moveLimitSq;
    private int markedSize;
    private int movedRows;
    /** Readers that follow the writes ({@link #trackChanges}); usually none, at most one per kernel. */
    private RowChanges[] changeReaders = new RowChanges[0];

    /** One segment's rows: vectors row-major, and the per-row fields. */
    private static final class Segment {
        float[] vectors;
        float[] biases;
        /**
         * The biases kernels score with: {@code biases}, except negative infinity in masked rows
         * (never scored). Null until a row of the segment is masked; then kept in step.
         */
        float[] scoreBiases;
        String[] ids;
        /**
         * {@code ids[i].hashCode()}, kept beside them: negative sampling checks every candidate's
         * hash against the user's seen items, and reading it from the id string cost a cache miss
         * per candidate (13% of the UserWorker thread at 100k items in a profile).
         */
        int[] idHashes;
        /** Euclidean norm of each row's vector, kept in step with it (for {@link BoundedTopNKernel}'s bound). */
        float[] norms;
        /** Interactions the model has applied to each item: the clock of the item's step size. */
        long[] interactions;
        float[] movedSq;

        Segment(int rows, int dim) {
            vectors = new float[rows * dim];
            biases = new float[rows];
            ids = new String[rows];
            idHashes = new int[rows];
            norms = new float[rows];
            interactions = new long[rows];
        }

        int capacity() {
            return biases.length;
        }

        void grow(int rows, int dim) {
            vectors = Arrays.copyOf(vectors, rows * dim);
            biases = Arrays.copyOf(biases, rows);
            if (scoreBiases != null) {
                scoreBiases = Arrays.copyOf(scoreBiases, rows);
            }
            ids = Arrays.copyOf(ids, rows);
            idHashes = Arrays.copyOf(idHashes, rows);
            norms = Arrays.copyOf(norms, rows);
            interactions = Arrays.copyOf(interactions, rows);
            if (movedSq != null) {
                movedSq = Arrays.copyOf(movedSq, rows);
            }
        }
    }

    /** An empty matrix for vectors of {@code dim} components. */
    public ItemMatrix(int dim) {
        this(dim, 1);
    }

    /** An empty matrix with room for {@code initialCapacity} items before it allocates more. */
    public ItemMatrix(int dim, int initialCapacity) {
        this(dim, initialCapacity, DEFAULT_SEGMENT_ROWS, MAX_ROWS);
    }

    /**
     * An empty matrix of segments of {@code segmentRows} rows (a power of two) that refuses new
     * items past {@code maxRows}.
     */
    public ItemMatrix(int dim, int initialCapacity, int segmentRows, int maxRows) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be positive, got " + dim);
        }
        if (initialCapacity < 1) {
            throw new IllegalArgumentException("initialCapacity must be positive, got " + initialCapacity);
        }
        if (segmentRows < 1 || Integer.bitCount(segmentRows) != 1) {
            throw new IllegalArgumentException("segmentRows must be a power of two, got " + segmentRows);
        }
        if ((long) dim * segmentRows > MAX_ROWS) {
            throw new IllegalArgumentException(
                    "dim × segmentRows does not fit in one array: " + dim + " × " + segmentRows);
        }
        if (maxRows < 1 || maxRows > MAX_ROWS) {
            throw new IllegalArgumentException("maxRows must be in 1.." + MAX_ROWS + ", got " + maxRows);
        }
        this.dim = dim;
        this.segmentRows = segmentRows;
        this.segmentShift = Integer.numberOfTrailingZeros(segmentRows);
        this.segmentMask = segmentRows - 1;
        this.maxRows = maxRows;
        int initial = Math.min(initialCapacity, maxRows);
        this.rowsById = new HashMap<>((int) Math.min(1 << 20, initial * 2L));
        for (int allocated = 0; allocated < initial; allocated += segmentRows) {
            addSegment(Math.min(segmentRows, Math.max(initial - allocated, Math.min(MIN_FIRST_SEGMENT, segmentRows))));
        }
    }

    /**
     * Inserts or replaces an item and returns its row, or -1 when the item is new and the matrix
     * already holds {@link #maxRows()} items (nothing is stored).
     *
     * @throws IllegalArgumentException if the vector has the wrong length or a non-finite component,
     *     or the bias is not finite: a NaN in the cache would poison every user's ranking
     */
    public int upsert(String itemId, float[] vector, float bias) {
        Objects.requireNonNull(itemId, "itemId");
        Objects.requireNonNull(vector, "vector");
        if (vector.length != dim) {
            throw new IllegalArgumentException(
                    "vector of item '" + itemId + "' has " + vector.length + " components, expected " + dim);
        }
        if (!Float.isFinite(bias)) {
            throw new IllegalArgumentException("bias of item '" + itemId + "' is not finite: " + bias);
        }
        for (int c = 0; c < dim; c++) {
            if (!Float.isFinite(vector[c])) {
                throw new IllegalArgumentException(
                        "component " + c + " of item '" + itemId + "' is not finite: " + vector[c]);
            }
        }
        Integer existing = rowsById.get(itemId);
        int row;
        if (existing != null) {
            row = existing;
            if (tracking && row < markedSize) {
                trackMove(row, vector, bias);
            }
        } else {
            if (size >= maxRows) {
                return -1;
            }
            row = size;
            ensureRow(row);
            size++;
            Segment s = segment(row);
            int local = row & segmentMask;
            s.ids[local] = itemId;
            s.idHashes[local] = itemId.hashCode();
            s.interactions[local] = 0L;
            if (s.movedSq != null) {
                s.movedSq[local] = 0f;
            }
            rowsById.put(itemId, row);
        }
        write(row, vector, bias, existing == null);
        return row;
    }

    /**
     * Overwrites the vector and bias of the item in {@code row}, as {@link #upsert} of its id does,
     * without looking the id up: for a caller that holds the row (the UserWorker's own SGD steps).
     *
     * @throws IllegalArgumentException as {@link #upsert}
     * @throws IndexOutOfBoundsException if {@code row} is not below {@link #size()}
     */
    public void update(int row, float[] vector, float bias) {
        Objects.checkIndex(row, size);
        Objects.requireNonNull(vector, "vector");
        if (vector.length != dim || !Float.isFinite(bias) || !allFinite(vector)) {
            upsert(idAt(row), vector, bias); // throws with the item's id in the message
            return;
        }
        if (tracking && row < markedSize) {
            trackMove(row, vector, bias);
        }
        write(row, vector, bias, false);
    }

    private static boolean allFinite(float[] vector) {
        for (float x : vector) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    private void write(int row, float[] vector, float bias, boolean added) {
        Segment s = segment(row);
        int local = row & segmentMask;
        System.arraycopy(vector, 0, s.vectors, local * dim, dim);
        s.norms[local] = (float) Math.sqrt(Dots.dot(vector, 0, vector, 0, dim));
        s.biases[local] = bias;
        if (s.scoreBiases != null && (added || s.scoreBiases[local] != Float.NEGATIVE_INFINITY)) {
            s.scoreBiases[local] = bias; // a new row is not masked; a masked one stays masked
        }
        for (RowChanges reader : changeReaders) {
            reader.written(row);
        }
    }

    /**
     * A new list of the rows written from now on (incomplete until its first {@link
     * RowChanges#restart}); {@link #untrackChanges} ends it.
     */
    public RowChanges trackChanges() {
        RowChanges changes = new RowChanges();
        changeReaders = Arrays.copyOf(changeReaders, changeReaders.length + 1);
        changeReaders[changeReaders.length - 1] = changes;
        return changes;
    }

    /** Stops listing writes in {@code changes}. */
    public void untrackChanges(RowChanges changes) {
        changeReaders = Arrays.stream(changeReaders).filter(c -> c != changes).toArray(RowChanges[]::new);
    }

    private void reshaped() {
        for (RowChanges reader : changeReaders) {
            reader.reshaped();
        }
    }

    /**
     * Removes the item, if cached: the last row moves into its place (its index changes; every
     * other row keeps its index). Returns the removed item's former row, or -1 if it was not cached.
     * For a tracked index ({@link #markMoves}) both rows count as moved.
     */
    public int remove(String itemId) {
        Integer removed = rowsById.remove(itemId);
        if (removed == null) {
            return -1;
        }
        int row = removed;
        int last = size - 1;
        Segment to = segment(row);
        int toLocal = row & segmentMask;
        if (row != last) {
            Segment from = segment(last);
            int fromLocal = last & segmentMask;
            System.arraycopy(from.vectors, fromLocal * dim, to.vectors, toLocal * dim, dim);
            to.biases[toLocal] = from.biases[fromLocal];
            to.norms[toLocal] = from.norms[fromLocal];
            boolean masked = from.scoreBiases != null && from.scoreBiases[fromLocal] == Float.NEGATIVE_INFINITY;
            if (masked && to.scoreBiases == null) {
                to.scoreBiases = to.biases.clone();
            }
            if (to.scoreBiases != null) {
                to.scoreBiases[toLocal] = masked ? Float.NEGATIVE_INFINITY : from.biases[fromLocal];
            }
            to.ids[toLocal] = from.ids[fromLocal];
            to.idHashes[toLocal] = from.idHashes[fromLocal];
            to.interactions[toLocal] = from.interactions[fromLocal];
            rowsById.put(to.ids[toLocal], row);
            from.ids[fromLocal] = null;
            markMoved(last);
        } else {
            to.ids[toLocal] = null;
        }
        markMoved(row);
        size--;
        reshaped();
        return row;
    }

    private void markMoved(int row) {
        if (!tracking || row >= markedSize) {
            return;
        }
        Segment s = segment(row);
        int local = row & segmentMask;
        if (s.movedSq[local] <= moveLimitSq) {
            movedRows++;
        }
        s.movedSq[local] = Float.POSITIVE_INFINITY;
    }

    /**
     * Starts counting moved rows afresh: from now on a row among the current {@link #size()} rows
     * counts as moved once the sum of its squared steps (vector and bias; for a random walk, the
     * expected squared displacement) exceeds {@code tolerance²} times the current mean squared row
     * norm, or once it is removed or replaced by a removal. Costs one pass over the matrix;
     * afterwards every update of a marked row costs one more pass over its components.
     */
    public void markMoves(float tolerance) {
        if (!(tolerance > 0f)) {
            throw new IllegalArgumentException("tolerance must be positive, got " + tolerance);
        }
        double sumSq = 0;
        for (int r = 0; r < size; r++) {
            Segment s = segment(r);
            int local = r & segmentMask;
            int offset = local * dim;
            double rowSq = (double) s.biases[local] * s.biases[local];
            for (int k = 0; k < dim; k++) {
                rowSq += (double) s.vectors[offset + k] * s.vectors[offset + k];
            }
            sumSq += rowSq;
        }
        float meanSq = size == 0 ? 0f : (float) (sumSq / size);
        moveLimitSq = tolerance * tolerance * meanSq;
        markedSize = size;
        movedRows = 0;
        tracking = true;
        for (int i = 0; i < segmentCount; i++) {
            Segment s = segments[i];
            if (s.movedSq == null || s.movedSq.length != s.capacity()) {
                s.movedSq = new float[s.capacity()];
            } else {
                Arrays.fill(s.movedSq, 0f);
            }
        }
    }

    /** Rows that moved further than the tolerance since {@link #markMoves} (0 if never marked). */
    public int movedRows() {
        return movedRows;
    }

    private void trackMove(int row, float[] vector, float bias) {
        Segment s = segment(row);
        int local = row & segmentMask;
        int offset = local * dim;
        float db = bias - s.biases[local];
        float stepSq = db * db;
        for (int k = 0; k < dim; k++) {
            float d = vector[k] - s.vectors[offset + k];
            stepSq += d * d;
        }
        float before = s.movedSq[local];
        float after = before + stepSq;
        s.movedSq[local] = after;
        if (before <= moveLimitSq && after > moveLimitSq) {
            movedRows++;
        }
    }

    /** Interactions applied to the item in {@code row} (0 for an item the cache has only seen as new). */
    public long interactionsAt(int row) {
        Objects.checkIndex(row, size);
        return segment(row).interactions[row & segmentMask];
    }

    /** Sets the interaction count of the item in {@code row}. */
    public void setInteractions(int row, long count) {
        Objects.checkIndex(row, size);
        segment(row).interactions[row & segmentMask] = count;
    }

    /** Row of the item, or -1 if it is not cached. */
    public int indexOf(String itemId) {
        Integer row = rowsById.get(itemId);
        return row == null ? -1 : row;
    }

    /** Id of the item in {@code row}. */
    public String idAt(int row) {
        Objects.checkIndex(row, size);
        return segment(row).ids[row & segmentMask];
    }

    /** {@code idAt(row).hashCode()}, without reading the id. */
    public int idHashAt(int row) {
        Objects.checkIndex(row, size);
        return segment(row).idHashes[row & segmentMask];
    }

    /** Bias of the item in {@code row}. */
    public float biasAt(int row) {
        Objects.checkIndex(row, size);
        return segment(row).biases[row & segmentMask];
    }

    /**
     * The dot product of the vector in {@code row} with {@code v}, without copying the row; four
     * accumulators ({@link Dots#dot}): negative sampling's candidates are scored with it, once a
     * tenth of the UserWorker thread with one accumulator in a profile at a million users.
     */
    public float dot(int row, float[] v) {
        Objects.checkIndex(row, size);
        return Dots.dot(segment(row).vectors, (row & segmentMask) * dim, v, dim);
    }

    /** A copy of the vector in {@code row}. */
    public float[] vectorAt(int row) {
        Objects.checkIndex(row, size);
        int offset = (row & segmentMask) * dim;
        return Arrays.copyOfRange(segment(row).vectors, offset, offset + dim);
    }

    /** Number of cached items; rows {@code 0 .. size() - 1} are valid. */
    public int size() {
        return size;
    }

    /** The most items this matrix accepts; {@link #upsert} of a new item past it returns -1. */
    public int maxRows() {
        return maxRows;
    }

    /** Number of components per vector. */
    public int dim() {
        return dim;
    }

    /** Rows per segment (a power of two): row {@code r} is in segment {@code r / segmentRows()}. */
    public int segmentRows() {
        return segmentRows;
    }

    /** Segments holding rows {@code 0 .. size() - 1}. */
    public int usedSegments() {
        return (int) (((long) size + segmentRows - 1) >> segmentShift);
    }

    /** Valid rows in segment {@code s}: its rows are {@code s * segmentRows() + 0 .. rowsIn(s) - 1}. */
    public int rowsIn(int s) {
        return Math.max(0, Math.min(segmentRows, size - s * segmentRows));
    }

    /**
     * The row-major vectors of segment {@code s}, for kernels: local row {@code l} (row {@code s *
     * segmentRows() + l}) starts at {@code l * dim()}; only the first {@link #rowsIn} rows are
     * meaningful. The last segment's array is replaced while it is still growing to full size, so
     * do not keep the reference across an {@link #upsert}.
     */
    public float[] vectorSegment(int s) {
        return segments[s].vectors;
    }

    /**
     * The biases of segment {@code s}, for kernels, indexed by local row; same caveats as {@link
     * #vectorSegment}. A masked row's is negative infinity: a kernel's score for it is never kept.
     */
    public float[] biasSegment(int s) {
        Segment segment = segments[s];
        return segment.scoreBiases != null ? segment.scoreBiases : segment.biases;
    }

    /**
     * The norms of segment {@code s}'s vectors, indexed by local row, current after every {@link
     * #upsert} and {@link #remove} (computed in float: within a few units in the last place); same
     * caveats as {@link #vectorSegment}.
     */
    float[] normSegment(int s) {
        return segments[s].norms;
    }

    /**
     * Masks or unmasks a row: a masked row keeps its vector and bias ({@link #biasAt}, learning) but
     * kernels never return it (its {@link #biasSegment} entry is negative infinity). The mask moves
     * with the item when a removal moves its row, and stays across {@link #upsert}s of the item.
     */
    public void setMasked(int row, boolean masked) {
        Objects.checkIndex(row, size);
        Segment s = segment(row);
        int local = row & segmentMask;
        if (s.scoreBiases == null) {
            if (!masked) {
                return;
            }
            s.scoreBiases = s.biases.clone();
        }
        reshaped();
        s.scoreBiases[local] = masked ? Float.NEGATIVE_INFINITY : s.biases[local];
    }

    public boolean isMasked(int row) {
        Objects.checkIndex(row, size);
        Segment s = segment(row);
        return s.scoreBiases != null && s.scoreBiases[row & segmentMask] == Float.NEGATIVE_INFINITY;
    }

    /**
     * Every allocated segment as it is now, for random-access readers ({@link RowView}); rows from
     * {@link #size()} up to the allocated capacity hold stale (finite) values.
     */
    RowView view() {
        int used = segmentCount;
        float[][] v = new float[used][];
        float[][] b = new float[used][];
        for (int i = 0; i < used; i++) {
            v[i] = segments[i].vectors;
            b[i] = segments[i].biases;
        }
        return new RowView(v, b, segmentRows, dim);
    }

    private Segment segment(int row) {
        return segments[row >>> segmentShift];
    }

    private void ensureRow(int row) {
        int s = row >>> segmentShift;
        if (s == segmentCount) {
            addSegment(s == 0 ? Math.min(MIN_FIRST_SEGMENT, segmentRows) : segmentRows);
        }
        Segment segment = segments[s];
        int local = row & segmentMask;
        if (local >= segment.capacity()) {
            segment.grow((int) Math.min(segmentRows, 2L * segment.capacity()), dim);
        }
    }

    private void addSegment(int rows) {
        if (segmentCount == segments.length) {
            segments = Arrays.copyOf(segments, Math.max(4, segmentCount * 2));
        }
        Segment s = new Segment(rows, dim);
        if (tracking) {
            s.movedSq = new float[rows];
        }
        segments[segmentCount++] = s;
    }
}
