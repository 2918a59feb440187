/**
 * Batched top-N scoring without Flink: the heap item cache ({@link
 * io.streamrec.operators.scoring.ItemMatrix}), the {@link io.streamrec.operators.scoring.TopNKernel}
 * contract and its two implementations (jblas matrix products, plain Java loops), and {@link
 * io.streamrec.operators.scoring.TopNKernels#best()} which picks the fastest one that works on this
 * machine.
 *
 * <p>Kernels score a batch of users against item blocks that fit in cache and keep a bounded heap
 * per user while scanning, so memory stays O(batch × (block + N)) however many items there are.
 */
package io.streamrec.operators.scoring;
