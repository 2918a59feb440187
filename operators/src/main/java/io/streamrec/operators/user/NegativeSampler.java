package io.streamrec.operators.user;

import io.streamrec.operators.model.FactorMath;
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

    /** Up to {@code count} negative rows (fewer when no more candidates qualify); see {@link #sample(float[], String, String[], ItemCache)}. */
    public int[] sample(float[] p, String positive, String[] seen, ItemCache cache, int count) {
        int[] rows = new int[count];
        int n = 0;
        while (n < count) {
            int row = sample(p, positive, seen, cache);
            if (row < 0) {
                break;
            }
            rows[n++] = row;
        }
        return n == count ? rows : java.util.Arrays.copyOf(rows, n);
    }

    /**
     * A negative row for a user with vector {@code p} who interacted with {@code positive} and has
     * seen {@code seen}; -1 when no candidate qualifies. New items drawn from the reservoir are added
     * to the cache through {@code cache}.
     */
    public int sample(float[] p, String positive, String[] seen, ItemCache cache) {
        ItemMatrix items = cache.matrix();
        int pool = model.negativePool();
        int best = -1;
        float bestScore = Float.NEGATIVE_INFINITY;
        int drawn = 0;
        for (int attempt = 0; attempt < 2 * pool + 3 && drawn < pool; attempt++) {
            String candidate = model.negativeSampling() == ModelConfig.NegativeSampling.POPULAR && recent.size() > 0
                    ? recent.sample(random)
                    : (items.size() > 0 ? items.idAt(random.nextInt(items.size())) : null);
            if (candidate == null) {
                return -1;
            }
            if (candidate.equals(positive) || SeenItems.contains(seen, candidate)) {
                continue;
            }
            int row = cache.rowOf(candidate);
            float score = pool == 1 ? 0f : items.biasAt(row) + FactorMath.dot(p, items.vectorAt(row));
            drawn++;
            if (best < 0 || score > bestScore) {
                best = row;
                bestScore = score;
            }
        }
        return best;
    }
}
