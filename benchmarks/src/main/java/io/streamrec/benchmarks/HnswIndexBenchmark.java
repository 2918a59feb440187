package io.streamrec.benchmarks;

import io.streamrec.operators.scoring.HnswTopNKernel;
import io.streamrec.operators.scoring.ItemMatrix;
import io.streamrec.operators.scoring.ScoredItems;
import io.streamrec.operators.scoring.TopNKernel;
import io.streamrec.operators.scoring.VectorTopNKernel;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The HNSW index against the exact vector kernel: query throughput (users/s, the {@code users}
 * counter), and, printed by the set-up as {@code # hnsw ...} lines, the graph's build time and
 * recall@20 against the exact kernel, fresh and after 9% of the items moved by 0.3 × the RMS norm
 * (just below the rebuild trigger). {@code updateItem} measures one item update with move tracking
 * on (what every SGD step pays for the index); a rebuild costs one build.
 *
 * <p>{@code data}: {@code gaussian} items and users (isotropic, the hard case for a graph), or
 * {@code clustered} (items and users around 1,000 centres with item norms varying ×3, closer to
 * trained factors). Single-threaded, like one UserWorker subtask. Run with a large heap at 1M items:
 * {@code java -jar benchmarks/target/benchmarks.jar HnswIndexBenchmark -p items=1000000}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class HnswIndexBenchmark {

    @Param({"hnsw", "exact"})
    public String kernel;

    @Param({"100000"})
    public int items;

    @Param({"gaussian"})
    public String data;

    @Param({"64"})
    public int dim;

    @Param({"20"})
    public int n;

    @Param({"64"})
    public int batch;

    @Param({"100"})
    public int excludedPerUser;

    private static final int RECALL_USERS = 200;

    private ItemMatrix matrix;
    private TopNKernel topN;
    private float[][] users;
    private float[] offsets;
    private int[][] excluded;
    private Random random;
    private float moveStep;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        random = new Random(2024);
        matrix = new ItemMatrix(dim, items);
        float[][] centres = gaussian(random, 1_000, dim, 0.1f);
        float[] v = new float[dim];
        for (int i = 0; i < items; i++) {
            fill(v, centres);
            matrix.upsert("item-" + i, v, (float) random.nextGaussian() * 0.1f);
        }
        users = new float[batch][dim];
        offsets = new float[batch];
        excluded = new int[batch][];
        for (int u = 0; u < batch; u++) {
            fill(users[u], centres);
            offsets[u] = (float) random.nextGaussian() * 0.1f;
            excluded[u] = random.ints(excludedPerUser, 0, items).toArray();
        }
        float rms = (float) Math.sqrt(meanSquaredNorm());
        moveStep = rms * 0.3f / (float) Math.sqrt(10 * (dim + 1));
        TopNKernel exact = new VectorTopNKernel();
        if (!kernel.equals("hnsw")) {
            topN = exact;
            return;
        }
        if (params.getBenchmark().endsWith("updateItem")) {
            matrix.markMoves(HnswTopNKernel.MOVE_TOLERANCE); // what a built index leaves behind: moves counted
            return;
        }
        HnswTopNKernel hnsw = new HnswTopNKernel(exact, 1, false);
        float[][] recallUsers = new float[RECALL_USERS][dim];
        for (float[] u : recallUsers) {
            fill(u, centres);
        }
        ScoredItems[] truth = exact.topN(matrix, recallUsers, null, null, n);
        long started = System.nanoTime();
        ScoredItems[] got = hnsw.topN(matrix, recallUsers, null, null, n); // builds the graph first
        double buildSeconds = (System.nanoTime() - started) / 1e9;
        double fresh = recall(got, truth);
        // 9% of the items move by 0.3 x the RMS norm in 10 steps: below the rebuild trigger (10%)
        int moving = (int) (0.09 * items);
        for (int j = 0; j < moving; j++) {
            int row = random.nextInt(items);
            for (int s = 0; s < 10; s++) {
                moveRow(row);
            }
        }
        truth = exact.topN(matrix, recallUsers, null, null, n);
        got = hnsw.topN(matrix, recallUsers, null, null, n);
        System.out.printf("%n# hnsw items=%d data=%s dim=%d: build %.1f s (including %d queries), recall@%d %.4f fresh, "
                        + "%.4f after %d items moved (%d rows past the tolerance, builds=%d)%n",
                items, data, dim, buildSeconds, RECALL_USERS, n, fresh, recall(got, truth), moving, matrix.movedRows(),
                hnsw.builds());
        topN = hnsw;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public ScoredItems[] scoreBatch(TopNKernelBenchmark.Users counter) {
        ScoredItems[] result = topN.topN(matrix, users, offsets, excluded, n);
        counter.users += batch;
        return result;
    }

    /** One SGD-sized move of one item, with the matrix counting moves (hnsw) or not (exact). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int updateItem() {
        return moveRow(random.nextInt(items));
    }

    private int moveRow(int row) {
        float[] q = matrix.vectorAt(row);
        for (int k = 0; k < dim; k++) {
            q[k] += moveStep * (float) random.nextGaussian();
        }
        return matrix.upsert(matrix.idAt(row), q, matrix.biasAt(row) + moveStep * (float) random.nextGaussian());
    }

    private void fill(float[] v, float[][] centres) {
        if (data.equals("gaussian")) {
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) random.nextGaussian() * 0.1f;
            }
            return;
        }
        float[] c = centres[random.nextInt(centres.length)];
        float scale = 0.5f + random.nextFloat(); // norms vary x3, like popular and niche items
        for (int k = 0; k < v.length; k++) {
            v[k] = scale * (c[k] + 0.05f * (float) random.nextGaussian());
        }
    }

    private double meanSquaredNorm() {
        double sum = 0;
        for (int r = 0; r < matrix.size(); r++) {
            float[] q = matrix.vectorAt(r);
            for (float x : q) {
                sum += x * x;
            }
            sum += matrix.biasAt(r) * matrix.biasAt(r);
        }
        return sum / matrix.size();
    }

    private static float[][] gaussian(Random random, int count, int dim, float sd) {
        float[][] out = new float[count][dim];
        for (float[] row : out) {
            for (int k = 0; k < dim; k++) {
                row[k] = (float) random.nextGaussian() * sd;
            }
        }
        return out;
    }

    private static double recall(ScoredItems[] got, ScoredItems[] truth) {
        long found = 0;
        long wanted = 0;
        for (int u = 0; u < got.length; u++) {
            Set<Integer> want = new HashSet<>();
            for (int r : truth[u].rows()) {
                want.add(r);
            }
            for (int r : got[u].rows()) {
                if (want.contains(r)) {
                    found++;
                }
            }
            wanted += want.size();
        }
        return found / (double) wanted;
    }
}
