package io.streamrec.operators.user;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The cached items in an order that depends only on which items there are, not on when they
 * arrived: by a 64-bit hash of the id, ties by the id. Uniform negative sampling draws a position
 * in this order, so the same random number picks the same item in a run that built its cache from
 * the ItemServers' resend after a restore as in the run that never failed (the matrix's rows are in
 * arrival order, which differs).
 *
 * <p>New rows go to a small sorted tail that is merged into the main order when it grows past
 * √n (so an insertion costs O(√n), not O(n)); the k-th position is answered over both as if they
 * were one sorted array, so the answer does not depend on when merges happened. Each tail entry
 * keeps how many main entries come before it, so a position costs one binary search over the tail
 * (a search of main per step of it was 7% of the UserWorker thread in a profile). Not thread-safe.
 */
final class SamplingOrder {

    private static final int MIN_TAIL = 256;

    private final IntFunction<String> idOfRow;
    private int[] main = new int[0];
    private long[] mainKeys = new long[0];
    private int mainSize;
    private int[] tail = new int[MIN_TAIL];
    private long[] tailKeys = new long[MIN_TAIL];
    /** For each tail entry: how many main entries are ordered before it. */
    private int[] tailMainBefore = new int[MIN_TAIL];
    private int tailSize;

    /** @param idOfRow the id of a row of the cache's matrix */
    SamplingOrder(IntFunction<String> idOfRow) {
        this.idOfRow = idOfRow;
    }

    int size() {
        return mainSize + tailSize;
    }

    /** Adds a new row of the matrix. */
    void add(int row) {
        long key = key(idOfRow.apply(row));
        if (tailSize == tail.length) {
            if (tailSize >= Math.max(MIN_TAIL, (int) Math.sqrt(size()))) {
                merge();
            } else {
                tail = Arrays.copyOf(tail, tail.length * 2);
                tailKeys = Arrays.copyOf(tailKeys, tailKeys.length * 2);
                tailMainBefore = Arrays.copyOf(tailMainBefore, tailMainBefore.length * 2);
            }
        }
        int at = -1 - search(tail, tailKeys, tailSize, key, row);
        System.arraycopy(tail, at, tail, at + 1, tailSize - at);
        System.arraycopy(tailKeys, at, tailKeys, at + 1, tailSize - at);
        System.arraycopy(tailMainBefore, at, tailMainBefore, at + 1, tailSize - at);
        tail[at] = row;
        tailKeys[at] = key;
        tailMainBefore[at] = mainBefore(key, row);
        tailSize++;
    }

    /**
     * Removes a row that is about to leave the matrix; call it while the matrix still holds the
     * row's item (entries are found by the item's id).
     */
    void remove(int row) {
        int at = find(row);
        if (at >= 0) {
            System.arraycopy(tail, at + 1, tail, at, tailSize - at - 1);
            System.arraycopy(tailKeys, at + 1, tailKeys, at, tailSize - at - 1);
            System.arraycopy(tailMainBefore, at + 1, tailMainBefore, at, tailSize - at - 1);
            tailSize--;
            return;
        }
        int i = -1 - at;
        System.arraycopy(main, i + 1, main, i, mainSize - i - 1);
        System.arraycopy(mainKeys, i + 1, mainKeys, i, mainSize - i - 1);
        mainSize--;
        for (int t = 0; t < tailSize; t++) {
            if (tailMainBefore[t] > i) {
                tailMainBefore[t]--; // the removed entry was ordered before this one
            }
        }
    }

    /**
     * The item of row {@code from} is about to move to row {@code to} (a removal moves the matrix's
     * last row into the gap); call it while the matrix still holds the item at {@code from}. Its
     * place in the order (by id) does not change.
     */
    void move(int from, int to) {
        int at = find(from);
        if (at >= 0) {
            tail[at] = to;
        } else {
            main[-1 - at] = to;
        }
    }

    /** The index of the row's entry in the tail, or −(index in main) − 1. */
    private int find(int row) {
        long key = key(idOfRow.apply(row));
        int at = search(tail, tailKeys, tailSize, key, row);
        if (at >= 0) {
            return at;
        }
        int i = search(main, mainKeys, mainSize, key, row);
        if (i < 0) {
            throw new IllegalStateException("row " + row + " is not in the sampling order");
        }
        return -1 - i;
    }

    /** The row at {@code position} (0 ≤ position < {@link #size}) of the order. */
    int rowAt(int position) {
        // c = number of tail entries placed before `position` in the combined order
        int lo = 0;
        int hi = tailSize;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int combined = mid + tailMainBefore[mid];
            if (combined == position) {
                return tail[mid];
            }
            if (combined < position) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return main[position - lo];
    }

    /** Number of main entries ordered before the tail entry (key, row). */
    private int mainBefore(long key, int row) {
        int i = search(main, mainKeys, mainSize, key, row);
        return i >= 0 ? i : -1 - i;
    }

    private void merge() {
        int n = mainSize + tailSize;
        int[] rows = new int[Math.max(16, n + n / 4)];
        long[] keys = new long[rows.length];
        int i = 0;
        int j = 0;
        for (int k = 0; k < n; k++) {
            boolean fromMain = j >= tailSize
                    || (i < mainSize && compare(mainKeys[i], main[i], tailKeys[j], tail[j]) < 0);
            if (fromMain) {
                rows[k] = main[i];
                keys[k] = mainKeys[i++];
            } else {
                rows[k] = tail[j];
                keys[k] = tailKeys[j++];
            }
        }
        main = rows;
        mainKeys = keys;
        mainSize = n;
        tailSize = 0;
    }

    /** Binary search as {@link Arrays#binarySearch}: the index, or −(insertion point) − 1. */
    private int search(int[] rows, long[] keys, int size, long key, int row) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(keys[mid], rows[mid], key, row);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    private int compare(long keyA, int rowA, long keyB, int rowB) {
        int c = Long.compare(keyA, keyB);
        if (c != 0 || rowA == rowB) {
            return c;
        }
        return idOfRow.apply(rowA).compareTo(idOfRow.apply(rowB));
    }

    /** A 64-bit hash of the id (FNV-1a over the chars, then a finalizer), the same in every JVM. */
    static long key(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
