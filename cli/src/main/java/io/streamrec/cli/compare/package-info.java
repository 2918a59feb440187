/**
 * A candidate model next to the live one on the same stream: the options that make a second
 * deployment its own ({@link io.streamrec.cli.compare.CandidateDeployment}, {@code submit --candidate}),
 * the comparison of both jobs' test-then-learn sums per event-time window with confidence
 * intervals ({@link io.streamrec.cli.compare.CandidateComparison},
 * {@link io.streamrec.cli.compare.QualityIntervals}, {@code compare}), and the switch of the alias key
 * applications read through ({@link io.streamrec.cli.compare.PromoteCommand},
 * {@link io.streamrec.cli.compare.ActivePrefix}, {@code promote}).
 */
package io.streamrec.cli.compare;
