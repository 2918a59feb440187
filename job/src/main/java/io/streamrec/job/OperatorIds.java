package io.streamrec.job;

/**
 * Stable operator uids (savepoint compatibility: never rename one) and readable names. A uid names
 * the state of an operator inside a savepoint; renaming a uid orphans that state.
 */
public final class OperatorIds {
    private OperatorIds() {}

    public static final String INTERACTIONS_SOURCE = "interactions-source";
    public static final String VALIDATE = "validate-interactions";
    public static final String WATERMARKS = "event-time-watermarks";
    public static final String DEDUPLICATE = "deduplicate";
    public static final String USER_WORKER = "user-worker";
    public static final String GRADIENTS_SOURCE = "item-gradients-source";
    public static final String ITEM_SERVER = "item-server";
    public static final String POPULARITY = "popularity-ranker";
    public static final String GRADIENTS_SINK = "item-gradients-sink";
    public static final String STAMP_GRADIENTS = "stamp-gradients-run";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String USER_LISTS_TO_REDIS = "user-lists-to-redis";
    public static final String ITEM_STATS_TO_REDIS = "item-stats-to-redis";
    public static final String POPULAR_TO_REDIS = "popular-to-redis";
    public static final String SIMILAR_LISTS_TO_REDIS = "similar-lists-to-redis";
    public static final String REDIS_SINK = "redis-sink";
    public static final String ONLINE_METRICS = "online-metrics";
    public static final String ONLINE_METRICS_TO_REDIS = "online-metrics-to-redis";
    public static final String ITEMS_SOURCE = "items-source";
    public static final String VALIDATE_ITEMS = "validate-items";
    public static final String ITEMS_TO_ITEM_SERVER = "items-to-item-server";

    public static final String NAME_INTERACTIONS_SOURCE = "Kafka: interactions";
    public static final String NAME_VALIDATE = "Parse + validate";
    public static final String NAME_WATERMARKS = "Event-time watermarks";
    public static final String NAME_DEDUPLICATE = "De-duplicate (by event id)";
    public static final String NAME_USER_WORKER = "UserWorker: user vectors, SGD, top-N";
    public static final String NAME_GRADIENTS_SOURCE = "Kafka: item gradients (read_committed)";
    public static final String NAME_ITEM_SERVER = "ItemServer: item vectors";
    public static final String NAME_POPULARITY = "Most popular (time-decayed)";
    public static final String NAME_GRADIENTS_SINK = "Kafka: item gradients (exactly-once)";
    public static final String NAME_STAMP_GRADIENTS = "Stamp run id on gradients";
    public static final String NAME_DEAD_LETTER_SINK = "Kafka: dead letters";
    public static final String NAME_USER_LISTS_TO_REDIS = "User lists -> Redis writes";
    public static final String NAME_ITEM_STATS_TO_REDIS = "Item stats -> Redis writes (per-item versions)";
    public static final String NAME_POPULAR_TO_REDIS = "Popular list -> Redis writes";
    public static final String NAME_ONLINE_METRICS = "Online metrics (hit rate, MRR; rolling windows)";
    public static final String NAME_ONLINE_METRICS_TO_REDIS = "Online metrics -> Redis writes";
    public static final String NAME_SIMILAR_LISTS_TO_REDIS = "Similar-item lists -> Redis writes";
    public static final String NAME_ITEMS_SOURCE = "Kafka: items (metadata)";
    public static final String NAME_VALIDATE_ITEMS = "Parse + validate item metadata";
    public static final String NAME_ITEMS_TO_ITEM_SERVER = "Item metadata -> ItemServer input";
    public static final String NAME_REDIS_SINK = "Redis (visible on checkpoint)";
}
