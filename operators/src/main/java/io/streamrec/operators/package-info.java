/**
 * The operators of the StreamRec dataflow, grouped by role: {@code input} (validation,
 * de-duplication and the input contract), {@code user} (the user side of the parameter server and
 * the scorer, {@link io.streamrec.operators.user.UserWorker}), {@code item} (the item side,
 * {@link io.streamrec.operators.item.ItemServer}, and the popularity ranker), {@code evaluation}
 * (live quality). The math they call lives in {@code model} and {@code scoring}, the records and
 * state types in {@code records} and {@code state}, all without Flink.
 */
package io.streamrec.operators;
