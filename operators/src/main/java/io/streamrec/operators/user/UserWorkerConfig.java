package io.streamrec.operators.user;

import io.streamrec.operators.evaluation.OnlineEvaluation;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.scoring.ItemIndex;
import io.streamrec.operators.scoring.ScoringKernel;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * What a UserWorker needs besides its inputs: the model, and how and how often lists are computed.
 * Immutable; defaults are the job's option defaults.
 */
public final class UserWorkerConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelConfig model;
    private final int topN;
    private final Duration refreshInterval;
    private final int batchSize;
    private final double maxScoringShare;
    private final int maxRefreshStretch;
    private final int bulkRefreshRate;
    private final Duration userTtl;
    private final int maxSeen;
    private final int userCacheSize;
    private final OnlineEvaluation evaluation;
    private final ScoringKernel kernel;
    private final ItemIndex index;
    private final int similarN;
    private final double similarThreshold;
    private final java.util.List<String> categories;

    private UserWorkerConfig(Builder b) {
        this.model = b.model;
        this.topN = b.topN;
        this.refreshInterval = b.refreshInterval;
        this.batchSize = b.batchSize;
        this.maxScoringShare = b.maxScoringShare;
        this.maxRefreshStretch = b.maxRefreshStretch;
        this.bulkRefreshRate = b.bulkRefreshRate;
        this.userTtl = b.userTtl;
        this.maxSeen = b.maxSeen;
        this.userCacheSize = b.userCacheSize;
        this.evaluation = b.evaluation;
        this.kernel = b.kernel;
        this.index = b.index;
        this.similarN = b.similarN;
        this.similarThreshold = b.similarThreshold;
        this.categories = java.util.List.copyOf(b.categories);
    }

    public static Builder builder(ModelConfig model) {
        return new Builder(model);
    }

    public ModelConfig model() { return model; }
    /** Length of each user's list. */
    public int topN() { return topN; }
    /** A user's list is recomputed at most once per interval after their vector changed. */
    public Duration refreshInterval() { return refreshInterval; }
    /** Users scored together in one matrix product. */
    public int batchSize() { return batchSize; }
    /** Largest share of the thread's time scoring may take before refreshes are deferred ({@link RefreshPacer}). */
    public double maxScoringShare() { return maxScoringShare; }
    /** How many times the refresh interval may stretch while scoring is over its share. */
    public int maxRefreshStretch() { return maxRefreshStretch; }
    /** Users per second whose refreshes a bulk request (republish, a new run's restore) schedules. */
    public int bulkRefreshRate() { return bulkRefreshRate; }
    /** Event time without interactions after which a user is dropped; zero: never. */
    public Duration userTtl() { return userTtl; }
    /** Most recent distinct items remembered per user and excluded from their list. */
    public int maxSeen() { return maxSeen; }
    /** Users per subtask whose state stays deserialized between interactions ({@link UserStateCache}); 0: none. */
    public int userCacheSize() { return userCacheSize; }
    public OnlineEvaluation evaluation() { return evaluation; }
    public ScoringKernel kernel() { return kernel; }
    /** Exact scoring of every item, or HNSW candidates re-ranked exactly (by catalogue size with AUTO). */
    public ItemIndex index() { return index; }
    /** Length of each item's similar list; 0: no similar lists. */
    public int similarN() { return similarN; }
    /** How far (relative to its length) an item's vector must move since its last similar list before the list is recomputed. */
    public double similarThreshold() { return similarThreshold; }
    /** Categories whose lists each user also gets ({@code recs.categories}); empty: none. */
    public java.util.List<String> categories() { return categories; }

    public static final class Builder {
        private final ModelConfig model;
        private int topN = 20;
        private Duration refreshInterval = Duration.ofSeconds(1);
        private int batchSize = 128;
        private double maxScoringShare = 0.5;
        private int maxRefreshStretch = 30;
        private int bulkRefreshRate = 5000;
        private Duration userTtl = Duration.ofDays(90);
        private int maxSeen = 500;
        private int userCacheSize = 4096;
        private OnlineEvaluation evaluation = OnlineEvaluation.LAST_LIST;
        private ScoringKernel kernel = ScoringKernel.VECTOR;
        private ItemIndex index = ItemIndex.AUTO;
        private int similarN = 20;
        private double similarThreshold = 0.05;
        private java.util.List<String> categories = java.util.List.of();

        private Builder(ModelConfig model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        public Builder topN(int v) { topN = v; return this; }
        public Builder refreshInterval(Duration v) { refreshInterval = Objects.requireNonNull(v); return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder maxScoringShare(double v) { maxScoringShare = v; return this; }
        public Builder maxRefreshStretch(int v) { maxRefreshStretch = v; return this; }
        public Builder bulkRefreshRate(int v) { bulkRefreshRate = v; return this; }
        public Builder userTtl(Duration v) { userTtl = Objects.requireNonNull(v); return this; }
        public Builder maxSeen(int v) { maxSeen = v; return this; }
        public Builder userCacheSize(int v) { userCacheSize = v; return this; }
        public Builder evaluation(OnlineEvaluation v) { evaluation = Objects.requireNonNull(v); return this; }
        public Builder kernel(ScoringKernel v) { kernel = Objects.requireNonNull(v); return this; }
        public Builder index(ItemIndex v) { index = Objects.requireNonNull(v); return this; }
        public Builder similarN(int v) { similarN = v; return this; }
        public Builder similarThreshold(double v) { similarThreshold = v; return this; }
        public Builder categories(java.util.List<String> v) { categories = java.util.List.copyOf(v); return this; }

        public UserWorkerConfig build() {
            check(topN >= 1, "top N must be at least 1, got " + topN);
            check(!refreshInterval.isNegative() && !refreshInterval.isZero(), "refresh interval must be positive");
            check(batchSize >= 1, "batch size must be at least 1, got " + batchSize);
            check(maxScoringShare > 0 && maxScoringShare <= 1, "max scoring share must be in (0, 1], got " + maxScoringShare);
            check(!userTtl.isNegative(), "user TTL must not be negative, got " + userTtl);
            check(bulkRefreshRate >= 1, "bulk refresh rate must be positive, got " + bulkRefreshRate);
            check(maxRefreshStretch >= 1, "max refresh stretch must be at least 1, got " + maxRefreshStretch);
            check(similarN >= 0, "similar-list length must be >= 0, got " + similarN);
            check(similarThreshold >= 0, "similar-list threshold must be >= 0, got " + similarThreshold);
            check(categories.stream().noneMatch(String::isBlank) && categories.stream().distinct().count() == categories.size(),
                    "categories must be distinct and non-blank, got " + categories);
            check(maxSeen >= 0, "max seen must be >= 0, got " + maxSeen);
            check(userCacheSize >= 0, "user cache size must be >= 0, got " + userCacheSize);
            return new UserWorkerConfig(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
