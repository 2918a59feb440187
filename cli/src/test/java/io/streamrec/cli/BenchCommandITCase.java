package io.streamrec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny {@code bench} end to end (real Kafka broker, real Redis, the job on a mini cluster with
 * RocksDB): every pre-loaded event is counted, the latency percentiles are ordered and every probe
 * was seen, and the checkpoint, heap and scoring figures come from the running job.
 */
class BenchCommandITCase {

    private static final int EVENTS = 4_000;

    @Test
    void benchReportsConsistentFiguresInResultsJson(@TempDir Path out) throws Exception {
        CliRun run = CliRun.of(OperationsWalkITCase.home(), "bench", "--users", "60", "--items", "50", "--events", Integer.toString(EVENTS),
                "--out", out.toString(), "--timeout", "600");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("=== StreamRec bench ===").contains("events/s");
        JsonNode r = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(r.path("events").asLong()).isEqualTo(EVENTS);
        assertThat(r.path("events_counted").asLong()).isEqualTo(EVENTS);
        assertThat(r.path("parallelism").asInt()).isEqualTo(2);
        assertThat(r.path("events_per_s").asDouble()).isPositive()
                .isCloseTo(EVENTS / r.path("seconds").asDouble(), org.assertj.core.data.Percentage.withPercentage(0.1));
        assertThat(r.path("read_seconds").asDouble()).isPositive().isLessThanOrEqualTo(r.path("seconds").asDouble());

        JsonNode latency = r.path("latency_ms");
        assertThat(latency.path("probes").asInt()).isEqualTo(2_000); // one probe every events / 2,000 events, all seen
        long p50 = latency.path("p50").asLong();
        long p95 = latency.path("p95").asLong();
        long p99 = latency.path("p99").asLong();
        assertThat(p50).isNotNegative().isLessThanOrEqualTo(p95);
        assertThat(p95).isLessThanOrEqualTo(p99);
        assertThat(p99).isLessThanOrEqualTo(latency.path("max").asLong());
        assertThat(latency.path("max").asLong()).isLessThanOrEqualTo((long) (r.path("seconds").asDouble() * 1000) + 1000);

        assertThat(r.path("checkpoints_completed").asLong()).isPositive();
        assertThat(r.path("checkpoint_bytes").asLong()).isPositive();
        assertThat(r.path("savepoint_bytes").asLong()).isPositive(); // -1 when the savepoint failed
        assertThat(r.path("checkpoint_duration_ms_max").asLong()).isGreaterThanOrEqualTo((long) r.path("checkpoint_duration_ms_p50").asDouble());
        assertThat(r.path("heap_bytes").asLong()).isPositive();
        assertThat(r.path("users_scored").asLong()).isGreaterThanOrEqualTo(60);
        assertThat(r.path("scoring_users_per_s").asDouble()).isPositive();
        assertThat(r.path("index").asText()).isEqualTo("AUTO");
        assertThat(r.path("deltas_expired").asLong()).as("a tiny run's gradient loop keeps up").isZero();
        assertThat(r.path("cached_items").asLong()).as("items in each UserWorker's replica").isBetween(1L, 50L);
        // 50 items are far below the catalogue the exact pruning starts at (4 hot sets): nothing tried
        assertThat(r.has("bounded_queries")).isTrue();
        assertThat(r.path("bounded_queries").asLong()).isZero();
        assertThat(r.path("bounded_accepted_share").asDouble()).isZero();
        // Flink's task times, as shares of each task's thread: the UserWorker's chain is among them
        JsonNode tasks = r.path("task_time");
        assertThat(tasks.fieldNames()).toIterable().anySatisfy(name -> assertThat(name).contains("UserWorker"));
        tasks.fields().forEachRemaining(t -> {
            double sum = t.getValue().path("busy").asDouble() + t.getValue().path("back_pressured").asDouble()
                    + t.getValue().path("idle").asDouble();
            assertThat(sum).as(t.getKey() + ": busy + back-pressured + idle").isBetween(0.5, 1.2);
        });
    }
}
