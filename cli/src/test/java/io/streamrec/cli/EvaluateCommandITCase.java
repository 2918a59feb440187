package io.streamrec.cli;

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

/**
 * A small end-to-end evaluation in CI: the real job graph on a local mini cluster, embedded Kafka
 * and Redis, over 4,000 generated interactions (users with latent tastes, Zipf popularity), one
 * seed, one pass. Checks the results files and that the model beats random.
 */
class EvaluateCommandITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path data;

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

    private static JsonNode evaluate(String protocol) throws Exception {
        Path out = dir.resolve(protocol);
        int status = new EvaluateCommand(CliArgs.parse(List.of(
                "--dataset", "json:" + data, "--protocol", protocol, "--seeds", "1", "--out", out.toString(),
                "--timeout-s", "90"))).run();
        assertThat(status).isZero();
        assertThat(out.resolve("results.md")).exists();
        return JSON.readTree(out.resolve("results.json").toFile());
    }

    @Test
    void holdoutWritesAllMetricsAndBeatsRandom() throws Exception {
        JsonNode r = evaluate("holdout");
        assertThat(r.path("protocol").asText()).isEqualTo("holdout");
        assertThat(r.path("dataset").asText()).contains("events.jsonl");
        for (String key : List.of("precision@10", "recall@10", "ndcg@10", "map")) {
            assertThat(r.path("metrics").path(key).isNumber()).as(key).isTrue();
            assertThat(r.path("metrics").path(key).asDouble()).as(key).isBetween(0.0, 1.0);
            assertThat(r.path("baselines").path("popular").has(key)).isTrue();
            assertThat(r.path("baselines").path("random").has(key)).isTrue();
        }
        assertThat(r.path("users").asInt()).isGreaterThan(50);
        assertThat(r.path("metrics").path("precision@10").asDouble())
                .isGreaterThan(r.path("baselines").path("random").path("precision@10").asDouble());
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
