/**
 * {@code bin/streamrec chaos}: a chaos soak of the job on a real multi-process local cluster.
 *
 * <ul>
 *   <li>{@link io.streamrec.cli.chaos.ChaosCommand} runs it: environment, input, faults, checks, report.</li>
 *   <li>{@link io.streamrec.cli.chaos.ChaosEnvironment} owns what the faults act on: a Kafka broker in its own
 *       JVM ({@link io.streamrec.cli.chaos.KafkaBrokerProcess}), a Redis with an append-only file, the Flink
 *       cluster and the job.</li>
 *   <li>The faults, one class each ({@link io.streamrec.cli.chaos.Fault}): TaskManager SIGKILL, Kafka broker
 *       stop/start, Redis stop/start, Redis data loss followed by a republish, the checkpoint directory
 *       unwritable for a while; {@link io.streamrec.cli.chaos.FaultSchedule} draws when from the seed.</li>
 *   <li>{@link io.streamrec.cli.chaos.KnownStream} sends the input and counts what Kafka acknowledged;
 *       {@link io.streamrec.cli.chaos.MonotonicWatcher} watches Redis for anything moving backwards;
 *       {@link io.streamrec.cli.chaos.RecoveryProbe} says when the job has recovered;
 *       {@link io.streamrec.cli.chaos.InvariantChecker} checks at the end;
 *       {@link io.streamrec.cli.chaos.ChaosReport} is the table.</li>
 * </ul>
 */
package io.streamrec.cli.chaos;
