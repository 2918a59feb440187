package io.streamrec.evaluation.metrics;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Top-k ranking metrics with binary relevance, defined as in the Microsoft Recommenders
 * evaluation ({@code python_evaluation}): for one user with recommended list {@code recs} (best
 * first) and relevant set {@code rel},
 * <ul>
 *   <li>precision@k = hits in the first k / k;</li>
 *   <li>recall@k = hits in the first k / |rel|;</li>
 *   <li>nDCG@k = Σ_{hit at 1-based rank r ≤ k} 1/log2(r+1), divided by the ideal
 *       Σ_{r=1..min(|rel|,k)} 1/log2(r+1);</li>
 *   <li>AP = Σ_{hit at rank r ≤ k} (hits up to r / r) / |rel| (the "map" of Recommenders, divided
 *       by the number of relevant items, not by min(|rel|, k)).</li>
 * </ul>
 * {@link #evaluate} averages them over the users present both in the relevant sets and in the
 * recommendations (users with no hit count as zeros). Stateless and thread-safe.
 */
public final class RankingMetrics {

    private RankingMetrics() {}

    public static double precisionAtK(List<String> recs, Set<String> relevant, int k) {
        return hits(recs, relevant, k) / (double) k;
    }

    public static double recallAtK(List<String> recs, Set<String> relevant, int k) {
        return relevant.isEmpty() ? 0 : hits(recs, relevant, k) / (double) relevant.size();
    }

    public static double ndcgAtK(List<String> recs, Set<String> relevant, int k) {
        if (relevant.isEmpty()) {
            return 0;
        }
        double dcg = 0;
        int n = Math.min(k, recs.size());
        for (int i = 0; i < n; i++) {
            if (relevant.contains(recs.get(i))) {
                dcg += discount(i);
            }
        }
        double ideal = 0;
        for (int i = 0; i < Math.min(k, relevant.size()); i++) {
            ideal += discount(i);
        }
        return dcg / ideal;
    }

    public static double averagePrecisionAtK(List<String> recs, Set<String> relevant, int k) {
        if (relevant.isEmpty()) {
            return 0;
        }
        double sum = 0;
        int hits = 0;
        int n = Math.min(k, recs.size());
        for (int i = 0; i < n; i++) {
            if (relevant.contains(recs.get(i))) {
                hits++;
                sum += hits / (double) (i + 1);
            }
        }
        return sum / relevant.size();
    }

    /** 1/log2(rank + 1) for a 1-based rank, i.e. 1/log2(index + 2) for a 0-based index. */
    public static double discount(int index) {
        return 1.0 / (Math.log(index + 2) / Math.log(2));
    }

    private static int hits(List<String> recs, Set<String> relevant, int k) {
        int hits = 0;
        int n = Math.min(k, recs.size());
        for (int i = 0; i < n; i++) {
            if (relevant.contains(recs.get(i))) {
                hits++;
            }
        }
        return hits;
    }

    /** Mean metrics over users in both maps. */
    public static Result evaluate(Map<String, List<String>> recommendations, Map<String, ? extends Set<String>> relevant, int k) {
        double p = 0, r = 0, n = 0, ap = 0;
        int users = 0;
        for (Map.Entry<String, ? extends Set<String>> e : relevant.entrySet()) {
            List<String> recs = recommendations.get(e.getKey());
            if (recs == null || e.getValue().isEmpty()) {
                continue;
            }
            users++;
            p += precisionAtK(recs, e.getValue(), k);
            r += recallAtK(recs, e.getValue(), k);
            n += ndcgAtK(recs, e.getValue(), k);
            ap += averagePrecisionAtK(recs, e.getValue(), k);
        }
        if (users == 0) {
            return new Result(0, 0, 0, 0, 0);
        }
        return new Result(p / users, r / users, n / users, ap / users, users);
    }

    /** Mean precision@k, recall@k, nDCG@k and MAP over {@code users} users. */
    public record Result(double precision, double recall, double ndcg, double map, int users) {
        public static double mean(Collection<Double> values) {
            return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }
}
