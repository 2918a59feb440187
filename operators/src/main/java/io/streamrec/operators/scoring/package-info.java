/**
 * Batched top-N scoring without Flink: the heap item cache ({@link
 * io.streamrec.operators.scoring.ItemMatrix}), the {@link io.streamrec.operators.scoring.TopNKernel}
 * contract and its three implementations (the Vector API kernel, the default; plain Java loops;
 * jblas matrix products), and {@link io.streamrec.operators.scoring.TopNKernels}, which probes once
 * per JVM whether the Vector API and jblas work and falls back to the Java kernel, logged once,
 * where they do not.
 *
 * <p>Kernels score a batch of users against item blocks that fit in cache and keep a bounded heap
 * per user while scanning, so memory stays O(batch × (block + N)) however many items there are.
 * {@link io.streamrec.operators.scoring.BoundedTopNKernel} wraps the configured kernel and, still
 * exactly, scores users with short vectors against a hot set of items only, when a Cauchy–Schwarz
 * bound proves that no other item can enter their list.
 */
package io.streamrec.operators.scoring;
