/**
 * Pieces of {@code bin/streamrec evaluate}: data set loading, the sink that collects the job's
 * test-then-learn measurements, summary statistics, and the results writers (JSON, Markdown, an
 * SVG plot drawn without extra dependencies).
 */
package io.streamrec.cli.evaluation;
