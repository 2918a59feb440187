/**
 * {@code bin/streamrec ui}: {@link io.streamrec.cli.ui.RecommendationsPage}, a read-only web page
 * (the JDK's HTTP server, one static HTML page with plain JavaScript, a JSON API) over the Redis
 * keys the job writes (users' lists and meta, the popular list, item stats, live quality) and the
 * Flink REST API (job state, checkpoints).
 */
package io.streamrec.cli.ui;
