/**
 * Local infrastructure and data for tests and the demo, never part of the job jar.
 *
 * <ul>
 *   <li>{@link io.streamrec.testkit.EmbeddedKafka}: a single-node KRaft Kafka cluster in this JVM,
 *       transactions enabled.
 *   <li>{@link io.streamrec.testkit.RedisServerProcess}: a real {@code redis-server} child process.
 *   <li>{@link io.streamrec.testkit.InteractionGenerator}: a seeded synthetic interaction stream
 *       with latent tastes, popularity skew, drift and optional malformed/duplicate records.
 *   <li>{@link io.streamrec.testkit.MovieLensReader}: MovieLens ratings replayed in time order.
 *   <li>{@link io.streamrec.testkit.InteractionProducer}: writes JSON lines to a topic.
 *   <li>{@link io.streamrec.testkit.Interaction}: one event of the JSON input contract.
 * </ul>
 */
package io.streamrec.testkit;
