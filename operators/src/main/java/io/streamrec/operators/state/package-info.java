/** Keyed state records of the UserWorker and the ItemServer (Flink POJOs, stored in RocksDB). */
package io.streamrec.operators.state;
