package io.streamrec.benchmarks;

import io.streamrec.operators.scoring.ItemMatrix;
import io.streamrec.operators.scoring.JavaTopNKernel;
import io.streamrec.operators.scoring.TopNKernel;
import io.streamrec.operators.scoring.VectorTopNKernel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Users scored per second of thread CPU time by a top-N kernel (the JMH benchmark's set-up: 100k
 * items, d = 64, N = 20, 100 excluded rows per user): 8 s of warm-up, then the median of seven 2 s
 * rounds. CPU time is much less sensitive than wall time to other processes on a shared machine.
 * Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks.jar
 * io.streamrec.benchmarks.KernelCpuTime vector|java BATCH}.
 */
public final class KernelCpuTime {
    private KernelCpuTime() {}

    public static void main(String[] a) {
        String kernelName = a[0];
        int batch = Integer.parseInt(a[1]);
        int items = 100_000, dim = 64, n = 20, excludedPerUser = 100;
        Random random = new Random(2024);
        ItemMatrix m = new ItemMatrix(dim, items);
        float[] v = new float[dim];
        for (int i = 0; i < items; i++) {
            for (int c = 0; c < dim; c++) v[c] = (float) random.nextGaussian() * 0.1f;
            m.upsert("item-" + i, v, (float) random.nextGaussian() * 0.1f);
        }
        float[][] users = new float[batch][dim];
        float[] offsets = new float[batch];
        int[][] excluded = new int[batch][];
        for (int u = 0; u < batch; u++) {
            for (int c = 0; c < dim; c++) users[u][c] = (float) random.nextGaussian();
            excluded[u] = random.ints(excludedPerUser, 0, items).toArray();
        }
        TopNKernel k = kernelName.equals("vector") ? new VectorTopNKernel() : new JavaTopNKernel();
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        long sink = 0;
        // warm-up: 8 s of CPU
        long warmEnd = t.getCurrentThreadCpuTime() + 8_000_000_000L;
        while (t.getCurrentThreadCpuTime() < warmEnd) sink += k.topN(m, users, offsets, excluded, n)[0].size();
        List<Double> rates = new ArrayList<>();
        for (int it = 0; it < 7; it++) {
            long start = t.getCurrentThreadCpuTime();
            long calls = 0;
            while (t.getCurrentThreadCpuTime() - start < 2_000_000_000L) {
                sink += k.topN(m, users, offsets, excluded, n)[0].size();
                calls++;
            }
            double secs = (t.getCurrentThreadCpuTime() - start) / 1e9;
            rates.add(calls * batch / secs);
        }
        Collections.sort(rates);
        System.out.printf("%s batch %d: median %.0f users/s (CPU time), min %.0f max %.0f [%d]%n",
                kernelName, batch, rates.get(rates.size() / 2), rates.get(0), rates.get(rates.size() - 1), sink % 7);
    }
}
