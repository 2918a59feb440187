package io.streamrec.evaluation.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The files of an evaluation run ({@code bin/streamrec evaluate --out DIR}): {@code results.json}
 * as built by the evaluate command, {@code results.md} (a table of the model next to its baselines)
 * and, for the prequential protocol, {@code prequential-hr10.svg} (HR@10 per window for the model
 * and the popularity baselines).
 */
public final class EvaluationReport {

    /** Metrics of the holdout protocol, in report order. */
    public static final List<String> HOLDOUT_KEYS =
            List.of("precision@10", "recall@10", "ndcg@10", "map", "coverage@10", "jaccard@10");
    /** Metrics of the similar-item lists (holdout protocol), in report order. */
    public static final List<String> SIMILAR_KEYS = List.of("hr@10", "hr@20");
    /** Metrics of the prequential protocol, in report order. */
    public static final List<String> PREQUENTIAL_KEYS = List.of("hr@10", "ndcg@10", "coverage@10", "jaccard@10");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final long DAY_MS = 86_400_000L;

    private EvaluationReport() {}

    public static void write(Path dir, ObjectNode results) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), JSON.writeValueAsString(results) + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.md"), markdown(results), StandardCharsets.UTF_8);
        if (results.path("protocol").asText().equals("prequential")) {
            Files.writeString(dir.resolve("prequential-hr10.svg"), plot(results), StandardCharsets.UTF_8);
        }
        System.out.println("wrote " + dir.resolve("results.json") + " and results.md");
    }

    static String markdown(ObjectNode r) {
        StringBuilder md = new StringBuilder();
        String protocol = r.path("protocol").asText();
        md.append("# StreamRec evaluation: ").append(protocol).append("\n\n");
        md.append("- dataset: `").append(r.path("dataset").asText()).append("`\n");
        md.append("- seeds: ").append(r.path("seeds")).append(", passes: ").append(r.path("passes").asInt()).append('\n');
        md.append("- job options: `").append(r.path("options")).append("`\n");
        if (r.has("split")) {
            md.append("- split: ").append(r.path("split")).append('\n');
        }
        md.append(String.format(Locale.ROOT, "- wall time: %.0f s%n%n", r.path("seconds").asDouble()));
        List<String> keys = protocol.equals("holdout") ? HOLDOUT_KEYS : PREQUENTIAL_KEYS;
        md.append("| | ").append(String.join(" | ", keys)).append(" |\n|---|");
        md.append("---|".repeat(keys.size())).append('\n');
        appendRow(md, "StreamRec", r.path("metrics"), r.path("spread").path("metrics"), keys);
        r.path("baselines").fields().forEachRemaining(e ->
                appendRow(md, e.getKey(), e.getValue(), r.path("spread").path("baselines").path(e.getKey()), keys));
        if (r.has("similar")) {
            md.append("\n## Similar items\n\nFor each held-out event, is its item among the similar items of the item the "
                    + "user touched just before? Hit rate of the job's `_sim:` lists and of lists from the training part.\n\n");
            md.append("| | ").append(String.join(" | ", SIMILAR_KEYS)).append(" |\n|---|");
            md.append("---|".repeat(SIMILAR_KEYS.size())).append('\n');
            r.path("similar").fields().forEachRemaining(e ->
                    appendRow(md, e.getKey(), e.getValue(), r.path("similar_spread").path(e.getKey()), SIMILAR_KEYS));
        }
        if (protocol.equals("prequential")) {
            double strongerPopular = Math.max(r.path("baselines").path("popular").path("hr@10").asDouble(),
                    r.path("baselines").path("popular_alltime").path("hr@10").asDouble());
            md.append(String.format(Locale.ROOT, "%nEvaluated %,d events after a warm-up of %,d. StreamRec / the stronger"
                            + " popularity baseline, HR@10: %.2fx. Coverage and Jaccard are of every user's last list.%n",
                    r.path("evaluated").asLong(), r.path("warmup_events").asLong(),
                    r.path("metrics").path("hr@10").asDouble() / Math.max(1e-12, strongerPopular)));
            md.append("\n![prequential HR@10](prequential-hr10.svg)\n");
        }
        return md.toString();
    }

    private static void appendRow(StringBuilder md, String name, JsonNode values,
                                  JsonNode spread, List<String> keys) {
        md.append("| ").append(name).append(" |");
        for (String k : keys) {
            if (!values.has(k)) {
                md.append(" – |");
                continue;
            }
            md.append(String.format(Locale.ROOT, " %.4f", values.path(k).asDouble()));
            if (spread.has(k)) {
                md.append(String.format(Locale.ROOT, " ± %.4f", spread.path(k).asDouble()));
            }
            md.append(" |");
        }
        md.append('\n');
    }

    static String plot(ObjectNode r) {
        var windows = r.path("windows");
        int n = windows.size();
        double[] x = new double[n];
        double[] model = new double[n];
        double[] popular = new double[n];
        double[] allTime = new double[n];
        long start = n == 0 ? 0 : windows.get(0).path("first_ts").asLong();
        for (int i = 0; i < n; i++) {
            var w = windows.get(i);
            x[i] = (w.path("last_ts").asLong() - start) / (double) DAY_MS;
            model[i] = w.path("hr@10").asDouble();
            popular[i] = w.path("popular_hr@10").asDouble();
            allTime[i] = w.path("popular_alltime_hr@10").asDouble();
        }
        return SvgPlot.lines("Prequential HR@10 per window: " + r.path("dataset").asText(),
                "days after the warm-up (end of each window of " + (n == 0 ? 0 : windows.get(0).path("events").asLong()) + " events)",
                "HR@10", x, List.of(new SvgPlot.Series("StreamRec (online MF)", model),
                        new SvgPlot.Series("popular (time-decayed)", popular),
                        new SvgPlot.Series("popular (all-time)", allTime)));
    }

}
