package io.streamrec.operators.scoring;

/**
 * How the top-N candidates are found ({@code recs.index}): by scoring every item, or from an
 * approximate nearest-neighbour graph with exact re-ranking ({@link HnswTopNKernel}).
 *
 * <p>{@link #AUTO} (the default) switches at {@value #AUTO_MIN_ITEMS} items. Measured on the 2-core
 * development machine (JMH {@code HnswIndexBenchmark}, d = 64, N = 20, one thread; docs/PERFORMANCE.md):
 * below about that size the vector kernel's batched scan scores as many users per second as the
 * graph search, and its lists are exact.
 */
public enum ItemIndex {
    /** Every item scored by the top-N kernel ({@code recs.kernel}): exact lists. */
    EXACT,
    /** HNSW candidates re-ranked exactly, from {@value #HNSW_MIN_ITEMS} items on (the exact kernel below). */
    HNSW,
    /** {@link #EXACT} below {@value #AUTO_MIN_ITEMS} cached items, {@link #HNSW} from there on. */
    AUTO;

    /** Catalogue size from which {@link #AUTO} builds a graph. */
    public static final int AUTO_MIN_ITEMS = 50_000;
    /** Below this size even {@link #HNSW} scores exactly: a graph of fewer items saves nothing. */
    public static final int HNSW_MIN_ITEMS = 1_000;

    /**
     * The kernel that finds each batch's lists: {@code exact} itself, or an HNSW kernel that uses
     * {@code exact} while it has no graph (close it to stop its builder thread).
     */
    public TopNKernel kernel(TopNKernel exact) {
        switch (this) {
            case HNSW:
                return new HnswTopNKernel(exact, HNSW_MIN_ITEMS);
            case AUTO:
                return new HnswTopNKernel(exact, AUTO_MIN_ITEMS);
            default:
                return exact;
        }
    }
}
