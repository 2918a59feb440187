/**
 * Recommendation-quality arithmetic, free of Flink: ranking metrics of the holdout protocol
 * (precision, recall, nDCG, MAP at k), prequential hit accounting, the seeded stratified split, an
 * online popularity baseline, and the rolling counters behind the live job's {@code rec:_metrics}.
 * The evaluate command and {@link io.streamrec.operators.OnlineMetricsAggregator} call these.
 */
package io.streamrec.operators.evaluation;
