package io.streamrec.benchmarks;

import io.streamrec.operators.scoring.BoundedTopNKernel;
import io.streamrec.operators.scoring.ItemMatrix;
import io.streamrec.operators.scoring.ScoredItems;
import io.streamrec.operators.scoring.TopNKernel;
import io.streamrec.operators.scoring.VectorTopNKernel;
import java.util.Random;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Users scored per second by the vector kernel alone and wrapped in {@link BoundedTopNKernel}, for
 * cold users (components N(0, 0.01): the initial scale of a user with one or two interactions) and
 * warm ones (N(0, 0.1), as in {@link TopNKernelBenchmark}). Items as in {@code TopNKernelBenchmark}:
 * components and biases N(0, 0.1); 100 excluded rows per user, drawn from the 500 best-biased items
 * (a user's seen items are mostly the popular ones) and the rest. Read the {@code users} line (users/s, the counter of {@link TopNKernelBenchmark});
 * the bounded kernel's share of users accepted from its hot set is printed at the end of a trial.
 *
 * <p>Single-threaded on purpose: one scorer subtask uses one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class BoundedTopNKernelBenchmark {

    @Param({"vector", "bounded"})
    public String kernel;

    @Param({"cold", "warm"})
    public String users;

    @Param({"64", "256"})
    public int batch;

    @Param({"100000"})
    public int items;

    @Param({"64"})
    public int dim;

    @Param({"20"})
    public int n;

    private ItemMatrix matrix;
    private TopNKernel topN;
    private float[][] vectors;
    private float[] offsets;
    private int[][] excluded;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(2024);
        matrix = new ItemMatrix(dim, items);
        float[] v = new float[dim];
        Integer[] byBias = new Integer[items];
        for (int i = 0; i < items; i++) {
            for (int c = 0; c < dim; c++) {
                v[c] = (float) random.nextGaussian() * 0.1f;
            }
            matrix.upsert("item-" + i, v, (float) random.nextGaussian() * 0.1f);
            byBias[i] = i;
        }
        java.util.Arrays.sort(byBias, (a, b) -> Float.compare(matrix.biasAt(b), matrix.biasAt(a)));
        float scale = "cold".equals(users) ? 0.01f : 0.1f;
        vectors = new float[batch][dim];
        offsets = new float[batch];
        excluded = new int[batch][];
        for (int u = 0; u < batch; u++) {
            for (int c = 0; c < dim; c++) {
                vectors[u][c] = (float) random.nextGaussian() * scale;
            }
            offsets[u] = (float) random.nextGaussian() * 0.1f;
            int[] seen = new int[100];
            for (int k = 0; k < seen.length; k++) {
                seen[k] = k % 2 == 0 ? byBias[random.nextInt(500)] : random.nextInt(items);
            }
            excluded[u] = seen;
        }
        VectorTopNKernel vector = new VectorTopNKernel();
        topN = "bounded".equals(kernel) ? new BoundedTopNKernel(vector) : vector;
    }

    @TearDown(Level.Trial)
    public void report() {
        if (topN instanceof BoundedTopNKernel bounded) {
            System.out.printf("%nbounded: %,d of %,d users through the bound accepted from the hot set%n",
                    bounded.acceptedUsers(), bounded.boundedUsers());
        }
    }

    @Benchmark
    public ScoredItems[] scoreBatch(TopNKernelBenchmark.Users counter) {
        ScoredItems[] result = topN.topN(matrix, vectors, offsets, excluded, n);
        counter.users += batch;
        return result;
    }
}
