package io.streamrec.operators.evaluation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Hit counters over sliding processing-time windows, in one-second buckets kept in a ring of
 * {@code horizonSeconds} buckets, plus cumulative totals. A window of s seconds sums the buckets
 * of the last s seconds (the current one included). Memory is constant (three arrays of the
 * horizon's length), so it fits in operator state. Not thread-safe.
 */
public final class RollingHitCounts {

    private static final int FORMAT_VERSION = 1;

    private final int horizon;
    private final long[] second;
    private final long[] evaluated;
    private final long[] hits;
    private final double[] reciprocalRanks;
    private long totalEvaluated;
    private long totalHits;
    private double totalReciprocalRanks;

    public RollingHitCounts(int horizonSeconds) {
        if (horizonSeconds <= 0) {
            throw new IllegalArgumentException("horizon must be positive, got " + horizonSeconds);
        }
        this.horizon = horizonSeconds;
        this.second = new long[horizonSeconds];
        this.evaluated = new long[horizonSeconds];
        this.hits = new long[horizonSeconds];
        this.reciprocalRanks = new double[horizonSeconds];
        java.util.Arrays.fill(second, Long.MIN_VALUE);
    }

    /** Counts one evaluated interaction at processing time {@code nowMs}; rank -1 is a miss. */
    public void add(long nowMs, int rank) {
        long s = Math.floorDiv(nowMs, 1000L);
        int slot = (int) Math.floorMod(s, (long) horizon);
        if (second[slot] != s) {
            second[slot] = s;
            evaluated[slot] = 0;
            hits[slot] = 0;
            reciprocalRanks[slot] = 0;
        }
        double rr = rank >= 0 ? 1.0 / (rank + 1) : 0;
        evaluated[slot]++;
        totalEvaluated++;
        if (rank >= 0) {
            hits[slot]++;
            totalHits++;
        }
        reciprocalRanks[slot] += rr;
        totalReciprocalRanks += rr;
    }

    /** Totals of the last {@code seconds} seconds up to {@code nowMs} (at most the horizon). */
    public Totals window(long nowMs, int seconds) {
        if (seconds > horizon) {
            throw new IllegalArgumentException("window " + seconds + " s exceeds the horizon " + horizon + " s");
        }
        long now = Math.floorDiv(nowMs, 1000L);
        long e = 0, h = 0;
        double rr = 0;
        for (int i = 0; i < horizon; i++) {
            if (second[i] != Long.MIN_VALUE && second[i] <= now && second[i] > now - seconds) {
                e += evaluated[i];
                h += hits[i];
                rr += reciprocalRanks[i];
            }
        }
        return new Totals(e, h, rr);
    }

    public Totals cumulative() {
        return new Totals(totalEvaluated, totalHits, totalReciprocalRanks);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + horizon * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT_VERSION);
            out.writeInt(horizon);
            for (int i = 0; i < horizon; i++) {
                out.writeLong(second[i]);
                out.writeLong(evaluated[i]);
                out.writeLong(hits[i]);
                out.writeDouble(reciprocalRanks[i]);
            }
            out.writeLong(totalEvaluated);
            out.writeLong(totalHits);
            out.writeDouble(totalReciprocalRanks);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores counters written by {@link #toBytes()}; a different horizon keeps the totals only. */
    public static RollingHitCounts fromBytes(byte[] data, int horizonSeconds) {
        RollingHitCounts counts = new RollingHitCounts(horizonSeconds);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("unknown RollingHitCounts format " + version);
            }
            int stored = in.readInt();
            for (int i = 0; i < stored; i++) {
                long s = in.readLong();
                long e = in.readLong();
                long h = in.readLong();
                double rr = in.readDouble();
                if (stored == horizonSeconds) {
                    counts.second[i] = s;
                    counts.evaluated[i] = e;
                    counts.hits[i] = h;
                    counts.reciprocalRanks[i] = rr;
                }
            }
            counts.totalEvaluated = in.readLong();
            counts.totalHits = in.readLong();
            counts.totalReciprocalRanks = in.readDouble();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }

    /** Sums over a window: hit rate and mean reciprocal rank (0 when nothing was evaluated). */
    public record Totals(long evaluated, long hits, double reciprocalRanks) {
        public double hitRate() {
            return evaluated == 0 ? 0 : hits / (double) evaluated;
        }

        public double mrr() {
            return evaluated == 0 ? 0 : reciprocalRanks / evaluated;
        }
    }
}
