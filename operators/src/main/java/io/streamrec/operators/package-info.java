/**
 * The keyed operators of the StreamRec dataflow: input validation, de-duplication, the user side
 * ({@link io.streamrec.operators.UserWorker}) and the item side
 * ({@link io.streamrec.operators.ItemServer}) of the parameter server, and the popularity ranker.
 * The math they call lives in {@code model} and {@code scoring}, without Flink.
 */
package io.streamrec.operators;
