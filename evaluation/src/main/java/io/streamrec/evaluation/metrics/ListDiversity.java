package io.streamrec.evaluation.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * How personal a set of top-N lists is, next to how accurate: catalogue coverage (distinct items in
 * all users' top N ÷ catalogue size) and the mean Jaccard overlap of two users' top N over random
 * pairs of users. Most-popular lists cover a few percent of a catalogue and overlap heavily; a
 * personalised model should cover far more and overlap far less. Pure Java, no Flink.
 */
public final class ListDiversity {

    /** Random user pairs drawn for the Jaccard mean (as in the quality anchors' protocol). */
    public static final int PAIRS = 3_000;

    private ListDiversity() {}

    /** {@link #coverage} and {@link #meanJaccard} of the lists, as the evaluation reports show them. */
    public static double[] coverageAndJaccard(Map<String, List<String>> lists, int k, int catalogueSize, long seed) {
        return new double[] {coverage(lists, k, catalogueSize), meanJaccard(lists, k, seed)};
    }

    /** Distinct items in the first {@code k} of every list, divided by {@code catalogueSize}. */
    public static double coverage(Map<String, List<String>> lists, int k, int catalogueSize) {
        if (catalogueSize <= 0) {
            throw new IllegalArgumentException("catalogue size must be positive, got " + catalogueSize);
        }
        Set<String> distinct = new HashSet<>();
        for (List<String> list : lists.values()) {
            distinct.addAll(list.subList(0, Math.min(k, list.size())));
        }
        return distinct.size() / (double) catalogueSize;
    }

    /**
     * Mean Jaccard similarity |A ∩ B| / |A ∪ B| of the first {@code k} items of two different users'
     * lists, over {@link #PAIRS} pairs drawn with {@code seed} (every pair when there are fewer).
     * Returns 0 when there are fewer than two lists.
     */
    public static double meanJaccard(Map<String, List<String>> lists, int k, long seed) {
        List<Set<String>> sets = new ArrayList<>(lists.size());
        lists.keySet().stream().sorted().forEach(user -> {
            List<String> list = lists.get(user);
            sets.add(new HashSet<>(list.subList(0, Math.min(k, list.size()))));
        });
        int n = sets.size();
        if (n < 2) {
            return 0;
        }
        long allPairs = (long) n * (n - 1) / 2;
        double sum = 0;
        long pairs = 0;
        if (allPairs <= PAIRS) {
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    sum += jaccard(sets.get(a), sets.get(b));
                    pairs++;
                }
            }
        } else {
            Random random = new Random(seed);
            while (pairs < PAIRS) {
                int a = random.nextInt(n);
                int b = random.nextInt(n);
                if (a != b) {
                    sum += jaccard(sets.get(a), sets.get(b));
                    pairs++;
                }
            }
        }
        return sum / pairs;
    }

    static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 0;
        }
        int common = 0;
        for (String x : a) {
            if (b.contains(x)) {
                common++;
            }
        }
        return common / (double) (a.size() + b.size() - common);
    }
}
