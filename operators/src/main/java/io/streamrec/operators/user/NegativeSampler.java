package io.streamrec.operators.user;

import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.model.RecentItems;
import io.streamrec.operators.scoring.ItemMatrix;

import java.util.SplittableRandom;

/**
 * Draws the negative items of a positive interaction. Each negative is the best of
 * {@code negativePool} candidates (the one the model currently ranks highest for the user: the most
 * informative mistake, WARP-like adaptive sampling), drawn uniformly from the cached items or, with
 * {@code POPULAR} sampling, from a reservoir of recent positives. The positive item and items the
 * user has seen are never negatives. Not thread-safe; one per operator subtask.
 */
public final class NegativeSampler {

    private static final int RECENT_ITEMS = 20_000;

    private final ModelConfig model;
    private final SplittableRandom random;
    private final RecentItems recent = new RecentItems(RECENT_ITEMS);

    public NegativeSampler(ModelConfig model, long seed) {
        this.model = model;
        this.random = new SplittableRandom(seed);
    }

    /** Remembers a positive interaction with {@code item} for popularity-proportional sampling. */
    public void observePositive(String item) {
        recent.add(item);
    }

    /**
     * Up to {@code count} negative rows for a user with vector {@code p} who interacted with
     * {@code positive} and has seen {@code seen} (fewer when no more candidates qualify). New items
     * drawn from the reservoir are added to the cache through {@code cache}.
     */
    public int[] sample(float[] p, String positive, String[] seen, ItemCache cache, int count) {
        // the seen check runs for every candidate: compare cached hash codes first, strings only on a match
        int[] seenHashes = new int[seen.length];
        for (int i = 0; i < seen.length; i++) {
            seenHashes[i] = seen[i].hashCode();
        }
        int[] rows = new int[count];
        int n = 0;
        while (n < count) {
            int row = sample(p, positive, seen, seenHashes, cache);
            if (row < 0) {
                break;
            }
            rows[n++] = row;
        }
        return n == count ? rows : java.util.Arrays.copyOf(rows, n);
    }

    private int sample(float[] p, String positive, String[] seen, int[] seenHashes, ItemCache cache) {
        ItemMatrix items = cache.matrix();
        int pool = model.negativePool();
        boolean popular = model.negativeSampling() == ModelConfig.NegativeSampling.POPULAR && recent.size() > 0;
        int best = -1;
        float bestScore = Float.NEGATIVE_INFINITY;
        int drawn = 0;
        for (int attempt = 0; attempt < 2 * pool + 3 && drawn < pool; attempt++) {
            if (!popular && items.size() == 0) {
                return -1;
            }
            int row = popular ? -1 : random.nextInt(items.size());
            String candidate = popular ? recent.sample(random) : items.idAt(row);
            if (candidate.equals(positive) || isSeen(candidate, seen, seenHashes)) {
                continue;
            }
            if (popular) {
                row = cache.rowOf(candidate);
            }
            float score = pool == 1 ? 0f : items.biasAt(row) + items.dot(row, p);
            drawn++;
            if (best < 0 || score > bestScore) {
                best = row;
                bestScore = score;
            }
        }
        return best;
    }

    private static boolean isSeen(String candidate, String[] seen, int[] seenHashes) {
        int h = candidate.hashCode();
        for (int i = 0; i < seenHashes.length; i++) {
            if (seenHashes[i] == h && seen[i].equals(candidate)) {
                return true;
            }
        }
        return false;
    }
}
