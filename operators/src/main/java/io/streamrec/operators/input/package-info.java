/**
 * Input: the operators {@link io.streamrec.operators.input.InteractionValidator} (parse and validate,
 * dead letters) and {@link io.streamrec.operators.input.Deduplicator} (event-time de-duplication),
 * and the input contract without Flink: the validated {@link io.streamrec.operators.input.Interaction}
 * record, its {@link io.streamrec.operators.input.EventType}s, and {@link
 * io.streamrec.operators.input.InteractionParser}, which turns one raw JSON payload into either an
 * interaction or a {@link io.streamrec.operators.input.RejectReason} with a readable detail, under
 * configurable {@link io.streamrec.operators.input.ValidationRules}. The parser never throws, so no
 * record can fail the job; rejected records go to the dead-letter topic with their reason. The item
 * topic's records (categories, availability) have their own parser and validator, {@link
 * io.streamrec.operators.input.ItemMetadataParser} and {@link
 * io.streamrec.operators.input.ItemMetadataValidator}, with the same reasons plus two of their own.
 */
package io.streamrec.operators.input;
