/**
 * Offline access to the model inside savepoints, through Flink's State Processor API.
 *
 * <p>{@link io.streamrec.modelexport.ModelExport} reads the UserWorker's and the ItemServer's keyed
 * state out of a savepoint into plain CSV files plus a {@code metadata.json};
 * {@link io.streamrec.modelexport.ModelBootstrap} writes a new savepoint from such files (for example
 * the factors of an offline ALS) that the job starts from. {@link io.streamrec.modelexport.FactorCsv}
 * is the file format (lossless floats, no Flink imports); {@link io.streamrec.modelexport.FactorRow}
 * is one row of it.
 */
package io.streamrec.modelexport;
