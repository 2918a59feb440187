package io.streamrec.evaluation.report;

import io.streamrec.evaluation.metrics.PrequentialTally;
import io.streamrec.evaluation.metrics.RankingMetrics;
import io.streamrec.evaluation.metrics.Stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of {@code results.json} (the input of {@link EvaluationReport}) and the table printed on
 * the console: one node per model or baseline, means and standard deviations over seeds, the header.
 */
public final class ResultNodes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultNodes() {}

    /** The run's header: protocol, data set, k, seeds, passes and the job options given. */
    public static ObjectNode header(String protocol, String dataset, int k, List<Long> seeds, int passes,
                                    Map<String, String> jobOptions) {
        ObjectNode root = JSON.createObjectNode();
        root.put("protocol", protocol);
        root.put("dataset", dataset);
        root.put("k", k);
        ArrayNode seedNode = root.putArray("seeds");
        seeds.forEach(seedNode::add);
        root.put("passes", passes);
        ObjectNode options = root.putObject("options");
        jobOptions.forEach(options::put);
        return root;
    }

    public static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /** Holdout metrics ({@link EvaluationReport#HOLDOUT_KEYS}) of one list set; {@code diversity}: coverage, Jaccard. */
    public static ObjectNode holdout(RankingMetrics.Result r, double[] diversity) {
        ObjectNode n = JSON.createObjectNode();
        n.put("precision@10", r.precision());
        n.put("recall@10", r.recall());
        n.put("ndcg@10", r.ndcg());
        n.put("map", r.map());
        n.put("coverage@10", diversity[0]);
        n.put("jaccard@10", diversity[1]);
        return n;
    }

    /** Prequential metrics of one tally; diversity (coverage, Jaccard) only where measured (null: none). */
    public static ObjectNode prequential(PrequentialTally t, double[] diversity) {
        ObjectNode n = JSON.createObjectNode();
        n.put("hr@10", t.hitRate());
        n.put("ndcg@10", t.ndcg());
        if (diversity != null) {
            n.put("coverage@10", diversity[0]);
            n.put("jaccard@10", diversity[1]);
        }
        return n;
    }

    /** Adds one seed's holdout metrics to the values per metric. */
    public static void collect(Map<String, List<Double>> into, RankingMetrics.Result r, double[] diversity) {
        holdout(r, diversity).fields().forEachRemaining(e ->
                into.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue().asDouble()));
    }

    public static ObjectNode means(Map<String, List<Double>> values) {
        ObjectNode n = JSON.createObjectNode();
        values.forEach((k, v) -> n.put(k, Stats.of(v).mean()));
        return n;
    }

    public static ObjectNode sds(Map<String, List<Double>> values) {
        ObjectNode n = JSON.createObjectNode();
        values.forEach((k, v) -> n.put(k, Stats.of(v).sd()));
        return n;
    }

    /** One console row: mean ± sd of each metric over the seeds. */
    public static void printRow(String name, Map<String, List<Double>> values, List<String> keys) {
        StringBuilder sb = new StringBuilder(String.format("%-12s", name));
        for (String k : keys) {
            sb.append(String.format(" %-18s", Stats.of(values.get(k))));
        }
        System.out.println(sb);
    }

    public static void printPrequential(String name, PrequentialTally t) {
        System.out.printf("%-18s %-10.4f %-10.4f%n", name, t.hitRate(), t.ndcg());
    }
}
