package io.streamrec.operators.user;

import io.streamrec.operators.records.OnlineHit;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/** The UserWorker's metrics (names as in the README's Monitoring section and the Grafana dashboard). */
final class UserWorkerMetrics {
    /** Refresh lags kept for the histogram's quantiles. */
    private static final int LAG_SAMPLES = 1024;

    final Counter interactionsApplied;
    final Counter updatesRejected;
    final Counter listsEmitted;
    final Counter hits;
    final Counter evaluated;
    final Counter refreshesDeferred;
    final Counter usersForgotten;
    final Counter usersExpired;
    /** Users scored and the time scoring took: their ratio is the scorer's users/s. */
    final Counter usersScored;
    final Counter scoringMicros;
    private final Histogram refreshLag;
    private volatile long lastRefreshLagMs;

    UserWorkerMetrics(MetricGroup group, IntSupplier cachedItems, IntSupplier indexedItems, RefreshPacer pacer,
                      LongSupplier now) {
        interactionsApplied = group.counter("interactionsApplied");
        updatesRejected = group.counter("updatesRejected");
        listsEmitted = group.counter("listsEmitted");
        hits = group.counter("onlineHits");
        evaluated = group.counter("onlineEvaluated");
        refreshesDeferred = group.counter("refreshesDeferred");
        usersForgotten = group.counter("usersForgotten");
        usersExpired = group.counter("usersExpired");
        usersScored = group.counter("usersScored");
        scoringMicros = group.counter("scoringMicros");
        group.gauge("indexedItems", indexedItems::getAsInt);
        refreshLag = group.histogram("refreshLagMs", new DescriptiveStatisticsHistogram(LAG_SAMPLES));
        group.gauge("cachedItems", cachedItems::getAsInt);
        group.gauge("lastRefreshLagMs", () -> lastRefreshLagMs);
        group.gauge("refreshIntervalMs", () -> pacer.intervalMs(now.getAsLong()));
        group.gauge("scoringShare", () -> pacer.scoringShare(now.getAsLong()));
    }

    /** One test-then-learn measurement. */
    void measured(OnlineHit hit) {
        evaluated.inc();
        if (hit.rank >= 0) {
            hits.inc();
        }
    }

    /** The lag from each refresh request to {@code scoredAt}, when its list was scored. */
    void refreshed(long[] requestedAt, long scoredAt) {
        for (long t : requestedAt) {
            lastRefreshLagMs = Math.max(0, scoredAt - t);
            refreshLag.update(lastRefreshLagMs);
        }
    }
}
