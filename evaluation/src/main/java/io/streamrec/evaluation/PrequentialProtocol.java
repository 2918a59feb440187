package io.streamrec.evaluation;

import io.streamrec.evaluation.baselines.Baselines;
import io.streamrec.evaluation.baselines.OnlinePopularity;
import io.streamrec.evaluation.data.Dataset;
import io.streamrec.evaluation.metrics.ListDiversity;
import io.streamrec.evaluation.metrics.PrequentialTally;
import io.streamrec.evaluation.report.ResultNodes;
import io.streamrec.testkit.Interaction;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The prequential protocol: all events in time order through the job with exact test-then-learn
 * measurement ({@code recs.online-evaluation EXACT}, {@link EvaluationJob#streamWithExactEvaluation});
 * after a warm-up, HR@10 and nDCG@10 overall and per window, next to an online time-decayed
 * most-popular baseline (and all-time popular and random) computed here from the same stream, each
 * asked before it learns the event, as the job is.
 */
final class PrequentialProtocol {

    private static final int K = Evaluation.K;

    private final EvaluationSettings s;
    private final EvaluationJob job;
    private final int catalogue;

    PrequentialProtocol(EvaluationSettings settings, EvaluationJob job, int catalogue) {
        this.s = settings;
        this.job = job;
        this.catalogue = catalogue;
    }

    ObjectNode run(Dataset dataset) throws Exception {
        List<Interaction> events = dataset.events();
        long seed = s.firstSeed;
        Map<String, List<String>> finalLists = new HashMap<>();
        Map<String, Integer> ranks = job.streamWithExactEvaluation(events, seed, finalLists);

        int warm = (int) Math.floor(s.warmup * events.size());
        int windowEvents = Math.max(1, (int) Math.ceil((events.size() - warm) / (double) s.windows));
        PrequentialTally model = new PrequentialTally(K, windowEvents);
        PrequentialTally popular = new PrequentialTally(K, windowEvents);
        PrequentialTally allTime = new PrequentialTally(K, windowEvents);
        PrequentialTally random = new PrequentialTally(K, windowEvents);
        OnlinePopularity decayed = OnlinePopularity.withHalfLifeDays(s.halfLifeDays);
        OnlinePopularity counts = OnlinePopularity.withHalfLifeDays(Double.POSITIVE_INFINITY);
        Map<String, Set<String>> seen = new HashMap<>();
        List<String> catalog = new ArrayList<>();
        Set<String> inCatalog = new HashSet<>();
        Random rnd = new Random(seed);
        int unmeasured = 0;
        for (int i = 0; i < events.size(); i++) {
            Interaction e = events.get(i);
            Set<String> userSeen = seen.computeIfAbsent(e.user(), u -> new HashSet<>());
            if (i >= warm) {
                Integer rank = ranks.get(HitFileSink.key(e.user(), e.item(), e.ts()));
                if (rank == null) {
                    unmeasured++;
                }
                model.record(rank == null ? -1 : rank, e.ts());
                popular.record(indexOf(decayed.topN(K, userSeen), e.item()), e.ts());
                allTime.record(indexOf(counts.topN(K, userSeen), e.item()), e.ts());
                random.record(Baselines.sample(catalog, userSeen, rnd, K).indexOf(e.item()), e.ts());
            }
            decayed.add(e.item(), e.ts(), 1);
            counts.add(e.item(), e.ts(), 1);
            userSeen.add(e.item());
            if (inCatalog.add(e.item())) {
                catalog.add(e.item());
            }
        }
        if (unmeasured > 0) {
            System.out.printf("  note: %d evaluated events had no measurement from the job (counted as misses)%n", unmeasured);
        }
        // personalisation at the end of the stream: every user's last list, and the popular list they would see
        Map<String, List<String>> popularFinal = new HashMap<>();
        seen.forEach((user, items) -> popularFinal.put(user, Arrays.asList(decayed.topN(K, items))));
        double[] modelDiv = ListDiversity.coverageAndJaccard(finalLists, K, catalogue, seed);
        double[] popularDiv = ListDiversity.coverageAndJaccard(popularFinal, K, catalogue, seed);

        ObjectNode root = ResultNodes.header(EvaluationSettings.PREQUENTIAL, dataset.spec(), K, List.of(s.firstSeed),
                s.passes, s.jobOptions);
        root.put("events", events.size());
        root.put("warmup_events", warm);
        root.put("evaluated", model.events());
        root.put("unmeasured", unmeasured);
        root.put("popular_half_life_days", s.halfLifeDays);
        root.set("metrics", ResultNodes.prequential(model, modelDiv));
        ObjectNode b = root.putObject("baselines");
        b.set("popular", ResultNodes.prequential(popular, popularDiv));
        b.set("popular_alltime", ResultNodes.prequential(allTime, null));
        b.set("random", ResultNodes.prequential(random, null));
        ArrayNode windows = root.putArray("windows");
        for (int w = 0; w < model.windows().size(); w++) {
            PrequentialTally.Window mw = model.windows().get(w);
            ObjectNode n = windows.addObject();
            n.put("index", w);
            n.put("first_ts", mw.firstTs);
            n.put("last_ts", mw.lastTs);
            n.put("events", mw.events);
            n.put("hr@10", mw.hitRate());
            n.put("ndcg@10", mw.ndcg());
            n.put("popular_hr@10", popular.windows().get(w).hitRate());
            n.put("popular_alltime_hr@10", allTime.windows().get(w).hitRate());
            n.put("random_hr@10", random.windows().get(w).hitRate());
        }

        System.out.println();
        System.out.printf("%-18s %-10s %-10s%n", "", "HR@10", "nDCG@10");
        ResultNodes.printPrequential("StreamRec", model);
        ResultNodes.printPrequential("popular (decayed)", popular);
        ResultNodes.printPrequential("popular (all-time)", allTime);
        ResultNodes.printPrequential("random", random);
        System.out.printf("StreamRec / stronger popular: %.2fx; coverage@10 %.3f (popular %.3f), jaccard@10 %.3f (popular %.3f)%n",
                model.hitRate() / Math.max(1e-12, Math.max(popular.hitRate(), allTime.hitRate())),
                modelDiv[0], popularDiv[0], modelDiv[1], popularDiv[1]);
        return root;
    }

    private static int indexOf(String[] list, String item) {
        for (int i = 0; i < list.length; i++) {
            if (list[i].equals(item)) {
                return i;
            }
        }
        return -1;
    }
}
