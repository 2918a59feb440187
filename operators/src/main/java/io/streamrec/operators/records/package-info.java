/**
 * Records that flow between the operators (Flink POJOs) and the binary format of the gradient
 * topic ({@link io.streamrec.operators.records.ItemDeltaSerde}).
 */
package io.streamrec.operators.records;
