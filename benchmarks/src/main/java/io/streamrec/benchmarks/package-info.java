/** JMH benchmarks of StreamRec's hot paths; see {@code benchmarks/pom.xml} for how to run them. */
package io.streamrec.benchmarks;
