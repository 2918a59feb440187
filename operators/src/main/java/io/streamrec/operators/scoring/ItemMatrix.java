package io.streamrec.operators.scoring;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Heap cache of item vectors and biases for scoring, addressed by a dense row index.
 *
 * <p>Vectors live in one row-major {@code float[]} (row {@code r} occupies {@code [r * dim, (r + 1) *
 * dim)}), so a block of consecutive rows is also a column-major {@code dim × rows} matrix that BLAS
 * can read in place. Rows are never removed or reordered: a row index stays valid for the lifetime
 * of the matrix, and updating an item overwrites its row.
 *
 * <p>The cache is derived data (rebuilt from keyed state after a restore) and is not thread-safe:
 * one instance per scorer subtask, used from the task thread only.
 */
public final class ItemMatrix {

    private static final int DEFAULT_CAPACITY = 1024;

    private final int dim;
    private final Map<String, Integer> rowsById;
    private float[] vectors;
    private float[] biases;
    private String[] ids;
    /** Interactions with each item that the model has applied: the clock of the item's step size. */
    private long[] interactions;
    private int size;
    /**
     * Squared distance each row has moved (vector and bias) since {@link #markMoves}, or null while
     * nobody tracks moves. An approximate index reads it to know when its graph has gone stale.
     */
    private float[] movedSq;
    private float moveLimitSq;
    private int markedSize;
    private int movedRows;

    /** An empty matrix for vectors of {@code dim} components. */
    public ItemMatrix(int dim) {
        this(dim, DEFAULT_CAPACITY);
    }

    /** An empty matrix with room for {@code initialCapacity} items before it grows. */
    public ItemMatrix(int dim, int initialCapacity) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be positive, got " + dim);
        }
        if (initialCapacity < 1) {
            throw new IllegalArgumentException(
                    "initialCapacity must be positive, got " + initialCapacity);
        }
        if ((long) dim * initialCapacity > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "dim × initialCapacity does not fit in one array: " + dim + " × " + initialCapacity);
        }
        this.dim = dim;
        this.vectors = new float[dim * initialCapacity];
        this.biases = new float[initialCapacity];
        this.ids = new String[initialCapacity];
        this.interactions = new long[initialCapacity];
        this.rowsById = new HashMap<>(initialCapacity * 2);
    }

    /**
     * Inserts or replaces an item and returns its row.
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
            if (movedSq != null && row < markedSize) {
                trackMove(row, vector, bias);
            }
        } else {
            ensureCapacity(size + 1);
            row = size++;
            ids[row] = itemId;
            rowsById.put(itemId, row);
        }
        System.arraycopy(vector, 0, vectors, row * dim, dim);
        biases[row] = bias;
        return row;
    }

    /**
     * Starts counting moved rows afresh: from now on a row among the current {@link #size()} rows
     * counts as moved once the sum of its squared steps (vector and bias; for a random walk, the
     * expected squared displacement) exceeds {@code tolerance²} times the current mean squared row
     * norm. Costs one pass over the
     * matrix; afterwards every update of a marked row costs one more pass over its components.
     */
    public void markMoves(float tolerance) {
        if (!(tolerance > 0f)) {
            throw new IllegalArgumentException("tolerance must be positive, got " + tolerance);
        }
        double sumSq = 0;
        for (int r = 0; r < size; r++) {
            int offset = r * dim;
            double rowSq = (double) biases[r] * biases[r];
            for (int k = 0; k < dim; k++) {
                rowSq += (double) vectors[offset + k] * vectors[offset + k];
            }
            sumSq += rowSq;
        }
        float meanSq = size == 0 ? 0f : (float) (sumSq / size);
        moveLimitSq = tolerance * tolerance * meanSq;
        markedSize = size;
        movedRows = 0;
        if (movedSq == null || movedSq.length < ids.length) {
            movedSq = new float[ids.length];
        } else {
            Arrays.fill(movedSq, 0f);
        }
    }

    /** Rows that moved further than the tolerance since {@link #markMoves} (0 if never marked). */
    public int movedRows() {
        return movedRows;
    }

    private void trackMove(int row, float[] vector, float bias) {
        int offset = row * dim;
        float db = bias - biases[row];
        float stepSq = db * db;
        for (int k = 0; k < dim; k++) {
            float d = vector[k] - vectors[offset + k];
            stepSq += d * d;
        }
        float before = movedSq[row];
        float after = before + stepSq;
        movedSq[row] = after;
        if (before <= moveLimitSq && after > moveLimitSq) {
            movedRows++;
        }
    }

    /** Interactions applied to the item in {@code row} (0 for an item the cache has only seen as new). */
    public long interactionsAt(int row) {
        Objects.checkIndex(row, size);
        return interactions[row];
    }

    /** Sets the interaction count of the item in {@code row}. */
    public void setInteractions(int row, long count) {
        Objects.checkIndex(row, size);
        interactions[row] = count;
    }

    /** Row of the item, or -1 if it is not cached. */
    public int indexOf(String itemId) {
        Integer row = rowsById.get(itemId);
        return row == null ? -1 : row;
    }

    /** Id of the item in {@code row}. */
    public String idAt(int row) {
        Objects.checkIndex(row, size);
        return ids[row];
    }

    /** Bias of the item in {@code row}. */
    public float biasAt(int row) {
        Objects.checkIndex(row, size);
        return biases[row];
    }

    /** The dot product of the vector in {@code row} with {@code v}, without copying the row. */
    public float dot(int row, float[] v) {
        Objects.checkIndex(row, size);
        int offset = row * dim;
        float sum = 0f;
        for (int k = 0; k < dim; k++) {
            sum += vectors[offset + k] * v[k];
        }
        return sum;
    }

    /** A copy of the vector in {@code row}. */
    public float[] vectorAt(int row) {
        Objects.checkIndex(row, size);
        return Arrays.copyOfRange(vectors, row * dim, (row + 1) * dim);
    }

    /** Number of cached items; rows {@code 0 .. size() - 1} are valid. */
    public int size() {
        return size;
    }

    /** Number of components per vector. */
    public int dim() {
        return dim;
    }

    /**
     * The backing row-major vector array, for kernels. Only the first {@code size() * dim()} entries
     * are meaningful. The reference is replaced when the matrix grows, so do not keep it across an
     * {@link #upsert}.
     */
    public float[] vectorData() {
        return vectors;
    }

    /** The backing bias array, for kernels; same caveats as {@link #vectorData()}. */
    public float[] biasData() {
        return biases;
    }

    private void ensureCapacity(int needed) {
        int capacity = ids.length;
        if (needed <= capacity) {
            return;
        }
        long grown = Math.max(needed, (long) capacity + (capacity >> 1) + 1);
        long maxRows = (Integer.MAX_VALUE - 8) / dim;
        if (needed > maxRows) {
            throw new IllegalStateException("item matrix cannot hold more than " + maxRows + " items of dim " + dim);
        }
        int newCapacity = (int) Math.min(grown, maxRows);
        vectors = Arrays.copyOf(vectors, newCapacity * dim);
        biases = Arrays.copyOf(biases, newCapacity);
        ids = Arrays.copyOf(ids, newCapacity);
        interactions = Arrays.copyOf(interactions, newCapacity);
        if (movedSq != null) {
            movedSq = Arrays.copyOf(movedSq, newCapacity);
        }
    }
}
