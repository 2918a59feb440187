/**
 * Recommendation-quality arithmetic, free of Flink: ranking metrics of the holdout protocol
 * (precision, recall, nDCG, MAP at k), prequential hit accounting per window, list diversity
 * (coverage, Jaccard), and mean ± sd over seeds.
 */
package io.streamrec.evaluation.metrics;
