package io.streamrec.operators.scoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Approximate top-N for large catalogues ({@code recs.index HNSW}): candidates from a Lucene HNSW
 * graph over the item cache, then exact scores and selection.
 *
 * <p><b>Maximum inner product.</b> A user's score is {@code b_u + b_i + p·q_i}: with {@code x_i =
 * [q_i, b_i]} and {@code y = [p, 1]} it is {@code b_u + x_i·y}, an inner product search. The search
 * scores graph nodes by exactly that inner product, from the items' current vectors. The graph's
 * links, which only route the search, are chosen by the angle between the items' {@code x_i}
 * ({@link GraphSimilarity#ANGULAR}). Measured at 20k items, d = 32, recall@20 with a beam of 200:
 * angular links 0.991 on Gaussian items and 0.879 on tightly clustered items queried from random
 * directions; links by raw inner product (Lucene's MAXIMUM_INNER_PRODUCT) 0.998 and 0.682; the
 * MIPS-to-cosine reduction (an extra coordinate {@code sqrt(Φ² - |x_i|²)}) 0.784 and 0.809. So the
 * graph is angular; the others stay selectable for measurements.
 *
 * <p><b>Candidates and exact re-ranking.</b> Each user is searched with a beam of {@code max(10N,
 * 200)} ({@link #candidates}); seen items are rejected by the search's accept filter, so the beam
 * always holds that many unseen candidates however many seen items the search passes. The
 * candidates are scored again from the current vectors and biases ({@code dot + bias + userOffset},
 * as the exact kernels do) and the best {@code N} kept, ties by lower row. Items added to the cache
 * after the graph was built are not in it; they are scanned exactly and compete with the
 * candidates.
 *
 * <p><b>Kept current.</b> Lucene's graph cannot move or delete a node, and SGD moves item vectors
 * all the time. Searches read the live vectors, so a moved item is scored correctly once the graph
 * leads to it; what goes stale is the graph's idea of which items are neighbours. The kernel asks
 * the matrix to count rows that moved further than {@value #MOVE_TOLERANCE} × the RMS row norm since
 * the build ({@link ItemMatrix#markMoves}), and when {@value #MAX_MOVED_SHARE} of the indexed rows
 * have moved, or new items reach {@value #MAX_NEW_SHARE} of them, it builds a new graph on a
 * background thread and keeps answering from the old one (or exactly, until the first graph is
 * ready) until the new one is swapped in on the scoring thread. The tolerances are chosen by the
 * recall measured in {@code HnswTopNKernelTest} and {@code HnswIndexBenchmark}.
 *
 * <p><b>Cost.</b> A search visits a few thousand nodes (about 4,000 at a beam of 200: 20k clustered
 * items, d = 64), each a random memory access of ~350 ns on the development machine, against ~7 ns
 * per item for the batched vector kernel's sequential scan; so the graph pays off only past about
 * 50 × the nodes it visits, which is why {@link ItemIndex#AUTO} switches at 1M items. Building
 * costs about {@value #BEAM_WIDTH} searches' worth per item (100k items, d = 64: 500–930 s of wall
 * time on the loaded 2-core machine), on the builder thread.
 *
 * <p>The graph is derived state: never checkpointed, built from the cache after every (re)start.
 * Below {@code minItems} items no graph is built and the exact kernel answers.
 *
 * <p><b>Threads.</b> {@link #topN} must be called from one thread (the task thread), which also
 * owns the matrix. The builder thread reads the matrix's arrays while that thread updates them: a
 * float read is atomic in Java, so the builder sees each component either before or after an update,
 * which only perturbs the graph's neighbour choice; every score that reaches a list is computed on
 * the task thread. The builder reads a {@link RowView} of the matrix's segments: a segment the
 * matrix replaces while it grows stays readable there. A removal ({@link ItemMatrix#remove}) moves
 * the last row into the removed one: both count as moved, graph rows past the matrix's end are
 * skipped, and a matrix smaller than its graph is rebuilt. Call
 * {@link #close} to stop the builder thread.
 *
 * <p>Why it is long (over 400 lines): the index's life cycle (build in the background, swap, rebuild
 * on movement), the search with seen-item filtering and the exact re-ranking share the graph and the
 * move counters; the measured design choices are documented here, next to the code they decided.
 */
public final class HnswTopNKernel implements TopNKernel, AutoCloseable {

    /** Lucene's {@code M}: neighbours per node (twice that on the bottom layer). */
    public static final int MAX_CONN = 16;
    /** Lucene's {@code beamWidth} (efConstruction) while building. */
    public static final int BEAM_WIDTH = 100;
    /** Search beam per user: at least this many candidates... */
    public static final int MIN_CANDIDATES = 200;
    /** ...and at least this many times N. */
    public static final int CANDIDATE_FACTOR = 10;
    /** A row counts as moved past this distance, relative to the RMS row norm at the build. */
    public static final float MOVE_TOLERANCE = 0.25f;
    /** Rebuild when this share of the indexed rows has moved. */
    public static final double MAX_MOVED_SHARE = 0.10;
    /** Rebuild when items added since the build reach this share of the indexed rows. */
    public static final double MAX_NEW_SHARE = 0.05;

    private static final long BUILD_SEED = 42L;
    /** Exact batches smaller than this use the Java kernel (lower fixed cost per call). */
    static final int SMALL_EXACT_BATCH = 8;

    /** How the graph compares two items while it is built. */
    enum GraphSimilarity {
        /** Cosine after the MIPS-to-cosine reduction (an extra coordinate puts all items on one sphere). */
        REDUCED_COSINE,
        /** Cosine of {@code [q, b]} itself: the graph links items of similar direction, whatever their norm. */
        ANGULAR,
        /** The raw inner product of {@code [q, b]}, mapped to positive scores as Lucene's MAXIMUM_INNER_PRODUCT does. */
        INNER_PRODUCT
    }

    private final GraphSimilarity similarity;
    private final int minCandidates;
    private int candidateFactor = CANDIDATE_FACTOR;
    private long visited;

    private final TopNKernel exact;
    private final TopNKernel smallExact = new JavaTopNKernel();
    private final int minItems;
    private final boolean background;
    private ExecutorService builder;

    /** The graph queries use; task thread only. */
    private Index index;
    private Future<Index> building;
    private ItemMatrix buildingFor;
    private long builds;
    private long exactCalls;

    private FixedBitSet excludedBits = new FixedBitSet(1);

    /**
     * A kernel that builds its graphs in the background once the matrix holds {@code minItems}
     * items, and uses {@code exact} until a graph is ready.
     */
    public HnswTopNKernel(TopNKernel exact, int minItems) {
        this(exact, minItems, true);
    }

    /**
     * @param background false builds every graph on the calling thread inside {@link #topN}
     *     (benchmarks and tests that need a deterministic index)
     */
    public HnswTopNKernel(TopNKernel exact, int minItems, boolean background) {
        this(exact, minItems, background, GraphSimilarity.ANGULAR, MIN_CANDIDATES);
    }

    HnswTopNKernel(TopNKernel exact, int minItems, boolean background, GraphSimilarity similarity, int minCandidates) {
        this.minCandidates = minCandidates;
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        this.exact = Objects.requireNonNull(exact, "exact");
        if (minItems < 1) {
            throw new IllegalArgumentException("minItems must be positive, got " + minItems);
        }
        this.minItems = minItems;
        this.background = background;
    }

    /**
     * True: the kernel takes batches of any size (it must see every call to keep its graph current).
     * Without a graph, batches below {@value #SMALL_EXACT_BATCH} users go to the Java kernel, as
     * {@code RefreshBatch} does for the exact kernels.
     */
    @Override
    public boolean perUser() {
        return true;
    }

    @Override
    public String name() {
        return "hnsw(" + exact.name() + ")";
    }

    /** Search beam for lists of {@code n}: {@code max(CANDIDATE_FACTOR × n, MIN_CANDIDATES)} by default. */
    public int candidates(int n) {
        return Math.max(candidateFactor * n, minCandidates);
    }

    /** A kernel sharing this one's graph with another search beam, for measurements. */
    HnswTopNKernel withBeamForTest(int beam) {
        HnswTopNKernel other = new HnswTopNKernel(exact, minItems, false, similarity, beam);
        other.candidateFactor = 1;
        other.index = index;
        return other;
    }

    /** Graph nodes scored by all searches so far. */
    public long visitedNodes() {
        return visited;
    }

    /** Graphs built so far (each (re)start and each rebuild counts one). */
    public long builds() {
        return builds;
    }

    /** Calls answered by the exact kernel because no graph was ready. */
    public long exactCalls() {
        return exactCalls;
    }

    /** Items in the graph queries use now, 0 if none. */
    public int indexedItems() {
        return index == null ? 0 : index.size;
    }

    /**
     * Waits up to {@code timeout} for a background build to finish and makes its graph current;
     * true if a graph for {@code items} is current afterwards. For tests and benchmarks.
     */
    public boolean awaitIndex(ItemMatrix items, long timeout, TimeUnit unit)
            throws InterruptedException, TimeoutException {
        if (building != null) {
            try {
                building.get(timeout, unit);
            } catch (ExecutionException e) {
                throw new IllegalStateException("HNSW build failed", e.getCause());
            }
            swapIfBuilt();
        }
        return index != null && index.items == items;
    }

    @Override
    public ScoredItems[] topN(ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(users, "users");
        maintain(items);
        Index current = index;
        if (current == null || current.items != items || n <= 0 || users.length == 0) {
            exactCalls++;
            return (users.length < SMALL_EXACT_BATCH ? smallExact : exact).topN(items, users, userOffsets, excludedRows, n);
        }
        int batch = users.length;
        if (userOffsets != null && userOffsets.length != batch) {
            throw new IllegalArgumentException("userOffsets has " + userOffsets.length + " entries for " + batch + " users");
        }
        if (excludedRows != null && excludedRows.length != batch) {
            throw new IllegalArgumentException("excludedRows has " + excludedRows.length + " entries for " + batch + " users");
        }
        ScoredItems[] results = new ScoredItems[batch];
        for (int u = 0; u < batch; u++) {
            float[] p = users[u];
            if (p == null || p.length != items.dim()) {
                throw new IllegalArgumentException("user " + u + " of the batch has "
                        + (p == null ? "no vector" : p.length + " components") + ", expected " + items.dim());
            }
            results[u] = searchOne(current, items, p, userOffsets == null ? 0f : userOffsets[u],
                    excludedRows == null ? null : excludedRows[u], n);
        }
        return results;
    }

    private ScoredItems searchOne(Index current, ItemMatrix items, float[] p, float offset, int[] excluded, int n) {
        int indexed = current.size;
        RowView view = items.view();
        if (excludedBits.length() < indexed) {
            excludedBits = new FixedBitSet(indexed);
        }
        if (excluded != null) {
            for (int row : excluded) {
                if (row >= 0 && row < indexed) {
                    excludedBits.set(row);
                }
            }
        }
        KnnCollector found;
        try {
            found = HnswGraphSearcher.search(new QueryScorer(view, p, indexed), candidates(n), current.graph,
                    new Unexcluded(excludedBits, indexed), Integer.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // on-heap graph and vectors: never thrown
        } finally {
            if (excluded != null) {
                for (int row : excluded) {
                    if (row >= 0 && row < indexed) {
                        excludedBits.clear(row);
                    }
                }
            }
        }
        visited += found.visitedCount();
        ScoreDoc[] docs = found.topDocs().scoreDocs;
        int[] rows = new int[docs.length];
        for (int k = 0; k < docs.length; k++) {
            rows[k] = docs[k].doc;
        }
        Arrays.sort(rows); // the heap breaks ties by the lower row when rows come in increasing order
        int rowCount = items.size();
        TopNHeap heap = new TopNHeap(Math.min(n, rowCount), offset, excluded);
        for (int row : rows) {
            if (row < rowCount) { // rows past the end were removed since the build
                heap.offerScore(row, view.dot(row, p) + view.bias(row) + offset);
            }
        }
        for (int row = indexed; row < rowCount; row++) { // items newer than the graph: exactly
            heap.offerScore(row, view.dot(row, p) + view.bias(row) + offset);
        }
        return heap.toResult();
    }

    /** Swaps in a finished graph, and starts a build when there is none or the current one is stale. */
    private void maintain(ItemMatrix items) {
        swapIfBuilt();
        if (building != null || items.size() < minItems) {
            return;
        }
        Index current = index;
        boolean stale = current == null || current.items != items
                || items.movedRows() > MAX_MOVED_SHARE * current.size
                || items.size() - current.size > MAX_NEW_SHARE * current.size
                || items.size() < current.size; // removals: rows past the end are gone
        if (!stale) {
            return;
        }
        // counted from the snapshot on: moves during the build count towards the next rebuild
        items.markMoves(MOVE_TOLERANCE);
        BuildTask task = new BuildTask(items, items.size(), items.view(), similarity);
        if (background) {
            if (builder == null) {
                builder = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "streamrec-hnsw-build");
                    t.setDaemon(true);
                    t.setPriority(Thread.NORM_PRIORITY - 1);
                    return t;
                });
            }
            building = builder.submit(task::build);
            buildingFor = items;
        } else {
            index = task.build();
            builds++;
        }
    }

    private void swapIfBuilt() {
        if (building == null || !building.isDone()) {
            return;
        }
        try {
            index = building.get();
            builds++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("HNSW build for " + buildingFor.size() + " items failed", e.getCause());
        } finally {
            building = null;
            buildingFor = null;
        }
    }

    /** Stops the builder thread; a build in progress is abandoned. */
    @Override
    public void close() {
        if (builder != null) {
            builder.shutdownNow();
            builder = null;
        }
        building = null;
    }

    /** A built graph over the first {@code size} rows of {@code items}. */
    private record Index(ItemMatrix items, int size, OnHeapHnswGraph graph) {}

    /** What a build needs, captured on the task thread: the arrays are read (not copied) by the builder. */
    private record BuildTask(ItemMatrix items, int size, RowView rows, GraphSimilarity similarity) {
        Index build() {
            float[] extra = new float[size];
            float[] inverseNorms = new float[size];
            float maxSq = 0f;
            for (int r = 0; r < size; r++) {
                float b = rows.bias(r);
                float sq = rows.dot(r, r) + b * b;
                extra[r] = sq;
                inverseNorms[r] = sq > 0f ? (float) (1 / Math.sqrt(sq)) : 0f;
                maxSq = Math.max(maxSq, sq);
            }
            for (int r = 0; r < size; r++) {
                extra[r] = (float) Math.sqrt(Math.max(0f, maxSq - extra[r]));
            }
            float scale = maxSq > 0f ? 1f / maxSq : 1f;
            try {
                HnswGraphBuilder graphBuilder = HnswGraphBuilder.create(
                        new ItemScorers(rows, extra, inverseNorms, size, scale, similarity), MAX_CONN, BEAM_WIDTH, BUILD_SEED);
                return new Index(items, size, graphBuilder.build(size));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Item-to-item similarity for the graph's links, as positive scores like Lucene's own: the angle
     * of {@code [q, b]}, their raw inner product, or the cosine of the reduced vectors {@code [q, b,
     * extra]} (all on the sphere of radius Φ).
     */
    private record ItemScorers(RowView rows, float[] extra, float[] inverseNorms, int size, float scale,
                               GraphSimilarity similarity)
            implements RandomVectorScorerSupplier {
        @Override
        public RandomVectorScorer scorer(int ord) {
            final float b = rows.bias(ord);
            final float e = extra[ord];
            return new RandomVectorScorer() {
                @Override
                public float score(int node) {
                    if (similarity == GraphSimilarity.ANGULAR) {
                        float ip = rows.dot(ord, node) + b * rows.bias(node);
                        return Math.max(0f, (1f + ip * inverseNorms[ord] * inverseNorms[node]) * 0.5f);
                    }
                    if (similarity == GraphSimilarity.INNER_PRODUCT) {
                        float ip = rows.dot(ord, node) + b * rows.bias(node);
                        return ip < 0f ? 1f / (1f - ip) : ip + 1f;
                    }
                    float cos = (rows.dot(ord, node) + b * rows.bias(node) + e * extra[node]) * scale;
                    return Math.max(0f, (1f + cos) * 0.5f);
                }

                @Override
                public int maxOrd() {
                    return size;
                }
            };
        }

        @Override
        public RandomVectorScorerSupplier copy() {
            return this; // stateless
        }
    }

    /** Scores graph nodes for one user: {@code p·q + b} from the matrix's current arrays. */
    private static final class QueryScorer implements RandomVectorScorer {
        private final RowView rows;
        private final float[] p;
        private final int size;

        QueryScorer(RowView rows, float[] p, int size) {
            this.rows = rows;
            this.p = p;
            this.size = size;
        }

        @Override
        public float score(int node) {
            return rows.dot(node, p) + rows.bias(node);
        }

        @Override
        public int maxOrd() {
            return size;
        }
    }

    /** Accepts the rows not in the excluded set. */
    private record Unexcluded(FixedBitSet excluded, int length) implements Bits {
        @Override
        public boolean get(int index) {
            return !excluded.get(index);
        }
    }
}
