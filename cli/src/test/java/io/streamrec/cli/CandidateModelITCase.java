package io.streamrec.cli;

import io.streamrec.cli.compare.CandidateDeployment;
import io.streamrec.job.InteractionCounts;
import io.streamrec.job.JobTopics;
import io.streamrec.job.StreamRecJob;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.Interaction;
import io.streamrec.testkit.InteractionGenerator;
import io.streamrec.testkit.InteractionProducer;
import io.streamrec.testkit.RedisServerProcess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two deployments of the job on one generated interactions topic, on real Kafka and Redis: the
 * live one ({@code rec:}) with a deliberately poor model (initial vectors 50 times the default scale
 * and a learning rate 150 times below it: its lists stay close to random) and a candidate with the
 * shipped model options, started as {@code submit --candidate cand} starts it (its own prefix,
 * group, transactional ids, gradient and dead-letter topics). Both count every user and item
 * exactly once, so neither applied the other's gradients. {@code compare} finds the candidate
 * better with a significant margin; {@code promote} refuses while a user would lose their list,
 * then switches the alias, and {@code recs} reads the candidate's lists. Compared the other way
 * round, with the new live job as the reference, the poor job loses significantly.
 */
class CandidateModelITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LIVE = "rec:";
    private static final String CANDIDATE = "cand:";
    private static final int EVENTS = 10_000;

    @TempDir
    static Path work;

    private static EmbeddedKafka kafka;
    private static RedisServerProcess redis;
    private static final List<JobClient> jobs = new ArrayList<>();
    private static final Map<String, Long> perUser = new HashMap<>();
    private static final Map<String, Long> perItem = new HashMap<>();

    @BeforeAll
    static void runLiveAndCandidateOnOneStream() throws Exception {
        kafka = EmbeddedKafka.start();
        redis = RedisServerProcess.start();
        Map<String, String> common = new LinkedHashMap<>();
        common.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        common.put(StreamRecOptions.REDIS_URL.key(), redis.url());
        common.put(StreamRecOptions.KAFKA_START.key(), "earliest");
        common.put(StreamRecOptions.REFRESH_INTERVAL.key(), "100 ms");
        common.put(StreamRecOptions.PARALLELISM.key(), "1");

        Map<String, String> live = new LinkedHashMap<>(common);
        live.put(StreamRecOptions.LEARNING_RATE.key(), "0.001");
        live.put(StreamRecOptions.INIT_SCALE.key(), "0.5");
        StreamRecOptions liveOptions = StreamRecOptions.fromMap(live);
        StreamRecOptions candidateOptions = StreamRecOptions.fromMap(CandidateDeployment.options("cand", common));
        assertThat(candidateOptions.get(StreamRecOptions.TOPIC_GRADIENTS))
                .isNotEqualTo(liveOptions.get(StreamRecOptions.TOPIC_GRADIENTS));
        assertThat(candidateOptions.get(StreamRecOptions.TOPIC_INTERACTIONS))
                .isEqualTo(liveOptions.get(StreamRecOptions.TOPIC_INTERACTIONS));
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin client = Admin.create(admin)) {
            JobTopics.ensure(client, liveOptions, 1, 60_000);
            JobTopics.ensure(client, candidateOptions, 1, 60_000);
        }

        // 10,000 events of 400 users and 300 items, 50 events/s of event time: 200 s, 20 buckets of 10 s
        InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(400).items(300).seed(7).eventsPerSecond(50)
                .startTimestampMillis(System.currentTimeMillis() - Duration.ofHours(1).toMillis())
                .build());
        List<String> records = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            Interaction e = generator.nextInteraction();
            records.add(e.toJson());
            perUser.merge(e.user(), 1L, Long::sum);
            perItem.merge(e.item(), 1L, Long::sum);
        }
        try (InteractionProducer producer = new InteractionProducer(kafka.bootstrapServers())) {
            producer.send(liveOptions.get(StreamRecOptions.TOPIC_INTERACTIONS), records.iterator(), Double.POSITIVE_INFINITY);
        }
        jobs.add(start(liveOptions, "live"));
        jobs.add(start(candidateOptions, "candidate"));

        try (Jedis jedis = new Jedis(redis.url())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            for (String prefix : List.of(LIVE, CANDIDATE)) {
                List<String> mismatches;
                while (!(mismatches = InteractionCounts.mismatches(jedis, prefix, perUser, perItem)).isEmpty()) {
                    assertThat(System.nanoTime()).as("every event counted once under " + prefix + " within 90 s: " + mismatches)
                            .isLessThan(deadline);
                    Thread.sleep(200);
                }
            }
            // the quality sums are written once per checkpoint: wait until both stopped changing
            for (String prefix : List.of(LIVE, CANDIDATE)) {
                List<Tuple> before;
                List<Tuple> after = jedis.zrangeWithScores(RedisKeys.metricsWindows(prefix), 0, -1);
                do {
                    before = after;
                    Thread.sleep(1500);
                    after = jedis.zrangeWithScores(RedisKeys.metricsWindows(prefix), 0, -1);
                } while (!after.equals(before));
                // the buckets of event time hold every measured interaction, as the processing-time total counts them
                long inBuckets = after.stream().filter(t -> t.getElement().endsWith(":n")).mapToLong(t -> (long) t.getScore()).sum();
                assertThat(inBuckets).as(prefix + " evaluated in buckets")
                        .isEqualTo((long) jedis.zscore(RedisKeys.metrics(prefix), "evaluated:total").doubleValue())
                        .isPositive();
            }
        }
    }

    private static JobClient start(StreamRecOptions options, String name) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "hashmap");
        conf.setString("execution.checkpointing.interval", "500 ms");
        conf.setString("execution.checkpointing.min-pause", "0 ms");
        conf.setString("execution.checkpointing.timeout", "1 min");
        conf.setString("execution.checkpointing.dir", work.resolve(name).toUri().toString());
        conf.setString("taskmanager.numberOfTaskSlots", "1");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(1);
        StreamRecJob.configure(env, options);
        StreamRecJob.buildWithKafkaAndRedis(env, options);
        return env.executeAsync("StreamRec " + name);
    }

    @AfterAll
    static void stop() throws Exception {
        for (JobClient job : jobs) {
            job.cancel().get();
        }
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theBetterCandidateWinsIsPromotedAndTheWorseOneLoses() throws Exception {
        Path home = work.resolve("home");
        CliRun better = CliRun.of(home, "compare", "--live", LIVE, "--candidate", CANDIDATE, "--window", "10 s", "--json",
                "--redis.url", redis.url());
        assertThat(better.exit()).isZero();
        JsonNode report = JSON.readTree(better.out());
        assertThat(report.path("verdict").asText()).isEqualTo("candidate");
        assertThat(report.path("winner").asText()).isEqualTo(CANDIDATE);
        assertThat(report.path("difference").path("hr10").path("low").asDouble()).as("HR@10 significantly higher").isPositive();
        assertThat(report.path("windows").size()).isGreaterThanOrEqualTo(10);
        assertThat(report.path("pairedWindows").path("candidateAhead").asInt())
                .isGreaterThan(report.path("pairedWindows").path("liveAhead").asInt());
        long evaluated = report.path("total").path("live").path("n").asLong();
        assertThat(evaluated).isPositive().isLessThanOrEqualTo(EVENTS);

        CliRun text = CliRun.of(home, "compare", "--live", LIVE, "--candidate", CANDIDATE, "--redis.url", redis.url());
        assertThat(text.exit()).isZero();
        assertThat(text.out()).contains("verdict: the candidate wins");

        try (Jedis jedis = new Jedis(redis.url())) {
            String user = perUser.keySet().iterator().next();
            String candidateMeta = RedisKeys.meta(RedisKeys.userList(CANDIDATE, user));
            jedis.rename(candidateMeta, "hidden");
            CliRun refused = CliRun.of(home, "promote", "--prefix", CANDIDATE, "--wait", "1 s", "--redis.url", redis.url());
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("compared with rec:, cand: lacks or has older lists; user lists "
                    + perUser.size() + " (1 missing, 0 behind), category lists 0 (0 missing, 0 behind), similar lists ");
            assertThat(jedis.get(RedisKeys.activeAlias(LIVE))).isNull();
            jedis.rename("hidden", candidateMeta);

            CliRun promoted = CliRun.of(home, "promote", "--prefix", CANDIDATE, "--redis.url", redis.url());
            assertThat(promoted.exit()).isZero();
            assertThat(promoted.out()).containsPattern("and [1-9][0-9]* similar lists under rec: has one under cand:");
            assertThat(jedis.get(RedisKeys.activeAlias(LIVE))).isEqualTo(CANDIDATE);

            CliRun recs = CliRun.of(home, "recs", user, "--redis.url", redis.url());
            assertThat(recs.exit()).isZero();
            assertThat(recs.err()).contains("Reading prefix cand: (named by rec:_active)");
            List<Tuple> list = jedis.zrevrangeWithScores(RedisKeys.userList(CANDIDATE, user), 0, -1);
            assertThat(list).isNotEmpty();
            assertThat(recs.out()).contains(String.format("  %2d. %-20s %10.4f%n", 1, list.get(0).getElement(), list.get(0).getScore()))
                    .contains(perUser.get(user) + " interactions");
        }

        CliRun worse = CliRun.of(home, "compare", "--live", CANDIDATE, "--candidate", LIVE, "--window", "10 s", "--json",
                "--redis.url", redis.url());
        JsonNode reverse = JSON.readTree(worse.out());
        assertThat(reverse.path("verdict").asText()).isEqualTo("live");
        assertThat(reverse.path("difference").path("hr10").path("high").asDouble()).as("HR@10 significantly lower").isNegative();
        assertThat(reverse.path("difference").path("hr10").path("value").asDouble())
                .isEqualTo(-report.path("difference").path("hr10").path("value").asDouble());
        assertThat(reverse.path("pairedWindows").path("liveAhead").asInt())
                .isEqualTo(report.path("pairedWindows").path("candidateAhead").asInt());
    }
}
