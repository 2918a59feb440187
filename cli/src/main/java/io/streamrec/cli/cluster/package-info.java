/**
 * A real Flink standalone cluster on one machine, and the operations on it that StreamRec's users
 * need: {@code bin/streamrec cluster start|stop|status}, {@code submit}, {@code savepoint} and
 * {@code stop --savepoint}.
 *
 * <ul>
 *   <li>{@link io.streamrec.cli.cluster.LocalCluster} starts one JobManager and N TaskManagers as
 *       separate JVM processes from Maven-resolved jars (the Flink distribution is not needed) and
 *       {@code flink-conf/config.yaml}, optionally with a local Kafka and Redis
 *       ({@link io.streamrec.cli.cluster.LocalServices}); pids and addresses live in a state
 *       directory ({@code .streamrec/cluster/}).</li>
 *   <li>{@link io.streamrec.cli.cluster.FlinkRestClient} talks to any Flink 2.x cluster's REST API:
 *       upload and run a jar, stop with a savepoint, trigger a savepoint, job and checkpoint
 *       details.</li>
 *   <li>{@link io.streamrec.cli.cluster.Endpoints} chooses the Kafka, Redis and Flink addresses of
 *       every command (given, else the running local cluster's, else the defaults), says which,
 *       and fails within seconds when nothing answers there.</li>
 *   <li>{@link io.streamrec.cli.cluster.ClusterCommands} is the command line glue.</li>
 * </ul>
 */
package io.streamrec.cli.cluster;
