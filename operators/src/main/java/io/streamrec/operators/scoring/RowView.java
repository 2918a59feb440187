package io.streamrec.operators.scoring;

/**
 * A snapshot of an {@link ItemMatrix}'s segments for readers that address rows at random (the HNSW
 * index): the segment arrays as they were when the view was taken, so rows added later are not in
 * it and a segment the matrix later replaces while it grows stays readable here. Reads are not
 * synchronised with the matrix's writer: a float read is atomic, so a concurrent reader sees each
 * component before or after an update.
 */
final class RowView {

    private final float[][] vectors;
    private final float[][] biases;
    private final int shift;
    private final int mask;
    private final int dim;

    RowView(float[][] vectors, float[][] biases, int segmentRows, int dim) {
        this.vectors = vectors;
        this.biases = biases;
        this.shift = Integer.numberOfTrailingZeros(segmentRows);
        this.mask = segmentRows - 1;
        this.dim = dim;
    }

    /** The row's vector times {@code p} ({@link Dots#fast}). */
    float dot(int row, float[] p) {
        return Dots.fast(vectors[row >>> shift], (row & mask) * dim, p, 0, dim);
    }

    /** The dot product of two rows' vectors ({@link Dots#fast}). */
    float dot(int a, int b) {
        return Dots.fast(vectors[a >>> shift], (a & mask) * dim, vectors[b >>> shift], (b & mask) * dim, dim);
    }

    float bias(int row) {
        return biases[row >>> shift][row & mask];
    }
}
