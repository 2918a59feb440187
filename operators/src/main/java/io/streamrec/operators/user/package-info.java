/**
 * The user side of the parameter server: the {@link io.streamrec.operators.user.UserWorker}
 * operator, its Flink-bound helpers ({@code UserTimers}, {@code ListScoring}, {@code ResyncBuffer},
 * {@code RepublishRouting}, {@code UserWorkerMetrics}), and the Flink-free parts it wires to keyed
 * state, timers and outputs: the SGD step ({@link io.streamrec.operators.user.SgdStep}), negative
 * sampling, the items a user has seen, the replicated item cache with this subtask's not yet
 * confirmed contributions ({@link io.streamrec.operators.user.ItemCache}), and the batch of users
 * waiting to be scored ({@link io.streamrec.operators.user.RefreshBatch}). Each is unit-tested
 * directly.
 */
package io.streamrec.operators.user;
