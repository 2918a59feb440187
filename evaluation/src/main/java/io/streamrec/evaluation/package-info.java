/**
 * Offline evaluation of the real job ({@code bin/streamrec evaluate}, docs/QUALITY.md): the flags
 * ({@link io.streamrec.evaluation.EvaluationSettings}), the two protocols (holdout, prequential), the
 * job driven on a local mini cluster against a local Kafka broker and Redis server
 * ({@link io.streamrec.evaluation.EvaluationJob}, {@link io.streamrec.evaluation.LocalStack}) and the
 * sink that collects its test-then-learn measurements. Live quality ({@code rec:_metrics}) is the
 * job's, in {@code operators}.
 */
package io.streamrec.evaluation;
