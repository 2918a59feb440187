package io.streamrec.evaluation;

import io.streamrec.evaluation.baselines.Baselines;
import io.streamrec.evaluation.baselines.CoOccurrence;
import io.streamrec.evaluation.metrics.NextItemHits;
import io.streamrec.evaluation.data.Dataset;
import io.streamrec.evaluation.data.StratifiedSplit;
import io.streamrec.evaluation.metrics.ListDiversity;
import io.streamrec.evaluation.metrics.RankingMetrics;
import io.streamrec.evaluation.report.EvaluationReport;
import io.streamrec.evaluation.report.ResultNodes;
import io.streamrec.testkit.Interaction;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The holdout protocol: per seed, a 75/25 split stratified by item (or user); the training part
 * through the job ({@link EvaluationJob#trainAndRead}); the top 10 scored against the test part
 * (P@10, R@10, nDCG@10, MAP, coverage and Jaccard), next to most-popular and random lists on the
 * same split. With {@code --validation} it evaluates on a validation split carved out of the
 * training part (same stratification), for tuning without touching the test part.
 *
 * <p>The same runs also evaluate the job's similar-item lists ({@code {prefix}_sim:{item}}): for
 * every held-out event, whether its item is among the similar items of the item the user touched
 * just before ({@link NextItemHits}, HR@10 and HR@20), next to item–item co-occurrence lists and
 * the most popular items computed from the same training part ({@link CoOccurrence}).
 */
final class HoldoutProtocol {

    private static final int K = Evaluation.K;

    private final EvaluationSettings s;
    private final EvaluationJob job;
    private final int catalogue;

    HoldoutProtocol(EvaluationSettings settings, EvaluationJob job, int catalogue) {
        this.s = settings;
        this.job = job;
        this.catalogue = catalogue;
    }

    ObjectNode run(Dataset dataset) throws Exception {
        Function<Interaction, String> group = s.splitBy.equals("item") ? Interaction::item : Interaction::user;
        Map<String, List<Double>> model = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> baselines = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> similar = new LinkedHashMap<>();
        ArrayNode perSeed = ResultNodes.array();
        int users = 0;
        for (int i = 0; i < s.seeds; i++) {
            long seed = s.firstSeed + i;
            StratifiedSplit.Split<Interaction> split = StratifiedSplit.split(dataset.events(), group, s.ratio, seed);
            if (s.validation) {
                split = StratifiedSplit.split(split.train(), group, s.ratio, seed + 7919);
            }
            List<Interaction> train = split.train();
            Map<String, Set<String>> relevant = itemsByUser(split.test());
            Map<String, Set<String>> seen = itemsByUser(train);

            Map<String, List<String>> similarLists = new LinkedHashMap<>();
            Map<String, List<String>> lists = job.trainAndRead(train, seed, similarLists);
            Map<String, List<String>> popLists = Baselines.popular(train, seen, K);
            Map<String, List<String>> rndLists = Baselines.random(train, seen, seed, K);
            RankingMetrics.Result m = RankingMetrics.evaluate(lists, relevant, K);
            RankingMetrics.Result pop = RankingMetrics.evaluate(popLists, relevant, K);
            RankingMetrics.Result rnd = RankingMetrics.evaluate(rndLists, relevant, K);
            double[] mDiv = ListDiversity.coverageAndJaccard(lists, K, catalogue, seed);
            double[] popDiv = ListDiversity.coverageAndJaccard(popLists, K, catalogue, seed);
            double[] rndDiv = ListDiversity.coverageAndJaccard(rndLists, K, catalogue, seed);
            users = m.users();

            ObjectNode row = perSeed.addObject();
            row.put("seed", seed);
            row.put("train", train.size());
            row.put("test", split.test().size());
            row.put("users", m.users());
            row.set("metrics", ResultNodes.holdout(m, mDiv));
            ObjectNode b = row.putObject("baselines");
            b.set("popular", ResultNodes.holdout(pop, popDiv));
            b.set("random", ResultNodes.holdout(rnd, rndDiv));
            row.set("similar", similarItems(dataset.events(), split, similarLists, similar));
            ResultNodes.collect(model, m, mDiv);
            ResultNodes.collect(baselines.computeIfAbsent("popular", k -> new LinkedHashMap<>()), pop, popDiv);
            ResultNodes.collect(baselines.computeIfAbsent("random", k -> new LinkedHashMap<>()), rnd, rndDiv);
            System.out.printf("seed %d: StreamRec P@10 %.4f nDCG@10 %.4f coverage@10 %.3f | popular %.4f %.4f %.3f"
                            + " | random %.4f %.4f  (%d users)%n", seed, m.precision(), m.ndcg(), mDiv[0],
                    pop.precision(), pop.ndcg(), popDiv[0], rnd.precision(), rnd.ndcg(), m.users());
        }

        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < s.seeds; i++) {
            seeds.add(s.firstSeed + i);
        }
        ObjectNode root = ResultNodes.header(EvaluationSettings.HOLDOUT, dataset.spec(), K, seeds, s.passes, s.jobOptions);
        ObjectNode split = root.putObject("split");
        split.put("by", s.splitBy);
        split.put("ratio", s.ratio);
        split.put("evaluated_on", s.validation ? "validation (carved from training)" : "test");
        root.put("users", users);
        root.set("metrics", ResultNodes.means(model));
        ObjectNode b = root.putObject("baselines");
        ObjectNode spread = root.putObject("spread");
        spread.set("metrics", ResultNodes.sds(model));
        ObjectNode bs = spread.putObject("baselines");
        baselines.forEach((name, values) -> {
            b.set(name, ResultNodes.means(values));
            bs.set(name, ResultNodes.sds(values));
        });
        ObjectNode sim = root.putObject("similar");
        ObjectNode simSpread = root.putObject("similar_spread");
        similar.forEach((name, values) -> {
            sim.set(name, ResultNodes.means(values));
            simSpread.set(name, ResultNodes.sds(values));
        });
        root.set("per_seed", perSeed);

        System.out.println();
        System.out.printf("%-12s %-18s %-18s %-18s %-18s %-18s %-18s%n", "", "P@10", "R@10", "nDCG@10", "MAP",
                "coverage@10", "jaccard@10");
        ResultNodes.printRow("StreamRec", model, EvaluationReport.HOLDOUT_KEYS);
        baselines.forEach((name, values) -> ResultNodes.printRow(name, values, EvaluationReport.HOLDOUT_KEYS));
        System.out.printf("%nsimilar items, next held-out item among the previous item's list:%n%-24s %-18s %-18s%n", "",
                "HR@10", "HR@20");
        similar.forEach((name, values) -> ResultNodes.printRow(String.format("%-24s", name), values, EvaluationReport.SIMILAR_KEYS));
        return root;
    }

    /**
     * One seed's similar-item hit rates: the job's lists, co-occurrence counts and their cosine,
     * and most-popular, on the held-out pairs of the split ({@link NextItemHits}); collected per list source.
     */
    private static ObjectNode similarItems(List<Interaction> all, StratifiedSplit.Split<Interaction> split,
                                           Map<String, List<String>> jobLists, Map<String, Map<String, List<Double>>> into) {
        List<NextItemHits.Pair> pairs = NextItemHits.heldOutPairs(all, split.test());
        CoOccurrence counts = CoOccurrence.of(split.train());
        Map<String, Map<String, List<String>>> sources = new LinkedHashMap<>();
        sources.put("StreamRec", jobLists);
        sources.put("co-occurrence", counts.lists(EvaluationJob.SIMILAR_N, false));
        sources.put("co-occurrence, cosine", counts.lists(EvaluationJob.SIMILAR_N, true));
        sources.put("popular", counts.popular(EvaluationJob.SIMILAR_N));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("pairs", pairs.size());
        out.put("items_with_list", jobLists.size());
        sources.forEach((name, lists) -> {
            ObjectNode n = out.putObject(name);
            for (int k : new int[] {10, 20}) {
                double hr = NextItemHits.hitRate(pairs, lists, k);
                n.put("hr@" + k, hr);
                into.computeIfAbsent(name, x -> new LinkedHashMap<>()).computeIfAbsent("hr@" + k, x -> new ArrayList<>()).add(hr);
            }
        });
        System.out.printf("  similar items, %,d held-out pairs: StreamRec HR@10 %.4f | co-occurrence %.4f | cosine %.4f"
                        + " | popular %.4f%n", pairs.size(), out.path("StreamRec").path("hr@10").asDouble(),
                out.path("co-occurrence").path("hr@10").asDouble(), out.path("co-occurrence, cosine").path("hr@10").asDouble(),
                out.path("popular").path("hr@10").asDouble());
        return out;
    }

    private static Map<String, Set<String>> itemsByUser(List<Interaction> events) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Interaction e : events) {
            out.computeIfAbsent(e.user(), u -> new HashSet<>()).add(e.item());
        }
        return out;
    }
}
