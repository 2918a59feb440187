/**
 * The item side of the parameter server: {@link io.streamrec.operators.item.ItemServer}, keyed by
 * item, owns every item's vector, bias and counters in keyed state, applies the gradients the user
 * side sends through the exactly-once gradient topic (fenced by run), and broadcasts the new
 * vectors; {@link io.streamrec.operators.item.PopularityRanker} keeps the popular list.
 */
package io.streamrec.operators.item;
