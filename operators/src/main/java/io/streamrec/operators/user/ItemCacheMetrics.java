package io.streamrec.operators.user;

import org.apache.flink.metrics.MetricGroup;

/** The item cache's bounds as metrics of the UserWorker: items refused into the model, items retired. */
final class ItemCacheMetrics {

    private ItemCacheMetrics() {}

    static void register(MetricGroup group, ItemCache cache) {
        group.gauge("itemsRefused", cache::refusedItems);
        group.gauge("itemsRetired", cache::retiredItems);
    }
}
