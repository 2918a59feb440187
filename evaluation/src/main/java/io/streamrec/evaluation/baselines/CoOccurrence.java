package io.streamrec.evaluation.baselines;

import io.streamrec.testkit.Interaction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Similar-item lists computed from the training part alone, to compare the model's
 * {@code {prefix}_sim:{item}} lists with: item–item co-occurrence (how many users interacted with
 * both; as a raw count, and normalized to the cosine of the two items' user sets, the classic
 * item-kNN) and the most popular items. Ties go to the more popular item, then the smaller id, so a
 * run is repeatable. Memory: a dense items × items count matrix (ml-100k: 1,682² ints, 11 MB).
 */
public final class CoOccurrence {

    private final List<String> items;
    private final int[][] counts;
    private final int[] users;

    private CoOccurrence(List<String> items, int[][] counts, int[] users) {
        this.items = items;
        this.counts = counts;
        this.users = users;
    }

    /** Counts, per pair of items, the users who interacted with both in {@code train}. */
    public static CoOccurrence of(List<Interaction> train) {
        Map<String, Integer> index = new LinkedHashMap<>();
        Map<String, Set<Integer>> byUser = new LinkedHashMap<>();
        for (Interaction e : train) {
            int i = index.computeIfAbsent(e.item(), k -> index.size());
            byUser.computeIfAbsent(e.user(), u -> new LinkedHashSet<>()).add(i);
        }
        int n = index.size();
        int[][] counts = new int[n][n];
        int[] users = new int[n];
        for (Set<Integer> set : byUser.values()) {
            int[] rows = set.stream().mapToInt(Integer::intValue).toArray();
            for (int a : rows) {
                users[a]++;
                for (int b : rows) {
                    if (a != b) {
                        counts[a][b]++;
                    }
                }
            }
        }
        return new CoOccurrence(new ArrayList<>(index.keySet()), counts, users);
    }

    /** Each item's {@code n} items most often with it: by count, or by count / √(users of one × users of the other). */
    public Map<String, List<String>> lists(int n, boolean cosine) {
        Map<String, List<String>> out = new HashMap<>();
        for (int a = 0; a < items.size(); a++) {
            double[] score = new double[items.size()];
            for (int b = 0; b < items.size(); b++) {
                score[b] = cosine ? counts[a][b] / Math.sqrt((double) users[a] * users[b]) : counts[a][b];
            }
            out.put(items.get(a), top(score, a, n, true));
        }
        return out;
    }

    /** Each item's list of the {@code n} most popular other items (by users in the training part). */
    public Map<String, List<String>> popular(int n) {
        double[] score = new double[items.size()];
        for (int b = 0; b < items.size(); b++) {
            score[b] = users[b];
        }
        Map<String, List<String>> out = new HashMap<>();
        for (int a = 0; a < items.size(); a++) {
            out.put(items.get(a), top(score, a, n, false));
        }
        return out;
    }

    private List<String> top(double[] score, int self, int n, boolean positiveOnly) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> score[x] != score[y] ? Double.compare(score[y], score[x])
                : users[x] != users[y] ? Integer.compare(users[y], users[x]) : items.get(x).compareTo(items.get(y)));
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < order.length && out.size() < n; i++) {
            int b = order[i];
            if (b != self && (!positiveOnly || score[b] > 0)) {
                out.add(items.get(b));
            }
        }
        return out;
    }
}
