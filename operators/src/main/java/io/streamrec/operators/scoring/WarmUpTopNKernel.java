package io.streamrec.operators.scoring;

/**
 * The vector kernel once the JIT has compiled it, the Java kernel until then. Until C2 has compiled
 * {@link VectorTopNKernel}, the Vector API runs its scalar fallback, which allocates per operation
 * and is far slower than the auto-vectorized {@link JavaTopNKernel}: a profile of the whole job on
 * the 2-core machine under load found the vector kernel in that fallback for the first ~40 s, most
 * of the UserWorker thread's scoring time in that stretch (docs/PERFORMANCE.md).
 *
 * <p>So the batches go to the Java kernel, and every {@code probeEvery}-th batch to the vector
 * kernel, which is what gets it compiled (one batch of 64 users over 2,000 items calls its inner
 * block thousands of times). Each call is timed per scored user × item pair; once the vector kernel
 * has been at least as fast as the Java kernel's latest figure in two probes in a row, every batch
 * goes to it from then on (after a win the next probe comes {@value #FIRST_PROBE_EVERY} batches
 * later). While it loses, the probes get rarer (the interval doubles, up to {@value
 * #MAX_PROBE_EVERY}), so a CPU on which it never wins pays little. Results are the
 * kernels' own: the two are exact and tested to agree. Not thread-safe, like every kernel.
 */
public final class WarmUpTopNKernel implements TopNKernel {

    static final int FIRST_PROBE_EVERY = 8;
    static final int MAX_PROBE_EVERY = 128;
    static final int WINS_TO_SETTLE = 2;

    private final TopNKernel vector;
    private final TopNKernel java;
    private final NanoClock clock;
    private long calls;
    private int sinceProbe;
    private int probeEvery = FIRST_PROBE_EVERY;
    private int winsInARow;
    private boolean settled;
    private double javaNanosPerPair = Double.NaN;
    private double vectorNanosPerPair = Double.NaN;

    /** A source of nanoseconds (tests drive it). */
    interface NanoClock {
        long nanoTime();
    }

    public WarmUpTopNKernel(TopNKernel vector, TopNKernel java) {
        this(vector, java, System::nanoTime);
    }

    WarmUpTopNKernel(TopNKernel vector, TopNKernel java, NanoClock clock) {
        this.vector = vector;
        this.java = java;
        this.clock = clock;
    }

    @Override
    public ScoredItems[] topN(ItemMatrix items, float[][] users, float[] userOffsets, int[][] excludedRows, int n) {
        if (settled) {
            return vector.topN(items, users, userOffsets, excludedRows, n);
        }
        calls++;
        boolean probe = ++sinceProbe >= probeEvery;
        if (probe) {
            sinceProbe = 0;
        }
        long pairs = Math.max(1L, (long) users.length * items.size());
        long start = clock.nanoTime();
        ScoredItems[] result = (probe ? vector : java).topN(items, users, userOffsets, excludedRows, n);
        double perPair = (double) (clock.nanoTime() - start) / pairs;
        if (!probe) {
            javaNanosPerPair = perPair;
            return result;
        }
        vectorNanosPerPair = perPair;
        if (!Double.isNaN(javaNanosPerPair) && perPair <= javaNanosPerPair) {
            probeEvery = FIRST_PROBE_EVERY; // confirm soon
            if (++winsInARow >= WINS_TO_SETTLE) {
                settled = true;
                TopNKernels.info(String.format("StreamRec top-N scoring: the vector kernel is compiled and faster (%.2f ns per "
                        + "user x item, the Java kernel %.2f) after %d batches; it scores every batch from now on",
                        perPair, javaNanosPerPair, calls));
            }
        } else {
            winsInARow = 0;
            probeEvery = Math.min(MAX_PROBE_EVERY, probeEvery * 2);
        }
        return result;
    }

    /** True once every batch goes to the vector kernel. */
    public boolean settled() {
        return settled;
    }

    /** The latest figures, for logs and tests: ns per scored user × item pair (NaN before the first). */
    public double vectorNanosPerPair() {
        return vectorNanosPerPair;
    }

    public double javaNanosPerPair() {
        return javaNanosPerPair;
    }

    /** The vector kernel's name: the kernel this one becomes (see {@link #settled} for which scores now). */
    @Override
    public String name() {
        return vector.name();
    }
}
