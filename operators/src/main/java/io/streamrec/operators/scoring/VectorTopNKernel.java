package io.streamrec.operators.scoring;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Top-N kernel on the JDK's incubating Vector API ({@code jdk.incubator.vector}): users are the SIMD
 * lanes, items are broadcast, and the top-N threshold test is fused into the scan.
 *
 * <p>The batch is packed once per call into a panel where the {@code L} users of a lane group sit
 * side by side for each component ({@code panel[(g * dim + c) * L + lane]}, {@code L} = lanes of
 * the preferred species, 16 floats with AVX-512). The item matrix is read in place, row-major: for
 * each component {@code c} the kernel broadcasts {@code item[r][c]} of a few rows and multiplies it
 * into the lane groups with fused multiply-adds. The innermost block holds 4 lane groups × 4 items
 * = 16 accumulators in registers, so every loaded vector feeds four FMAs and no transposed copy of
 * the items is needed. Items are scanned segment by segment ({@link ItemMatrix#vectorSegment}) in
 * blocks of {@value #ITEM_BLOCK_ROWS} rows (256 KiB at d = 64), each block reused from L2 by every
 * lane group of the batch.
 *
 * <p>Selection is fused: the 16 scores of a lane group are compared, as one vector, against the
 * users' current heap thresholds ({@link TopNHeap#threshold()}), and only lanes that pass go to
 * the scalar heap, where seen-item exclusion is checked. After the first few hundred rows almost no
 * score passes, so selection and exclusion cost next to nothing. Scores are {@code (dot + itemBias)
 * + userOffset} like the other kernels; the dot products use FMA in a different summation order,
 * so a score may differ from the Java kernel's in the last bits.
 *
 * <p>A batch of one user would fill one lane of sixteen; it takes a dot-product path instead (lanes
 * along the components, a lane reduction per item, the same fused threshold test).
 *
 * <p>Until C2 has compiled the kernel (the first few seconds of a TaskManager's scoring) the Vector
 * API runs as slow Java code; that is a warm-up cost, not the steady state JMH measures.
 *
 * <p>Loading this class needs the JVM option {@code --add-modules jdk.incubator.vector}; use
 * {@link ScoringKernel#VECTOR} or {@link TopNKernels#vector()}, which check that first and fall back
 * to {@link JavaTopNKernel}. Not thread-safe (scratch buffers).
 *
 * <p>Long (over 400 lines) because the register blocking is written out: four block shapes (4 × 4,
 * 4 × 1, 1 × 4, 1 × 1 lane groups × items), each with its accumulators named, since the Vector API
 * keeps a vector in a register only while no array or loop of vectors holds it.
 */
public final class VectorTopNKernel extends AbstractTopNKernel {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();

    static final int ITEM_BLOCK_ROWS = 1024;
    /**
     * Batches below this use {@link #scanDot}. Measured at M = 100k, d = 64 (AVX-512): one user
     * scores about 2.3x faster by dot products than in a lane group of 15 padding lanes; at 2 users
     * the two paths are even, from 3 on the lanes win.
     */
    static final int MIN_LANE_BATCH = 2;

    private final int blockRows;
    private float[] panel = new float[0];
    private float[] offsets = new float[0];
    private float[] thresholds = new float[0];
    private final float[] lanes = new float[L];
    /**
     * A block's dot products, stored before they are selected: a vector passed to a method C2 does
     * not inline (the select, once compiled on its own, is too large to inline) is boxed, which
     * allocated 1.6 MB per batch of 128 users against 2,048 rows; a store and a load are not.
     */
    private final float[] dots = new float[16 * L];
    /** Global row of local row 0 of the segment being scanned (the heaps take global rows). */
    private int segmentBase;

    public VectorTopNKernel() {
        this(ITEM_BLOCK_ROWS);
    }

    /** A kernel scanning {@code blockRows} items per block (tests use odd sizes to hit the edges). */
    public VectorTopNKernel(int blockRows) {
        if (blockRows < 1) {
            throw new IllegalArgumentException("blockRows must be positive, got " + blockRows);
        }
        this.blockRows = blockRows;
    }

    /** Float lanes of the species this kernel runs on (16 with AVX-512, 8 with AVX2). */
    public static int lanes() {
        return L;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    void scan(ItemMatrix items, float[][] users, TopNHeap[] heaps) {
        if (users.length < MIN_LANE_BATCH) {
            scanDot(items, users, heaps);
        } else {
            scanLanes(items, users, heaps);
        }
    }

    /**
     * Few users: lanes along the vector components instead, one dot product per (user, item) with a
     * lane reduction at the end, 4 items at a time. Users-as-lanes would leave most lanes idle.
     */
    private void scanDot(ItemMatrix items, float[][] users, TopNHeap[] heaps) {
        final int dim = items.dim();
        final int vecDim = SPECIES.loopBound(dim);
        for (int u = 0; u < users.length; u++) {
            final float[] user = users[u];
            final TopNHeap heap = heaps[u];
            final float offset = heap.userOffset();
            float threshold = heap.threshold();
            for (int s = 0, segments = items.usedSegments(); s < segments; s++) {
                final float[] data = items.vectorSegment(s);
                final float[] biases = items.biasSegment(s);
                final int rowCount = items.rowsIn(s);
                final int base = s * items.segmentRows();
                int r = 0;
                for (; r + 4 <= rowCount; r += 4) {
                    final int q0 = r * dim;
                    final int q1 = q0 + dim;
                    final int q2 = q1 + dim;
                    final int q3 = q2 + dim;
                    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
                    for (int c = 0; c < vecDim; c += L) {
                        FloatVector x = FloatVector.fromArray(SPECIES, user, c);
                        a0 = x.fma(FloatVector.fromArray(SPECIES, data, q0 + c), a0);
                        a1 = x.fma(FloatVector.fromArray(SPECIES, data, q1 + c), a1);
                        a2 = x.fma(FloatVector.fromArray(SPECIES, data, q2 + c), a2);
                        a3 = x.fma(FloatVector.fromArray(SPECIES, data, q3 + c), a3);
                    }
                    float d0 = a0.reduceLanes(VectorOperators.ADD);
                    float d1 = a1.reduceLanes(VectorOperators.ADD);
                    float d2 = a2.reduceLanes(VectorOperators.ADD);
                    float d3 = a3.reduceLanes(VectorOperators.ADD);
                    for (int c = vecDim; c < dim; c++) {
                        d0 += user[c] * data[q0 + c];
                        d1 += user[c] * data[q1 + c];
                        d2 += user[c] * data[q2 + c];
                        d3 += user[c] * data[q3 + c];
                    }
                    threshold = offerIfReaches(heap, threshold, base + r, d0 + biases[r] + offset);
                    threshold = offerIfReaches(heap, threshold, base + r + 1, d1 + biases[r + 1] + offset);
                    threshold = offerIfReaches(heap, threshold, base + r + 2, d2 + biases[r + 2] + offset);
                    threshold = offerIfReaches(heap, threshold, base + r + 3, d3 + biases[r + 3] + offset);
                }
                for (; r < rowCount; r++) {
                    final int q0 = r * dim;
                    FloatVector a0 = FloatVector.zero(SPECIES);
                    for (int c = 0; c < vecDim; c += L) {
                        a0 = FloatVector.fromArray(SPECIES, user, c).fma(FloatVector.fromArray(SPECIES, data, q0 + c), a0);
                    }
                    float d0 = a0.reduceLanes(VectorOperators.ADD);
                    for (int c = vecDim; c < dim; c++) {
                        d0 += user[c] * data[q0 + c];
                    }
                    threshold = offerIfReaches(heap, threshold, base + r, d0 + biases[r] + offset);
                }
            }
        }
    }

    private static float offerIfReaches(TopNHeap heap, float threshold, int row, float score) {
        if (score >= threshold) {
            heap.offerScore(row, score);
            return heap.threshold();
        }
        return threshold;
    }

    /** The main path: users as lanes, see the class comment. */
    private void scanLanes(ItemMatrix items, float[][] users, TopNHeap[] heaps) {
        final int dim = items.dim();
        final int batch = users.length;
        final int groups = (batch + L - 1) / L;
        pack(users, heaps, dim, groups);
        for (int s = 0, segments = items.usedSegments(); s < segments; s++) {
            scanSegment(items.vectorSegment(s), items.biasSegment(s), items.rowsIn(s), s * items.segmentRows(),
                    dim, groups, heaps);
        }
    }

    /** One segment's rows (local rows {@code 0 .. rowCount - 1}, global rows from {@code base}). */
    private void scanSegment(float[] data, float[] biases, int rowCount, int base, int dim, int groups, TopNHeap[] heaps) {
        segmentBase = base;
        for (int start = 0; start < rowCount; start += blockRows) {
            final int end = Math.min(rowCount, start + blockRows);
            int g = 0;
            for (; g + 4 <= groups; g += 4) {
                int r = start;
                for (; r + 4 <= end; r += 4) {
                    block4x4(data, biases, dim, g, r, heaps);
                }
                for (; r < end; r++) {
                    block4x1(data, biases, dim, g, r, heaps);
                }
            }
            for (; g < groups; g++) {
                int r = start;
                for (; r + 4 <= end; r += 4) {
                    block1x4(data, biases, dim, g, r, heaps);
                }
                for (; r < end; r++) {
                    block1x1(data, biases, dim, g, r, heaps);
                }
            }
        }
    }

    /** Packs the batch into lane groups; padding lanes get a zero vector and a NaN threshold (never passes). */
    private void pack(float[][] users, TopNHeap[] heaps, int dim, int groups) {
        int padded = groups * L;
        if (panel.length < padded * dim) {
            panel = new float[padded * dim];
        }
        if (offsets.length < padded) {
            offsets = new float[padded];
            thresholds = new float[padded];
        }
        for (int u = 0; u < padded; u++) {
            int base = (u / L) * dim * L + (u % L);
            if (u < users.length) {
                float[] user = users[u];
                for (int c = 0; c < dim; c++) {
                    panel[base + c * L] = user[c];
                }
                offsets[u] = heaps[u].userOffset();
                thresholds[u] = heaps[u].threshold();
            } else {
                for (int c = 0; c < dim; c++) {
                    panel[base + c * L] = 0f;
                }
                offsets[u] = 0f;
                thresholds[u] = Float.NaN;
            }
        }
    }

    /** 4 lane groups × 4 items: 16 accumulators, 4 vector loads and 4 broadcasts per 16 FMAs. */
    private void block4x4(float[] data, float[] biases, int dim, int g, int r, TopNHeap[] heaps) {
        final float[] p = panel;
        final int stride = dim * L;
        final int p0 = g * stride;
        final int p1 = p0 + stride;
        final int p2 = p1 + stride;
        final int p3 = p2 + stride;
        final int q0 = r * dim;
        final int q1 = q0 + dim;
        final int q2 = q1 + dim;
        final int q3 = q2 + dim;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int c = 0; c < dim; c++) {
            final int off = c * L;
            FloatVector u0 = FloatVector.fromArray(SPECIES, p, p0 + off);
            FloatVector u1 = FloatVector.fromArray(SPECIES, p, p1 + off);
            FloatVector u2 = FloatVector.fromArray(SPECIES, p, p2 + off);
            FloatVector u3 = FloatVector.fromArray(SPECIES, p, p3 + off);
            FloatVector i0 = FloatVector.broadcast(SPECIES, data[q0 + c]);
            a00 = u0.fma(i0, a00);
            a10 = u1.fma(i0, a10);
            a20 = u2.fma(i0, a20);
            a30 = u3.fma(i0, a30);
            FloatVector i1 = FloatVector.broadcast(SPECIES, data[q1 + c]);
            a01 = u0.fma(i1, a01);
            a11 = u1.fma(i1, a11);
            a21 = u2.fma(i1, a21);
            a31 = u3.fma(i1, a31);
            FloatVector i2 = FloatVector.broadcast(SPECIES, data[q2 + c]);
            a02 = u0.fma(i2, a02);
            a12 = u1.fma(i2, a12);
            a22 = u2.fma(i2, a22);
            a32 = u3.fma(i2, a32);
            FloatVector i3 = FloatVector.broadcast(SPECIES, data[q3 + c]);
            a03 = u0.fma(i3, a03);
            a13 = u1.fma(i3, a13);
            a23 = u2.fma(i3, a23);
            a33 = u3.fma(i3, a33);
        }
        a00.intoArray(dots, 0 * L);
        a10.intoArray(dots, 1 * L);
        a20.intoArray(dots, 2 * L);
        a30.intoArray(dots, 3 * L);
        a01.intoArray(dots, 4 * L);
        a11.intoArray(dots, 5 * L);
        a21.intoArray(dots, 6 * L);
        a31.intoArray(dots, 7 * L);
        a02.intoArray(dots, 8 * L);
        a12.intoArray(dots, 9 * L);
        a22.intoArray(dots, 10 * L);
        a32.intoArray(dots, 11 * L);
        a03.intoArray(dots, 12 * L);
        a13.intoArray(dots, 13 * L);
        a23.intoArray(dots, 14 * L);
        a33.intoArray(dots, 15 * L);
        // rows in increasing order, as the heaps require: slot k holds lane group g + k % 4, row r + k / 4
        for (int k = 0; k < 16; k++) {
            select(k, g + (k & 3), r + (k >> 2), biases, heaps);
        }
    }

    /** 4 lane groups × 1 item, for the rows left over at the end of a block. */
    private void block4x1(float[] data, float[] biases, int dim, int g, int r, TopNHeap[] heaps) {
        final float[] p = panel;
        final int stride = dim * L;
        final int p0 = g * stride;
        final int q0 = r * dim;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < dim; c++) {
            final int off = p0 + c * L;
            FloatVector i0 = FloatVector.broadcast(SPECIES, data[q0 + c]);
            a0 = FloatVector.fromArray(SPECIES, p, off).fma(i0, a0);
            a1 = FloatVector.fromArray(SPECIES, p, off + stride).fma(i0, a1);
            a2 = FloatVector.fromArray(SPECIES, p, off + 2 * stride).fma(i0, a2);
            a3 = FloatVector.fromArray(SPECIES, p, off + 3 * stride).fma(i0, a3);
        }
        a0.intoArray(dots, 0);
        a1.intoArray(dots, L);
        a2.intoArray(dots, 2 * L);
        a3.intoArray(dots, 3 * L);
        for (int k = 0; k < 4; k++) {
            select(k, g + k, r, biases, heaps);
        }
    }

    /** 1 lane group × 4 items, for batches (or their remainder) under 4 lane groups. */
    private void block1x4(float[] data, float[] biases, int dim, int g, int r, TopNHeap[] heaps) {
        final float[] p = panel;
        final int p0 = g * dim * L;
        final int q0 = r * dim;
        final int q1 = q0 + dim;
        final int q2 = q1 + dim;
        final int q3 = q2 + dim;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < dim; c++) {
            FloatVector u0 = FloatVector.fromArray(SPECIES, p, p0 + c * L);
            a0 = u0.fma(FloatVector.broadcast(SPECIES, data[q0 + c]), a0);
            a1 = u0.fma(FloatVector.broadcast(SPECIES, data[q1 + c]), a1);
            a2 = u0.fma(FloatVector.broadcast(SPECIES, data[q2 + c]), a2);
            a3 = u0.fma(FloatVector.broadcast(SPECIES, data[q3 + c]), a3);
        }
        a0.intoArray(dots, 0);
        a1.intoArray(dots, L);
        a2.intoArray(dots, 2 * L);
        a3.intoArray(dots, 3 * L);
        for (int k = 0; k < 4; k++) {
            select(k, g, r + k, biases, heaps);
        }
    }

    /** 1 lane group × 1 item. */
    private void block1x1(float[] data, float[] biases, int dim, int g, int r, TopNHeap[] heaps) {
        final float[] p = panel;
        final int p0 = g * dim * L;
        final int q0 = r * dim;
        FloatVector a0 = FloatVector.zero(SPECIES);
        for (int c = 0; c < dim; c++) {
            a0 = FloatVector.fromArray(SPECIES, p, p0 + c * L)
                    .fma(FloatVector.broadcast(SPECIES, data[q0 + c]), a0);
        }
        a0.intoArray(dots, 0);
        select(0, g, r, biases, heaps);
    }

    /**
     * Adds the item bias and the users' offsets to the dot products (stored at {@code slot} of
     * {@link #dots}) of lane group {@code g} with
     * local row {@code r} of the segment, and offers to the heaps only the lanes whose score reaches the user's threshold.
     */
    private void select(int slot, int g, int r, float[] biases, TopNHeap[] heaps) {
        final int lane0 = g * L;
        FloatVector s = FloatVector.fromArray(SPECIES, dots, slot * L).add(biases[r]).add(FloatVector.fromArray(SPECIES, offsets, lane0));
        VectorMask<Float> pass = s.compare(VectorOperators.GE, FloatVector.fromArray(SPECIES, thresholds, lane0));
        if (pass.anyTrue()) {
            // stored here, where the vector is in a register: passed to a method that is not
            // inlined it would be boxed (1.6 MB per batch of 128 against a hot set of 2,048 rows,
            // where most selects pass while the heaps fill)
            s.intoArray(lanes, 0);
            offerLanes(lane0, r, heaps);
        }
    }

    /**
     * The rare path: scalar heap offers (with seen-item exclusion) for the lanes that passed (their
     * scores in {@code lanes}), found
     * by comparing again lane by lane: on JDK 17 {@code VectorMask.toLong()} is not an intrinsic and
     * cost as much as the whole vector loop in a profile of the job (JFR, 100k items). NaN scores
     * and the NaN thresholds of padding lanes never pass, as in the vector comparison.
     */
    private void offerLanes(int lane0, int r, TopNHeap[] heaps) {
        for (int lane = 0; lane < L; lane++) {
            int u = lane0 + lane;
            if (lanes[lane] >= thresholds[u]) {
                TopNHeap heap = heaps[u];
                heap.offerScore(segmentBase + r, lanes[lane]);
                thresholds[u] = heap.threshold();
            }
        }
    }
}
