package io.streamrec.operators.scoring;

/**
 * Pure-Java top-N kernel ({@code recs.kernel JAVA}, measured faster than jblas on batches), and
 * what the vector and jblas kernels fall back to where the Vector API module or jblas' native
 * library is missing.
 *
 * <p>For batches of {@value #MIN_TRANSPOSED_BATCH} users or more, each block of item rows is
 * transposed once into {@code dim} separate scratch rows of {@code block} floats; every user then
 * accumulates its dot products one dimension at a time ({@code dots[j] += u[c] * itemT[c][j]}). That
 * inner loop has the exact shape C2's auto-vectorizer recognises (unit stride, both arrays indexed
 * from 0), so it runs on SIMD lanes; a per-item dot product is a float reduction the JIT must keep
 * sequential, and an offset into one flat transposed array defeats the vectorizer on JDK 17. The
 * transpose is paid once per block and amortised over the batch; smaller batches use a plain dot
 * product with four independent accumulators instead.
 *
 * <p>Not thread-safe (scratch buffers).
 */
public final class JavaTopNKernel extends AbstractTopNKernel {

    static final int DEFAULT_BLOCK_ROWS = 1024;
    static final int MIN_TRANSPOSED_BATCH = 4;

    private final int blockRows;
    private final float[] dots;
    private float[][] transposed = new float[0][];

    public JavaTopNKernel() {
        this(DEFAULT_BLOCK_ROWS);
    }

    /** A kernel scanning {@code blockRows} items at a time (tests use small blocks to hit edges). */
    public JavaTopNKernel(int blockRows) {
        if (blockRows < 1) {
            throw new IllegalArgumentException("blockRows must be positive, got " + blockRows);
        }
        this.blockRows = blockRows;
        this.dots = new float[blockRows];
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    void scan(ItemMatrix items, float[][] users, TopNHeap[] heaps) {
        if (users.length >= MIN_TRANSPOSED_BATCH) {
            scanTransposed(items, users, heaps);
        } else {
            scanDot(items, users, heaps);
        }
    }

    private void scanTransposed(ItemMatrix items, float[][] users, TopNHeap[] heaps) {
        final int dim = items.dim();
        if (transposed.length != dim) {
            transposed = new float[dim][blockRows];
        }
        final float[][] t = transposed;
        final float[] d = dots;
        for (int s = 0, segments = items.usedSegments(); s < segments; s++) {
            final float[] data = items.vectorSegment(s);
            final float[] biases = items.biasSegment(s);
            final int rowCount = items.rowsIn(s);
            final int base = s * items.segmentRows();
            for (int start = 0; start < rowCount; start += blockRows) {
                final int k = Math.min(blockRows, rowCount - start);
                int src = start * dim;
                for (int j = 0; j < k; j++, src += dim) {
                    for (int c = 0; c < dim; c++) {
                        t[c][j] = data[src + c];
                    }
                }
                for (int u = 0; u < users.length; u++) {
                    final float[] user = users[u];
                    axpyFirst(d, t[0], user[0], k);
                    for (int c = 1; c < dim; c++) {
                        axpy(d, t[c], user[c], k);
                    }
                    heaps[u].offer(d, 0, k, base + start, biases, start);
                }
            }
        }
    }

    /** {@code d[j] = w * x[j]}; kept tiny so C2 vectorizes it. */
    private static void axpyFirst(float[] d, float[] x, float w, int k) {
        for (int j = 0; j < k; j++) {
            d[j] = w * x[j];
        }
    }

    /** {@code d[j] += w * x[j]}; kept tiny so C2 vectorizes it. */
    private static void axpy(float[] d, float[] x, float w, int k) {
        for (int j = 0; j < k; j++) {
            d[j] += w * x[j];
        }
    }

    private void scanDot(ItemMatrix items, float[][] users, TopNHeap[] heaps) {
        final int dim = items.dim();
        final float[] d = dots;
        for (int s = 0, segments = items.usedSegments(); s < segments; s++) {
            final float[] data = items.vectorSegment(s);
            final float[] biases = items.biasSegment(s);
            final int rowCount = items.rowsIn(s);
            final int segmentBase = s * items.segmentRows();
            for (int start = 0; start < rowCount; start += blockRows) {
                final int k = Math.min(blockRows, rowCount - start);
                for (int u = 0; u < users.length; u++) {
                    final float[] user = users[u];
                    int offset = start * dim;
                    for (int j = 0; j < k; j++, offset += dim) {
                        d[j] = Dots.dot(data, offset, user, dim);
                    }
                    heaps[u].offer(d, 0, k, segmentBase + start, biases, start);
                }
            }
        }
    }
}
