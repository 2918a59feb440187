package io.streamrec.operators.user;

import org.apache.flink.metrics.MetricGroup;

/**
 * The item cache's bounds as metrics of the UserWorker: items refused into the model, items retired;
 * and the gradient loop's health: deltas dropped unconfirmed after {@link InFlightDeltas#MAX_CHECKPOINTS}
 * checkpoints (refused by the ItemServer, or its confirmations lag that far behind).
 */
final class ItemCacheMetrics {

    private ItemCacheMetrics() {}

    static void register(MetricGroup group, ItemCache cache) {
        group.gauge("itemsRefused", cache::refusedItems);
        group.gauge("itemsRetired", cache::retiredItems);
        group.gauge("itemDeltasExpired", cache::expiredDeltas);
    }
}
