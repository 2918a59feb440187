package io.streamrec.operators.scoring;

/**
 * How the top-N candidates are found ({@code recs.index}): by scoring every item, or from an
 * approximate nearest-neighbour graph with exact re-ranking ({@link HnswTopNKernel}).
 *
 * <p>{@link #AUTO} (the default) switches at {@value #AUTO_MIN_ITEMS} items, chosen by measurement
 * (docs/PERFORMANCE.md): at 100k items, d = 64, the batched vector kernel scored 4–5× more users per
 * second than the graph search at recall@20 0.99 (JMH {@code HnswIndexBenchmark}); a graph search
 * visits about 4,000 nodes at ~350 ns each (random memory accesses), an exact scan costs ~7 ns per
 * item, so the graph can only win past about 50 × the nodes it visits. The crossover near 1M items
 * is extrapolated, not yet measured.
 */
public enum ItemIndex {
    /** Every item scored by the top-N kernel ({@code recs.kernel}): exact lists. */
    EXACT,
    /** HNSW candidates re-ranked exactly, from {@value #HNSW_MIN_ITEMS} items on (the exact kernel below). */
    HNSW,
    /** {@link #EXACT} below {@value #AUTO_MIN_ITEMS} cached items, {@link #HNSW} from there on. */
    AUTO;

    /** Catalogue size from which {@link #AUTO} builds a graph. */
    public static final int AUTO_MIN_ITEMS = 1_000_000;
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
