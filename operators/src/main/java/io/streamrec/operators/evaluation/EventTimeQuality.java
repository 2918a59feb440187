package io.streamrec.operators.evaluation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test-then-learn sums per bucket of <em>event</em> time (10 s by default), for comparing two jobs
 * that read the same stream: a bucket holds the same events in both, whatever each job's
 * processing speed, so their buckets can be aligned and compared (see {@code bin/streamrec
 * compare}). Per bucket: the evaluated interactions {@code n}, the hits within the first 10 items
 * {@code hits10}, and the sums of the reciprocal rank within the first 10 ({@code rr}, 0 for a
 * miss) and of its square ({@code rr2}), which give MRR@10 and its variance.
 *
 * <p>Keeps the newest {@code maxBuckets} buckets; an interaction older than the oldest kept bucket
 * of a full set is not counted ({@link #dropped()}). Memory is bounded by {@code maxBuckets}, so it
 * fits in operator state. Flink-free and not thread-safe.
 */
public final class EventTimeQuality {

    private static final int FORMAT_VERSION = 1;
    /** The cut-off of the compared figures: HR@10 and MRR@10, comparable across list lengths. */
    public static final int K = 10;

    private final long bucketMillis;
    private final int maxBuckets;
    private final TreeMap<Long, double[]> buckets = new TreeMap<>();
    private long dropped;

    public EventTimeQuality(long bucketMillis, int maxBuckets) {
        if (bucketMillis <= 0 || maxBuckets <= 0) {
            throw new IllegalArgumentException("bucket length and count must be positive, got " + bucketMillis + " ms, " + maxBuckets);
        }
        this.bucketMillis = bucketMillis;
        this.maxBuckets = maxBuckets;
    }

    /** Counts one evaluated interaction of event time {@code eventTs}; {@code rank} is 0-based, -1 a miss. */
    public void add(long eventTs, int rank) {
        long start = Math.floorDiv(eventTs, bucketMillis) * bucketMillis;
        double[] sums = buckets.get(start);
        if (sums == null) {
            if (buckets.size() >= maxBuckets && start < buckets.firstKey()) {
                dropped++;
                return;
            }
            sums = new double[4];
            buckets.put(start, sums);
            while (buckets.size() > maxBuckets) {
                Map.Entry<Long, double[]> oldest = buckets.pollFirstEntry();
                dropped += (long) oldest.getValue()[0];
            }
        }
        double rr = rank >= 0 && rank < K ? 1.0 / (rank + 1) : 0;
        sums[0]++;
        if (rank >= 0 && rank < K) {
            sums[1]++;
        }
        sums[2] += rr;
        sums[3] += rr * rr;
    }

    /** Interactions not (or no longer) counted in a kept bucket. */
    public long dropped() {
        return dropped;
    }

    /** The kept buckets, oldest first. */
    public List<Bucket> buckets() {
        List<Bucket> out = new ArrayList<>(buckets.size());
        buckets.forEach((start, s) -> out.add(new Bucket(start, (long) s[0], (long) s[1], s[2], s[3])));
        return out;
    }

    /**
     * The buckets as Redis sorted-set members and scores: {@code {startMs}:n}, {@code {startMs}:hits10},
     * {@code {startMs}:rr}, {@code {startMs}:rr2} (the layout {@link Bucket#parse} reads back).
     */
    public void appendMembers(List<String> names, List<Double> values) {
        for (Bucket b : buckets()) {
            names.add(b.start + ":n");
            values.add((double) b.n);
            names.add(b.start + ":hits10");
            values.add((double) b.hits10);
            names.add(b.start + ":rr");
            values.add(b.rr);
            names.add(b.start + ":rr2");
            values.add(b.rr2);
        }
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + buckets.size() * 40);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT_VERSION);
            out.writeLong(dropped);
            out.writeInt(buckets.size());
            for (Map.Entry<Long, double[]> e : buckets.entrySet()) {
                out.writeLong(e.getKey());
                for (double v : e.getValue()) {
                    out.writeDouble(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores sums written by {@link #toBytes()} (with any bucket length: the stored starts are kept). */
    public static EventTimeQuality fromBytes(byte[] data, long bucketMillis, int maxBuckets) {
        EventTimeQuality q = new EventTimeQuality(bucketMillis, maxBuckets);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("unknown EventTimeQuality format " + version);
            }
            q.dropped = in.readLong();
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                long start = in.readLong();
                double[] sums = new double[4];
                for (int j = 0; j < sums.length; j++) {
                    sums[j] = in.readDouble();
                }
                q.buckets.put(start, sums);
            }
            while (q.buckets.size() > maxBuckets) {
                q.dropped += (long) q.buckets.pollFirstEntry().getValue()[0];
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return q;
    }

    /** The sums of one bucket of event time starting at {@code start} (epoch ms). */
    public record Bucket(long start, long n, long hits10, double rr, double rr2) {

        /** Adds {@code other}'s sums (same or another bucket: for wider windows). */
        public Bucket plus(Bucket other) {
            return new Bucket(Math.min(start, other.start), n + other.n, hits10 + other.hits10, rr + other.rr, rr2 + other.rr2);
        }

        /**
         * Reads buckets back from sorted-set members and scores in the layout of
         * {@link EventTimeQuality#appendMembers}; members of another form are ignored.
         */
        public static List<Bucket> parse(Map<String, Double> members) {
            TreeMap<Long, double[]> sums = new TreeMap<>();
            members.forEach((member, score) -> {
                int colon = member.indexOf(':');
                if (colon <= 0) {
                    return;
                }
                long start;
                try {
                    start = Long.parseLong(member.substring(0, colon));
                } catch (NumberFormatException notABucket) {
                    return;
                }
                int field = switch (member.substring(colon + 1)) {
                    case "n" -> 0;
                    case "hits10" -> 1;
                    case "rr" -> 2;
                    case "rr2" -> 3;
                    default -> -1;
                };
                if (field >= 0) {
                    sums.computeIfAbsent(start, s -> new double[4])[field] = score;
                }
            });
            List<Bucket> out = new ArrayList<>();
            sums.forEach((start, s) -> out.add(new Bucket(start, Math.round(s[0]), Math.round(s[1]), s[2], s[3])));
            return out;
        }
    }
}
