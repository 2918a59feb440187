/**
 * The factor model without Flink: hyperparameters ({@link io.streamrec.operators.model.ModelConfig})
 * and the SGD arithmetic ({@link io.streamrec.operators.model.FactorMath}) used by the keyed
 * operators.
 */
package io.streamrec.operators.model;
