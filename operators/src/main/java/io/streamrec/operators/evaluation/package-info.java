/**
 * Live quality of the running job, free of Flink: the rolling hit counters and the snapshot behind
 * {@code rec:_metrics}, which {@link io.streamrec.operators.evaluation.OnlineMetricsAggregator} keeps. Offline
 * evaluation (metrics, splits, baselines, protocols) is the {@code evaluation} module's.
 */
package io.streamrec.operators.evaluation;
