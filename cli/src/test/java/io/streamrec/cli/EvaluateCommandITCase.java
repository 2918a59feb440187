package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.testkit.InteractionGenerator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A small end-to-end evaluation in CI: the real job graph on a local mini cluster, embedded Kafka
 * and Redis, over 4,000 generated interactions (users with latent tastes, Zipf popularity), one
 * seed, the default passes. Checks the results files and that the model beats random; that a run
 * over 22 years of history with 30 passes completes (the passes' event times stay valid); and that a
 * run whose events the job rejects fails within bounded time, naming the reason.
 */
class EvaluateCommandITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path data;
    static int extraRuns;

    @BeforeAll
    static void generate() throws Exception {
        InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(150).items(120).seed(3).eventsPerSecond(0.05)
                .startTimestampMillis(System.currentTimeMillis() - 90L * 86_400_000L).build());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            lines.add(generator.nextInteraction().toJson());
        }
        data = dir.resolve("events.jsonl");
        Files.write(data, lines, StandardCharsets.UTF_8);
    }

    private static JsonNode evaluate(String protocol, String... more) throws Exception {
        return evaluate(data, protocol, more);
    }

    private static JsonNode evaluate(Path dataset, String protocol, String... more) throws Exception {
        Path out = dir.resolve(more.length == 0 ? protocol : protocol + "-" + (++extraRuns));
        List<String> args = new ArrayList<>(List.of(
                "--dataset", "json:" + dataset, "--protocol", protocol, "--seeds", "1", "--out", out.toString(),
                "--timeout-s", "120"));
        args.addAll(List.of(more));
        int status = new EvaluateCommand(CommandArgs.parse(args)).run();
        assertThat(status).isZero();
        assertThat(out.resolve("results.md")).exists();
        return JSON.readTree(out.resolve("results.json").toFile());
    }

    @Test
    void holdoutWritesAllMetricsAndBeatsRandom() throws Exception {
        JsonNode r = evaluate("holdout");
        assertThat(r.path("protocol").asText()).isEqualTo("holdout");
        assertThat(r.path("dataset").asText()).contains("events.jsonl");
        assertThat(r.path("passes").asInt()).isEqualTo(ModelConfig.HISTORY_PASSES);
        for (String key : List.of("precision@10", "recall@10", "ndcg@10", "map", "coverage@10", "jaccard@10")) {
            assertThat(r.path("metrics").path(key).isNumber()).as(key).isTrue();
            assertThat(r.path("metrics").path(key).asDouble()).as(key).isBetween(0.0, 1.0);
            assertThat(r.path("baselines").path("popular").has(key)).isTrue();
            assertThat(r.path("baselines").path("random").has(key)).isTrue();
        }
        assertThat(r.path("users").asInt()).isGreaterThan(50);
        assertThat(r.path("metrics").path("precision@10").asDouble())
                .isGreaterThan(r.path("baselines").path("random").path("precision@10").asDouble());
        // the popular list is the same for everyone (up to seen items): it covers little and overlaps much
        assertThat(r.path("metrics").path("coverage@10").asDouble())
                .isGreaterThan(r.path("baselines").path("popular").path("coverage@10").asDouble());
        assertThat(r.path("baselines").path("popular").path("jaccard@10").asDouble())
                .isGreaterThan(r.path("metrics").path("jaccard@10").asDouble());
        // the job's similar-item lists, next to lists from the training part, on the same held-out pairs
        for (String source : List.of("StreamRec", "co-occurrence", "co-occurrence, cosine", "popular")) {
            for (String key : List.of("hr@10", "hr@20")) {
                assertThat(r.path("similar").path(source).path(key).asDouble()).as(source + " " + key).isBetween(0.0, 1.0);
            }
            assertThat(r.path("similar").path(source).path("hr@20").asDouble())
                    .isGreaterThanOrEqualTo(r.path("similar").path(source).path("hr@10").asDouble());
        }
        assertThat(r.path("per_seed").get(0).path("similar").path("items_with_list").asInt()).isGreaterThan(0);
        assertThat(r.path("similar").path("StreamRec").path("hr@20").asDouble()).isGreaterThan(0.0);
    }

    @Test
    void holdoutOverTwentyTwoYearsOfHistoryWithThirtyPassesCompletes() throws Exception {
        long start = 828_000_000_000L; // 1996
        double perSecond = 1500 / (22 * 365 * 86_400.0);
        InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(60).items(50).seed(5).eventsPerSecond(perSecond).startTimestampMillis(start).build());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            lines.add(generator.nextInteraction().toJson());
        }
        Path longHistory = dir.resolve("long-history.jsonl");
        Files.write(longHistory, lines, StandardCharsets.UTF_8);

        JsonNode r = evaluate(longHistory, "holdout", "--passes", "30", "--stall-timeout-s", "60");
        assertThat(r.path("passes").asInt()).isEqualTo(30);
        assertThat(r.path("users").asInt()).isGreaterThan(40);
    }

    @Test
    void aRunWhoseEventsAreRejectedFailsNamingTheReason() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // 9 stars is outside input.rating-max (5): every record is dead-lettered
            lines.add("{\"id\":\"e" + i + "\",\"user\":\"u" + (i % 20) + "\",\"item\":\"i" + (i % 30)
                    + "\",\"type\":\"rating\",\"value\":9.0,\"ts\":" + (1_700_000_000_000L + i * 1000L) + "}");
        }
        Path rejected = dir.resolve("rejected.jsonl");
        Files.write(rejected, lines, StandardCharsets.UTF_8);
        long t0 = System.currentTimeMillis();
        assertThatThrownBy(() -> evaluate(rejected, "prequential", "--stall-timeout-s", "60"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rejected")
                .hasMessageContaining("value_out_of_range")
                .hasMessageContaining("200 records");
        assertThat(System.currentTimeMillis() - t0).isLessThan(110_000);
    }

    @Test
    void prequentialMeasuresEveryEventAfterWarmUpAndBeatsRandom() throws Exception {
        JsonNode r = evaluate("prequential");
        assertThat(r.path("protocol").asText()).isEqualTo("prequential");
        assertThat(r.path("evaluated").asLong()).isEqualTo(4000 - 800);
        assertThat(r.path("unmeasured").asLong()).isZero();
        assertThat(r.path("windows").size()).isEqualTo(20);
        assertThat(r.path("metrics").path("hr@10").asDouble())
                .isGreaterThan(r.path("baselines").path("random").path("hr@10").asDouble());
        assertThat(r.path("baselines").path("popular").path("hr@10").asDouble()).isBetween(0.0, 1.0);
        assertThat(Files.readString(dir.resolve("prequential").resolve("prequential-hr10.svg")))
                .startsWith("<svg").contains("<polyline").endsWith("</svg>\n");
    }
}
