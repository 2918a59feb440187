package io.streamrec.operators.model;

import io.streamrec.operators.input.EventType;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Hyperparameters of the online matrix-factorization model. Immutable once built; shared by the
 * user and item operators so both sides use the same dimension, initialization and step sizes.
 */
public final class ModelConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where sampled negatives come from. */
    public enum NegativeSampling {
        /** Uniformly from all known items (the default: best accuracy on held-out interactions). */
        UNIFORM,
        /** In proportion to recent popularity (pushes popular items down: more diverse lists). */
        POPULAR
    }

    /** How explicit ratings become training signal. */
    public enum RatingMode {
        /**
         * Every rating is a positive interaction with the rating type's weight: rating an item says
         * the user engaged with it (the default; negative signal comes from negative event types
         * such as {@code dislike}).
         */
        IMPLICIT,
        /** 4–5 stars strongly positive, 3 weakly positive, 1–2 negative examples. */
        GRADED
    }

    /** How a positive interaction is turned into an SGD step. */
    public enum Loss {
        /** Bayesian personalized ranking against sampled negatives (pairwise, the default). */
        BPR,
        /** Weighted logistic loss toward 1 for positives and 0 for sampled negatives. */
        POINTWISE
    }

    /**
     * Passes over a history that a bootstrap makes by default ({@code bin/streamrec evaluate
     * --protocol holdout} and {@code bin/streamrec backfill bootstrap}): with the default step-size decay the
     * model has converged by then (validation nDCG@10 on MovieLens 100K: 0.2668 after 10 passes,
     * 0.2617 after 30).
     */
    public static final int HISTORY_PASSES = 10;

    private final int dimension;
    private final float learningRate;
    private final float userStepHalving;
    private final float itemStepHalving;
    private final float regularization;
    private final float biasRegularization;
    private final float biasStep;
    private final float newUserBoost;
    private final float newUserInteractions;
    private final int negatives;
    private final int negativePool;
    private final NegativeSampling negativeSampling;
    private final RatingMode ratingMode;
    private final float initScale;
    private final float gradientClip;
    private final float maxNorm;
    private final int maxItems;
    private final long seed;
    private final Loss loss;
    private final float popularityHalfLifeDays;
    private final EnumMap<EventType, Float> weights;

    private ModelConfig(Builder b) {
        this.dimension = b.dimension;
        this.learningRate = b.learningRate;
        this.userStepHalving = b.userStepHalving;
        this.itemStepHalving = b.itemStepHalving;
        this.regularization = b.regularization;
        this.biasRegularization = b.biasRegularization;
        this.biasStep = b.biasStep;
        this.newUserBoost = b.newUserBoost;
        this.newUserInteractions = b.newUserInteractions;
        this.negatives = b.negatives;
        this.negativePool = b.negativePool;
        this.negativeSampling = b.negativeSampling;
        this.ratingMode = b.ratingMode;
        this.initScale = b.initScale;
        this.gradientClip = b.gradientClip;
        this.maxNorm = b.maxNorm;
        this.maxItems = b.maxItems;
        this.seed = b.seed;
        this.loss = b.loss;
        this.popularityHalfLifeDays = b.popularityHalfLifeDays;
        this.weights = new EnumMap<>(b.weights);
    }

    /** Default of {@code model.max-items}. */
    public static final int DEFAULT_MAX_ITEMS = 1_000_000;
    /** Largest {@code model.max-items}: a UserWorker's cache may hold twice as many rows (see {@code ItemCache}). */
    public static final int MAX_ITEMS_LIMIT = 1 << 30;

    public static Builder builder() {
        return new Builder();
    }

    public static ModelConfig defaults() {
        return builder().build();
    }

    public int dimension() { return dimension; }
    /** Step size of a new vector; it decays with the vector's interactions (see {@link FactorMath#stepSize}). */
    public float learningRate() { return learningRate; }
    /** Interactions of a user after which the user's step size has halved. */
    public float userStepHalving() { return userStepHalving; }
    /** Interactions with an item after which the item's step size has halved. */
    public float itemStepHalving() { return itemStepHalving; }
    public float regularization() { return regularization; }
    public float biasRegularization() { return biasRegularization; }
    /**
     * A bias's step as a share of its vector's step ({@code model.bias-step}): biases, which carry
     * popularity, learn more slowly than the vectors, which carry each user's taste.
     */
    public float biasStep() { return biasStep; }
    /**
     * Extra weight of a user's first positive interactions ({@code model.new-user-boost}): the
     * user's n-th interaction (from 0) weighs {@code 1 + boost · exp(−n / new-user-interactions)}
     * times its type's weight ({@link FactorMath#newUserWeight}).
     */
    public float newUserBoost() { return newUserBoost; }
    /** Interactions over which the new-user boost fades by a factor e ({@code model.new-user-interactions}). */
    public float newUserInteractions() { return newUserInteractions; }
    public int negatives() { return negatives; }
    /** Candidates drawn per negative; the one the model currently scores highest is used (1 = plain sampling). */
    public int negativePool() { return negativePool; }
    public NegativeSampling negativeSampling() { return negativeSampling; }
    public RatingMode ratingMode() { return ratingMode; }
    public float initScale() { return initScale; }
    public float gradientClip() { return gradientClip; }
    public float maxNorm() { return maxNorm; }
    /**
     * The most items the model holds (a hard cap per job, {@code model.max-items}): past it new
     * items are refused into the model; their interactions still count for the user.
     */
    public int maxItems() { return maxItems; }
    public long seed() { return seed; }
    public Loss loss() { return loss; }
    public float popularityHalfLifeDays() { return popularityHalfLifeDays; }

    /**
     * Confidence weight of an event type. A negative weight marks a negative example (for example
     * {@code dislike}); zero means the type is ignored by the model.
     */
    public float weight(EventType type) {
        return weights.getOrDefault(type, 0f);
    }

    /** Weight of an explicit rating: ratings above the midpoint are positive, below negative. */
    public float ratingWeight(double rating) {
        // 1..5 stars: 4 and 5 are clear positives, 3 a weak positive, 1 and 2 negatives.
        float base = weight(EventType.RATING);
        if (ratingMode == RatingMode.IMPLICIT) {
            return base;
        }
        if (rating >= 3.0) {
            return base * (float) (rating - 2.0) / 3.0f * 1.5f;
        }
        return -base * (float) (3.0 - rating) / 2.0f;
    }

    /**
     * Time-decayed popularity is kept as {@code log Σ w·exp(λ·(ts − POPULARITY_EPOCH_MS))}: measured
     * from 2020-01-01 to keep the exponents small.
     */
    public static final long POPULARITY_EPOCH_MS = 1_577_836_800_000L;

    /** One interaction's term {@code log w + λ·(ts − epoch)} of the log-space popularity sum. */
    public double popularityLogTerm(float weight, long ts) {
        return Math.log(weight) + popularityDecayPerMilli() * (ts - POPULARITY_EPOCH_MS);
    }

    /** Decay rate per millisecond for time-decayed popularity. */
    public double popularityDecayPerMilli() {
        return Math.log(2) / (popularityHalfLifeDays * 86_400_000.0);
    }

    @Override
    public String toString() {
        return "ModelConfig{dim=" + dimension + ", lr=" + learningRate + ", userHalving=" + userStepHalving
                + ", itemHalving=" + itemStepHalving + ", reg=" + regularization
                + ", biasReg=" + biasRegularization + ", biasStep=" + biasStep + ", newUserBoost=" + newUserBoost + "/" + newUserInteractions + ", negatives=" + negatives + ", pool=" + negativePool + ", sampling=" + negativeSampling
                + ", ratings=" + ratingMode + ", loss=" + loss
                + ", initScale=" + initScale + ", clip=" + gradientClip + ", maxNorm=" + maxNorm + ", maxItems=" + maxItems
                + ", seed=" + seed + ", weights=" + weights + "}";
    }

    /** Builder with the defaults documented in the README's options table. */
    public static final class Builder {
        private int dimension = 48;
        private float learningRate = 0.15f;
        private float userStepHalving = 30f;
        private float itemStepHalving = 10f;
        private float regularization = 0.02f;
        private float biasRegularization = 0.001f;
        private float biasStep = 0.25f;
        private float newUserBoost = 0.5f;
        private float newUserInteractions = 5f;
        private int negatives = 5;
        private int negativePool = 4;
        private NegativeSampling negativeSampling = NegativeSampling.UNIFORM;
        private RatingMode ratingMode = RatingMode.IMPLICIT;
        private float initScale = 0.01f;
        private float gradientClip = 5f;
        private float maxNorm = 50f;
        private int maxItems = DEFAULT_MAX_ITEMS;
        private long seed = 42L;
        private Loss loss = Loss.BPR;
        private float popularityHalfLifeDays = 7f;
        private final EnumMap<EventType, Float> weights = new EnumMap<>(EventType.class);

        private Builder() {
            weights.put(EventType.VIEW, 0.5f);
            weights.put(EventType.CLICK, 1f);
            weights.put(EventType.CART, 2f);
            weights.put(EventType.PURCHASE, 4f);
            weights.put(EventType.LIKE, 3f);
            weights.put(EventType.DISLIKE, -2f);
            weights.put(EventType.RATING, 1f);
        }

        public Builder dimension(int v) { dimension = v; return this; }
        public Builder learningRate(float v) { learningRate = v; return this; }
        public Builder userStepHalving(float v) { userStepHalving = v; return this; }
        public Builder itemStepHalving(float v) { itemStepHalving = v; return this; }
        public Builder regularization(float v) { regularization = v; return this; }
        public Builder biasRegularization(float v) { biasRegularization = v; return this; }
        public Builder biasStep(float v) { biasStep = v; return this; }
        public Builder newUserBoost(float v) { newUserBoost = v; return this; }
        public Builder newUserInteractions(float v) { newUserInteractions = v; return this; }
        public Builder negatives(int v) { negatives = v; return this; }
        public Builder negativePool(int v) { negativePool = v; return this; }
        public Builder negativeSampling(NegativeSampling v) { negativeSampling = Objects.requireNonNull(v); return this; }
        public Builder ratingMode(RatingMode v) { ratingMode = Objects.requireNonNull(v); return this; }
        public Builder initScale(float v) { initScale = v; return this; }
        public Builder gradientClip(float v) { gradientClip = v; return this; }
        public Builder maxNorm(float v) { maxNorm = v; return this; }
        public Builder maxItems(int v) { maxItems = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder loss(Loss v) { loss = Objects.requireNonNull(v); return this; }
        public Builder popularityHalfLifeDays(float v) { popularityHalfLifeDays = v; return this; }
        public Builder weight(EventType type, float w) { weights.put(type, w); return this; }
        public Builder weights(Map<EventType, Float> w) { weights.putAll(w); return this; }

        public ModelConfig build() {
            check(dimension >= 1 && dimension <= 1024, "dimension must be in [1, 1024], got " + dimension);
            check(learningRate > 0 && Float.isFinite(learningRate), "learning rate must be > 0, got " + learningRate);
            check(userStepHalving > 0 && Float.isFinite(userStepHalving), "user step halving must be > 0, got " + userStepHalving);
            check(itemStepHalving > 0 && Float.isFinite(itemStepHalving), "item step halving must be > 0, got " + itemStepHalving);
            check(regularization >= 0, "regularization must be >= 0, got " + regularization);
            check(biasRegularization >= 0, "bias regularization must be >= 0, got " + biasRegularization);
            check(biasStep >= 0 && biasStep <= 10, "bias step must be in [0, 10] (a share of the vector step), got " + biasStep);
            check(newUserBoost >= 0 && newUserBoost <= 10, "new user boost must be in [0, 10], got " + newUserBoost);
            check(newUserInteractions > 0 && Float.isFinite(newUserInteractions),
                    "new user interactions must be > 0, got " + newUserInteractions);
            check(negatives >= 0 && negatives <= 100, "negatives must be in [0, 100], got " + negatives);
            check(negativePool >= 1 && negativePool <= 1000, "negative pool must be in [1, 1000], got " + negativePool);
            check(initScale >= 0, "init scale must be >= 0, got " + initScale);
            check(gradientClip > 0, "gradient clip must be > 0, got " + gradientClip);
            check(maxNorm > 0, "max norm must be > 0, got " + maxNorm);
            check(maxItems >= 1 && maxItems <= MAX_ITEMS_LIMIT,
                    "max items must be in [1, " + MAX_ITEMS_LIMIT + "], got " + maxItems);
            check(popularityHalfLifeDays > 0, "popularity half-life must be > 0 days, got " + popularityHalfLifeDays);
            for (Map.Entry<EventType, Float> e : weights.entrySet()) {
                check(Float.isFinite(e.getValue()), "weight of " + e.getKey() + " must be finite");
            }
            return new ModelConfig(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
