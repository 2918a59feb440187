package io.streamrec.benchmarks;

import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.user.ItemCache;

import java.util.Random;

/**
 * Heap taken by one UserWorker's item cache holding N items of dimension D, ids like the
 * generator's ({@code item-123456}): used heap after GC, before and after filling it. Usage:
 * {@code java -Xmx3g -cp benchmarks.jar io.streamrec.benchmarks.ItemCacheHeap N D}.
 */
public final class ItemCacheHeap {
    private ItemCacheHeap() {}

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    public static void main(String[] args) throws InterruptedException {
        int n = Integer.parseInt(args[0]);
        int dim = Integer.parseInt(args[1]);
        long before = usedAfterGc();
        ItemCache cache = new ItemCache(ModelConfig.builder().dimension(dim).maxItems(n).build());
        Random random = new Random(1);
        for (int i = 0; i < n; i++) {
            float[] q = new float[dim];
            for (int k = 0; k < dim; k++) {
                q[k] = (float) random.nextGaussian() * 0.1f;
            }
            cache.apply(new ItemUpdate("item-" + i, q, 0f, 1), 0);
        }
        long after = usedAfterGc();
        System.out.printf("%d items, dim %d: %.1f MB, %.0f bytes per item (cache size %d)%n", n, dim,
                (after - before) / 1e6, (after - before) / (double) n, cache.matrix().size());
    }
}
