package io.streamrec.benchmarks;

import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.scoring.BatchSizeKernel;
import io.streamrec.operators.scoring.VectorTopNKernel;
import io.streamrec.operators.state.UserState;
import io.streamrec.operators.user.ItemCache;
import io.streamrec.operators.user.RefreshBatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What each category of {@code recs.categories} costs a UserWorker: heap of the category
 * sub-matrices (used heap after GC around building caches with 0, 1 and 4 configured categories)
 * and scoring (users per second of thread CPU time through {@link RefreshBatch#score}, the vector
 * kernel, batches of 128 users with 100 seen items each, top 20). The catalogue has {@code ITEMS}
 * items of dimension {@code DIM} in 8 categories of equal size (each item in one), so a configured
 * category holds an eighth of the items; a fourth variant has no categories but 10% of the items
 * unavailable (excluded like seen items). The variants' rounds alternate (2 s of CPU each, after
 * 4 s of warm-up per variant), so a noisy machine hits them alike; medians of the rounds.
 * Usage: {@code java --add-modules jdk.incubator.vector -Xmx3g -cp benchmarks.jar
 * io.streamrec.benchmarks.CategoryListsCost ITEMS DIM ROUNDS}.
 */
public final class CategoryListsCost {
    private CategoryListsCost() {}

    private static final int BATCH = 128;
    private static final int SEEN = 100;
    private static final int TOP_N = 20;
    private static final int CATALOGUE_CATEGORIES = 8;

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public static void main(String[] args) throws Exception {
        int items = Integer.parseInt(args[0]);
        int dim = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        ModelConfig model = ModelConfig.builder().dimension(dim).maxItems(items).build();
        Map<String, ItemCache> variants = new LinkedHashMap<>();
        Map<String, Long> heap = new LinkedHashMap<>();
        for (String variant : List.of("0 categories", "1 category", "4 categories", "0 categories, 10% unavailable")) {
            int configured = variant.startsWith("4") ? 4 : variant.startsWith("1") ? 1 : 0;
            List<String> categories = new ArrayList<>();
            for (int c = 0; c < configured; c++) {
                categories.add("cat-" + c);
            }
            long before = usedAfterGc();
            ItemCache cache = new ItemCache(model, categories);
            Random random = new Random(1);
            for (int i = 0; i < items; i++) {
                String id = "item-" + i;
                cache.apply(ItemUpdate.metadata(id, new String[] {"cat-" + (i % CATALOGUE_CATEGORIES)},
                        !(variant.contains("unavailable") && i % 10 == 0)), 0);
                float[] q = new float[dim];
                for (int k = 0; k < dim; k++) {
                    q[k] = (float) random.nextGaussian() * 0.1f;
                }
                cache.apply(new ItemUpdate(id, q, (float) random.nextGaussian() * 0.1f, 1), 0);
            }
            heap.put(variant, usedAfterGc() - before);
            variants.put(variant, cache);
        }
        long base = heap.get("0 categories");
        for (Map.Entry<String, Long> e : heap.entrySet()) {
            ItemCache c = variants.get(e.getKey());
            long rows = c.catalog().categoryRows();
            System.out.printf("%-30s heap %7.1f MB (%+6.1f MB vs none; %s)%n", e.getKey(), e.getValue() / 1e6,
                    (e.getValue() - base) / 1e6, rows == 0 ? "no category rows"
                            : String.format("%,d category rows, %.0f bytes each", rows, (e.getValue() - base) / (double) rows));
        }

        Random random = new Random(2);
        List<UserState> users = new ArrayList<>();
        for (int u = 0; u < BATCH; u++) {
            float[] p = new float[dim];
            for (int k = 0; k < dim; k++) {
                p[k] = (float) random.nextGaussian();
            }
            UserState s = UserState.initial(p);
            s.seen = new String[SEEN];
            for (int k = 0; k < SEEN; k++) {
                s.seen[k] = "item-" + random.nextInt(items);
            }
            users.add(s);
        }
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        Map<String, RefreshBatch> batches = new LinkedHashMap<>();
        for (String v : variants.keySet()) {
            batches.put(v, new RefreshBatch(new BatchSizeKernel(new VectorTopNKernel()), TOP_N));
        }
        long sink = 0;
        for (String v : variants.keySet()) {
            sink += run(t, batches.get(v), variants.get(v), users, 4_000_000_000L)[0];
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String v : variants.keySet()) {
                long[] callsAndNanos = run(t, batches.get(v), variants.get(v), users, 2_000_000_000L);
                rates.computeIfAbsent(v, k -> new ArrayList<>()).add(callsAndNanos[0] * BATCH / (callsAndNanos[1] / 1e9));
            }
        }
        double baseRate = median(rates.get("0 categories"));
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            List<Double> sorted = new ArrayList<>(e.getValue());
            Collections.sort(sorted);
            double m = median(e.getValue());
            System.out.printf("%-30s median %6.0f users/s (CPU time), min %.0f max %.0f, cost per user %.2fx of none%n",
                    e.getKey(), m, sorted.get(0), sorted.get(sorted.size() - 1), baseRate / m);
        }
        System.out.println("(" + sink + ")");
    }

    private static long[] run(ThreadMXBean t, RefreshBatch batch, ItemCache cache, List<UserState> users, long cpuNanos) {
        long start = t.getCurrentThreadCpuTime();
        long calls = 0;
        while (t.getCurrentThreadCpuTime() - start < cpuNanos) {
            for (int u = 0; u < users.size(); u++) {
                batch.add("u" + u, users.get(u));
            }
            calls += batch.score(cache.matrix(), cache.catalog(), 0).isEmpty() ? 0 : 1;
        }
        return new long[] {calls, t.getCurrentThreadCpuTime() - start};
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
