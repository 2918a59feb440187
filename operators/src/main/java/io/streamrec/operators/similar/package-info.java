/**
 * "Similar items" lists ({@code {prefix}_sim:{item}}): {@link
 * io.streamrec.operators.similar.SimilarItemLists} decides, in the UserWorker subtask that owns an
 * item's key group, when the item's list is due (its vector has moved past a threshold since its
 * last list) and computes it from the replicated item cache with {@link
 * io.streamrec.operators.scoring.ItemNeighbours}.
 */
package io.streamrec.operators.similar;
