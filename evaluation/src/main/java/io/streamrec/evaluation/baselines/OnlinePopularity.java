package io.streamrec.evaluation.baselines;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The online most-popular baseline: every interaction adds its weight to the item's count, and
 * counts decay exponentially with event time (half-life; {@code Double.POSITIVE_INFINITY} means no
 * decay, i.e. all-time counts). {@link #topN} ranks by the decayed count, ties by first
 * appearance, skipping excluded items (the items the user already interacted with).
 *
 * <p>Counts are kept on a growing exponential scale relative to a reference time and renormalized
 * before they overflow, so any time span works. Not thread-safe.
 */
public final class OnlinePopularity {

    private static final double RESCALE_ABOVE = 1e150;

    private final double decayPerMilli;
    private final Map<String, Integer> index = new HashMap<>();
    private String[] ids = new String[64];
    private double[] counts = new double[64];
    private int size;
    private long referenceTs = Long.MIN_VALUE;

    public OnlinePopularity(double halfLifeMillis) {
        this.decayPerMilli = Double.isInfinite(halfLifeMillis) ? 0 : Math.log(2) / halfLifeMillis;
    }

    public static OnlinePopularity withHalfLifeDays(double days) {
        return new OnlinePopularity(Double.isInfinite(days) ? Double.POSITIVE_INFINITY : days * 86_400_000.0);
    }

    public void add(String item, long ts, double weight) {
        if (referenceTs == Long.MIN_VALUE) {
            referenceTs = ts;
        }
        double scale = Math.exp(decayPerMilli * (ts - referenceTs));
        if (scale > RESCALE_ABOVE) {
            for (int i = 0; i < size; i++) {
                counts[i] /= scale;
            }
            referenceTs = ts;
            scale = 1;
        }
        Integer row = index.get(item);
        if (row == null) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            row = size++;
            index.put(item, row);
            ids[row] = item;
        }
        counts[row] += weight * scale;
    }

    /** The n items with the highest decayed counts that are not excluded, best first. */
    public String[] topN(int n, Set<String> excluded) {
        int[] best = new int[n];
        int found = 0;
        for (int i = 0; i < size; i++) {
            if (excluded.contains(ids[i])) {
                continue;
            }
            // insertion into a small sorted array: n is 10-ish, items a few thousand
            int pos = found;
            while (pos > 0 && counts[best[pos - 1]] < counts[i]) {
                pos--;
            }
            if (pos >= n) {
                continue;
            }
            int last = Math.min(found, n - 1);
            System.arraycopy(best, pos, best, pos + 1, last - pos);
            best[pos] = i;
            if (found < n) {
                found++;
            }
        }
        String[] out = new String[found];
        for (int i = 0; i < found; i++) {
            out[i] = ids[best[i]];
        }
        return out;
    }

    public int size() {
        return size;
    }
}
