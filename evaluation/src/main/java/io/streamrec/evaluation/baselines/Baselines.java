package io.streamrec.evaluation.baselines;

import io.streamrec.testkit.Interaction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The lists the model is compared with on the same data: the all-time most popular items and
 * random items, each without what the user has already seen. Seeded, so a run is repeatable.
 */
public final class Baselines {

    private Baselines() {}

    /** Each user's top {@code k} of the training part's all-time popularity, seen items excluded. */
    public static Map<String, List<String>> popular(List<Interaction> train, Map<String, Set<String>> seen, int k) {
        OnlinePopularity counts = OnlinePopularity.withHalfLifeDays(Double.POSITIVE_INFINITY);
        for (Interaction e : train) {
            counts.add(e.item(), e.ts(), 1);
        }
        Map<String, List<String>> lists = new HashMap<>();
        seen.forEach((user, items) -> lists.put(user, Arrays.asList(counts.topN(k, items))));
        return lists;
    }

    /** Each user's {@code k} random items of the training part's catalogue, seen items excluded. */
    public static Map<String, List<String>> random(List<Interaction> train, Map<String, Set<String>> seen, long seed,
                                                   int k) {
        List<String> catalog = new ArrayList<>(new LinkedHashSet<>(train.stream().map(Interaction::item).toList()));
        Random random = new Random(seed);
        Map<String, List<String>> lists = new LinkedHashMap<>();
        seen.forEach((user, items) -> lists.put(user, sample(catalog, items, random, k)));
        return lists;
    }

    /** Up to {@code k} distinct random items of {@code catalog} that are not {@code excluded}. */
    public static List<String> sample(List<String> catalog, Set<String> excluded, Random random, int k) {
        List<String> out = new ArrayList<>(k);
        int available = catalog.size() - excluded.size();
        int attempts = 0;
        while (out.size() < Math.min(k, available) && attempts++ < 100 * k) {
            String item = catalog.get(random.nextInt(catalog.size()));
            if (!excluded.contains(item) && !out.contains(item)) {
                out.add(item);
            }
        }
        return out;
    }
}
