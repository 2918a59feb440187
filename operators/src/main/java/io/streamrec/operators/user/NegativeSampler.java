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
 *
 * <p>Uniform sampling is reproducible across restores: the random numbers of an interaction come
 * from a seed of that interaction alone ({@link #seedOf}: model seed, user, the user's interaction
 * count), and they pick positions in the cache's arrival-independent {@link SamplingOrder}. So a
 * run restored from a checkpoint draws the same negatives as the run that never failed. (The
 * reservoir of {@code POPULAR} sampling is not checkpointed; it refills after a restore.)
 */
public final class NegativeSampler {

    private static final int RECENT_ITEMS = 20_000;

    private final ModelConfig model;
    private final RecentItems recent = new RecentItems(RECENT_ITEMS);

    public NegativeSampler(ModelConfig model) {
        this.model = model;
    }

    /** The seed of the random numbers of one interaction: user {@code user}'s {@code n}-th (from 0). */
    public long seedOf(String user, long n) {
        long h = model.seed() * 0x9e3779b97f4a7c15L + SamplingOrder.key(user);
        h = (h ^ (h >>> 31)) * 0xbf58476d1ce4e5b9L + n;
        return h ^ (h >>> 29);
    }

    /** Remembers a positive interaction with {@code item} for popularity-proportional sampling. */
    public void observePositive(String item) {
        recent.add(item);
    }

    /**
     * Up to {@code count} negative rows for a user with vector {@code p} who interacted with
     * {@code positive} and has seen {@code seen} (fewer when no more candidates qualify), drawn
     * with the random numbers of {@code seed} ({@link #seedOf}). New items drawn from the reservoir
     * are added to the cache through {@code cache}.
     */
    public int[] sample(float[] p, String positive, String[] seen, ItemCache cache, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        // the seen check runs for every candidate: a hash table of the seen items, built once
        SeenLookup seenLookup = new SeenLookup(seen);
        int positiveHash = positive.hashCode();
        int[] rows = new int[count];
        int n = 0;
        while (n < count) {
            int row = sample(p, positive, positiveHash, seenLookup, cache, random);
            if (row < 0) {
                break;
            }
            rows[n++] = row;
        }
        return n == count ? rows : java.util.Arrays.copyOf(rows, n);
    }

    private int sample(float[] p, String positive, int positiveHash, SeenLookup seen, ItemCache cache, SplittableRandom random) {
        ItemMatrix items = cache.matrix();
        int pool = model.negativePool();
        boolean popular = model.negativeSampling() == ModelConfig.NegativeSampling.POPULAR && recent.size() > 0;
        int best = -1;
        float bestScore = Float.NEGATIVE_INFINITY;
        int drawn = 0;
        for (int attempt = 0; attempt < 2 * pool + 3 && drawn < pool; attempt++) {
            if (!popular && cache.size() == 0) {
                return -1;
            }
            int row = popular ? -1 : cache.rowInSamplingOrder(random.nextInt(cache.size()));
            String candidate = popular ? recent.sample(random) : items.idAt(row);
            int hash = popular ? candidate.hashCode() : items.idHashAt(row);
            // hashes first: the candidate's id string is read only when a hash matches
            if (seen.contains(hash, candidate) || (hash == positiveHash && candidate.equals(positive))) {
                continue;
            }
            if (popular && (row = cache.rowOf(candidate)) < 0) {
                continue; // refused: the model is full, or the item was retired
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

    /**
     * The user's seen items as an open-addressing table of their hash codes (strings compared only on
     * a matching hash): a candidate costs one or two probes instead of a scan of up to
     * {@code recs.max-seen} entries (the scan was 5% of the UserWorker thread in a profile).
     */
    static final class SeenLookup {
        private final String[] seen;
        private final int[] hashes;
        /** Index into {@code seen} + 1; 0: an empty slot. */
        private final int[] slots;
        private final int mask;
        private final int shift;

        SeenLookup(String[] seen) {
            this.seen = seen;
            int size = Integer.highestOneBit(Math.max(4, seen.length) * 2 - 1) << 1;
            hashes = new int[size];
            slots = new int[size];
            mask = size - 1;
            shift = 32 - Integer.numberOfTrailingZeros(size);
            for (int i = 0; i < seen.length; i++) {
                int h = seen[i].hashCode();
                int slot = slotOf(h);
                while (slots[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                hashes[slot] = h;
                slots[slot] = i + 1;
            }
        }

        boolean contains(String candidate) {
            return contains(candidate.hashCode(), candidate);
        }

        /** {@link #contains(String)} for a candidate whose hash code {@code h} is known. */
        boolean contains(int h, String candidate) {
            for (int slot = slotOf(h); slots[slot] != 0; slot = (slot + 1) & mask) {
                if (hashes[slot] == h && seen[slots[slot] - 1].equals(candidate)) {
                    return true;
                }
            }
            return false;
        }

        /** Slots a lookup of {@code candidate} visits (the test of the table's spread). */
        int probes(String candidate) {
            int h = candidate.hashCode();
            int visited = 1;
            for (int slot = slotOf(h); slots[slot] != 0; slot = (slot + 1) & mask) {
                visited++;
            }
            return visited;
        }

        /**
         * Fibonacci hashing: the top bits of h × 2³²/φ. Ids like "i1", "i2", … have consecutive hash
         * codes; their low bits would fill runs of adjacent slots, and linear probing for an id
         * that is not there would walk the whole run (a profile showed it).
         */
        private int slotOf(int h) {
            return (h * 0x9E3779B9) >>> shift;
        }
    }
}
