package io.streamrec.benchmarks;

import io.streamrec.operators.scoring.ItemMatrix;
import io.streamrec.operators.scoring.JavaTopNKernel;
import io.streamrec.operators.scoring.JblasTopNKernel;
import io.streamrec.operators.scoring.ScoredItems;
import io.streamrec.operators.scoring.TopNKernel;
import io.streamrec.operators.scoring.VectorTopNKernel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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

/**
 * Users scored per second by the top-N kernels: M items of dimension d, top N with 100 excluded rows
 * per user, for several batch sizes. Read the {@code users} line of the result (an auxiliary counter
 * in users/s); the primary score is batches/s.
 *
 * <p>Single-threaded on purpose: one scorer subtask uses one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class TopNKernelBenchmark {

    @Param({"vector", "java", "jblas"})
    public String kernel;

    @Param({"1", "64", "256"})
    public int batch;

    @Param({"100000"})
    public int items;

    @Param({"64"})
    public int dim;

    @Param({"20"})
    public int n;

    @Param({"100"})
    public int excludedPerUser;

    private ItemMatrix matrix;
    private TopNKernel topN;
    private float[][] users;
    private float[] offsets;
    private int[][] excluded;

    /** Counts users (not batches), so JMH reports users/s next to the primary batches/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Users {
        public long users;

        @Setup(Level.Iteration)
        public void reset() {
            users = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(2024);
        matrix = new ItemMatrix(dim, items);
        float[] v = new float[dim];
        for (int i = 0; i < items; i++) {
            for (int c = 0; c < dim; c++) {
                v[c] = (float) random.nextGaussian() * 0.1f;
            }
            matrix.upsert("item-" + i, v, (float) random.nextGaussian() * 0.1f);
        }
        users = new float[batch][dim];
        offsets = new float[batch];
        excluded = new int[batch][];
        for (int u = 0; u < batch; u++) {
            for (int c = 0; c < dim; c++) {
                users[u][c] = (float) random.nextGaussian() * 0.1f;
            }
            offsets[u] = (float) random.nextGaussian() * 0.1f;
            excluded[u] = random.ints(excludedPerUser, 0, items).toArray();
        }
        switch (kernel) {
            case "jblas":
                topN = new JblasTopNKernel();
                break;
            case "java":
                topN = new JavaTopNKernel();
                break;
            case "vector":
                topN = new VectorTopNKernel();
                break;
            default:
                throw new IllegalArgumentException("unknown kernel " + kernel);
        }
    }

    @Benchmark
    public ScoredItems[] scoreBatch(Users counter) {
        ScoredItems[] result = topN.topN(matrix, users, offsets, excluded, n);
        counter.users += batch;
        return result;
    }
}
