package io.streamrec.cli;

import io.streamrec.testkit.Datasets;
import io.streamrec.testkit.EmbeddedKafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code produce} against a real Kafka broker with the MovieLens 100K file: it checks the records
 * against the job's rules before sending, refuses a file the job would reject entirely, moves
 * MovieLens' timestamps with {@code --shift-timestamps}, and, when a local cluster runs, sends to its
 * Kafka and checks against the options its job was submitted with.
 */
class ProduceCommandITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    private static EmbeddedKafka kafka;
    private static Path ratings;

    @BeforeAll
    static void start() {
        ratings = Datasets.movieLens100k().orElse(null);
        assumeThat(ratings).as("MovieLens 100K in ../shared/datasets").isNotNull();
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void refusesMovieLensTheJobWouldRejectAndSaysWhichFlagOrOptionHelps() throws Exception {
        CliRun run = CliRun.of(home, "produce", "--file", ratings.toString(), "--format", "movielens",
                "--kafka.bootstrap", kafka.bootstrapServers(), "--topic", "refused");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("checked 100,000 records against the job's rules (defaults): 100,000 would be rejected")
                .contains("timestamp_out_of_range: 100,000 (100.0%), e.g. field 'ts' is ")
                .contains("--shift-timestamps").contains("--input.min-timestamp 0");
        assertThat(run.err()).contains("not sending: the job would reject every record (--force sends anyway)");
        assertThat(read("refused", 0)).isEmpty();
    }

    @Test
    void shiftTimestampsMovesTheNewestRatingToNowKeepingSpacing() throws Exception {
        long before = System.currentTimeMillis();
        CliRun run = CliRun.of(home, "produce", "--file", ratings.toString(), "--format", "movielens", "--shift-timestamps",
                "--kafka.bootstrap", kafka.bootstrapServers(), "--topic", "shifted");
        long after = System.currentTimeMillis();

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains(": 0 would be rejected", "created topic shifted", "sent 100,000 records");
        List<JsonNode> records = read("shifted", 100_000);
        assertThat(records).hasSize(100_000);
        long newest = records.stream().mapToLong(r -> r.get("ts").asLong()).max().getAsLong();
        long oldest = records.stream().mapToLong(r -> r.get("ts").asLong()).min().getAsLong();
        assertThat(newest).isBetween(before, after);
        // ml-100k spans 1997-09-20 03:05:10 to 1998-04-22 23:10:38 UTC
        assertThat(newest - oldest).isEqualTo(893_286_638_000L - 874_724_710_000L);
        // ids keep the original time, so a second load of the same file is de-duplicated by the job
        assertThat(records).anySatisfy(r -> assertThat(r.get("id").asText()).isEqualTo("ml-259-255-874724710000"));
    }

    @Test
    void usesTheRunningLocalClustersKafkaAndItsJobsOptions() throws Exception {
        Path stateDir = home.resolve(".streamrec/cluster");
        Files.createDirectories(stateDir);
        // a live process that counts as the cluster's: its command line names the state directory
        Process services = new ProcessBuilder("bash", "-c", "sleep 120; exit 0", "-Dstreamrec.cluster=" + stateDir).start();
        try {
            Properties state = new Properties();
            state.setProperty("pid.services", Long.toString(services.pid()));
            state.setProperty("kafka.bootstrap", kafka.bootstrapServers());
            state.setProperty("redis.url", "redis://127.0.0.1:1");
            state.setProperty("rest.url", "http://127.0.0.1:1");
            state.setProperty("job.options.of", "job-1");
            state.setProperty("job.option.input.min-timestamp", "0");
            state.setProperty("job.option.kafka.topic.interactions", "from-the-job");
            try (OutputStream out = Files.newOutputStream(stateDir.resolve("cluster.properties"))) {
                state.store(out, null);
            }

            CliRun run = CliRun.of(home, "produce", "--file", ratings.toString(), "--format", "movielens");

            assertThat(run.exit()).isZero();
            assertThat(run.out())
                    .contains("checked 100,000 records against the job's rules (options of job job-1): 0 would be rejected")
                    .contains("using Kafka " + kafka.bootstrapServers() + " (the local cluster's)")
                    .contains("sent 100,000 records from " + ratings + " to from-the-job");
            assertThat(read("from-the-job", 100_000)).hasSize(100_000)
                    .allSatisfy(r -> assertThat(r.get("ts").asLong()).isBetween(874_724_710_000L, 893_286_638_000L));
        } finally {
            services.destroy();
        }
    }

    /** All records of the topic (waiting up to 30 s for {@code expected} of them). */
    private static List<JsonNode> read(String topic, int expected) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + (expected == 0 ? 3_000 : 30_000);
            while (records.size() < expected || expected == 0) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    records.add(JSON.readTree(r.value()));
                }
                if (System.currentTimeMillis() > deadline) {
                    break;
                }
            }
        }
        return records;
    }
}
