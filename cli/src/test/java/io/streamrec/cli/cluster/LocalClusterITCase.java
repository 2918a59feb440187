package io.streamrec.cli.cluster;

import io.streamrec.cli.cluster.ClusterTestSupport.Topics;
import io.streamrec.cli.cluster.ClusterTestSupport.Traffic;
import io.streamrec.cli.cluster.ClusterTestSupport.VersionMonitor;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.streamrec.cli.cluster.ClusterTestSupport.await;
import static io.streamrec.cli.cluster.ClusterTestSupport.figure;
import static io.streamrec.cli.cluster.ClusterTestSupport.mismatches;
import static io.streamrec.cli.cluster.ClusterTestSupport.usersWithoutList;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The job on a real multi-process Flink cluster ({@link LocalCluster}: a JobManager and two
 * TaskManager JVMs with two slots each, RocksDB, checkpoints every 2 s as in
 * {@code flink-conf/config.yaml}), driven through the REST API exactly as {@code bin/streamrec submit},
 * {@code stop --savepoint} and {@code savepoint} drive it, against a real Kafka broker and Redis.
 *
 * <p>Exactly-once is checked where users see it: every user's and item's {@code interactions}
 * counter in Redis equals the number of distinct events sent for it, after savepoints, rescaling and a
 * TaskManager killed with SIGKILL. Savepoint, restore and recovery times are printed as
 * {@code [figure]} lines and appended to {@code target/cluster-figures.txt}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterITCase {

    private static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    static Path work;

    private static EmbeddedKafka kafka;
    private static RedisServerProcess redis;
    private static LocalCluster cluster;
    private static FlinkRestClient rest;
    private static Path jobJar;

    @BeforeAll
    static void startCluster() {
        jobJar = ClusterTestSupport.jobJar();
        kafka = EmbeddedKafka.start();
        redis = RedisServerProcess.start();
        long start = System.nanoTime();
        cluster = ClusterTestSupport.startCluster(work.resolve("cluster"), kafka, redis);
        rest = cluster.rest();
        figure("cluster start (JobManager + 2 TaskManagers, separate JVMs): %.1f s", (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void stopCluster() {
        ClusterTestSupport.stop(cluster, redis, kafka);
    }

    /**
     * What {@code bin/streamrec cluster start} promises: every process serves Prometheus metrics,
     * StreamRec's own among them, with the values the job really has; and the Grafana dashboard
     * queries only metrics (and labels) that are there.
     */
    @Test
    @Order(0)
    void everyProcessServesStreamRecMetricsToPrometheusAndTheDashboardQueriesOnlyThose() throws Exception {
        Map<String, String> endpoints = cluster.prometheusEndpoints();
        assertThat(endpoints).containsOnlyKeys("jobmanager", "taskmanager-1", "taskmanager-2");
        assertThat(java.nio.file.Files.readString(cluster.prometheusConfig()))
                .contains(endpoints.values().stream().map(u -> u.replace("http://", "").replace("/metrics", "")).toList());

        Topics topics = ClusterTestSupport.topics(kafka, "prom");
        String prefix = "pm:";
        Traffic traffic = new Traffic(150, 200, 23);
        String job = ClusterCommands.submit(rest, jobJar, ClusterTestSupport.jobOptions(kafka, redis.url(), topics, prefix, 2),
                2, null, false).jobId();
        try (Jedis jedis = new Jedis(redis.url())) {
            long now = System.currentTimeMillis();
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                bad.add("not json " + i);
            }
            for (int i = 0; i < 3; i++) {
                bad.add("{\"id\":\"bad-" + i + "\",\"user\":\"u1\",\"item\":\"i1\",\"type\":\"teleport\",\"ts\":" + now + "}");
            }
            ClusterTestSupport.produce(kafka, topics.interactions(), bad, Double.POSITIVE_INFINITY);
            // two rounds, so that users with a list interact again and are measured (test-then-learn)
            for (int round = 0; round < 2; round++) {
                ClusterTestSupport.produce(kafka, topics.interactions(), traffic.next(1500), Double.POSITIVE_INFINITY);
                await(() -> mismatches(jedis, prefix, traffic).isEmpty(), 150, "exact counts, round " + round);
            }
            long distinct = traffic.events();
            long valid = distinct + traffic.duplicates;
            long usersWithLists = traffic.perUser.size() - usersWithoutList(jedis, prefix, traffic).size();

            String op = "flink_taskmanager_job_task_operator_";
            // counters are read at scrape time; the Redis counts are exact, so the job is done with the input
            await(() -> {
                PrometheusScrape s = PrometheusScrape.ofUnchecked(endpoints.values());
                return s.names().contains(op + "interactionsApplied") && s.sum(op + "interactionsApplied") == distinct
                        && s.names().contains(op + "listEventToVisibleMs")
                        && s.samples("flink_jobmanager_job_lastCheckpointSize").stream().anyMatch(x -> x.value() > 0);
            }, 60, "the applied-interactions counter at " + distinct);
            PrometheusScrape scrape = PrometheusScrape.of(endpoints.values());

            assertThat(scrape.sum(op + "interactionsValid")).as("valid records, duplicates included").isEqualTo(valid);
            assertThat(scrape.sum(op + "interactionsApplied")).as("learned once each").isEqualTo(distinct);
            assertThat(scrape.sum(op + "duplicatesDropped")).isEqualTo(traffic.duplicates);
            assertThat(scrape.sum(op + "interactionsRejected")).isEqualTo(8);
            assertThat(scrape.samples(op + "reason_rejected", x -> x.labels().get("reason").equals("not_json")))
                    .extracting(PrometheusScrape.Sample::value).contains(5.0).allMatch(v -> v == 0 || v == 5);
            assertThat(scrape.samples(op + "reason_rejected", x -> x.labels().get("reason").equals("unknown_event_type"))
                    .stream().mapToDouble(PrometheusScrape.Sample::value).sum()).isEqualTo(3);
            assertThat(scrape.sum(op + "listsEmitted")).isGreaterThanOrEqualTo(usersWithLists).isPositive();
            assertThat(scrape.sum(op + "redisRetries")).as("Redis was up all along").isZero();
            assertThat(scrape.sum(op + "redisWritesApplied")).isGreaterThanOrEqualTo(usersWithLists);
            assertThat(scrape.samples(op + "listEventToVisibleMs")).extracting(PrometheusScrape.Sample::value)
                    .anyMatch(ms -> ms > 0 && ms < 120_000);
            assertThat(scrape.sum(op + "onlineEvaluated")).as("second-round interactions measured").isPositive();
            // refresh lag: a Flink histogram, a Prometheus summary with quantiles
            assertThat(scrape.samples(op + "refreshLagMs", x -> "0.95".equals(x.labels().get("quantile"))))
                    .extracting(PrometheusScrape.Sample::value).hasSize(2).anyMatch(ms -> ms >= 0 && ms < 60_000);
            assertThat(scrape.samples(op + "lastRefreshLagMs")).extracting(PrometheusScrape.Sample::value)
                    .hasSize(2).allMatch(ms -> ms >= 0 && ms < 60_000);
            assertThat(scrape.samples(op + "hitRateTotal")).singleElement()
                    .extracting(PrometheusScrape.Sample::value).matches(v -> v >= 0 && v <= 1);
            double hitRate = scrape.sum(op + "hitRateTotal");
            assertThat(scrape.sum(op + "hitRateTotalAt10")).as("HR@10 <= HR@20").isBetween(0.0, hitRate);
            assertThat(scrape.sum(op + "hitRateTotal")).as("the online hit rate is the share of hits")
                    .isCloseTo(scrape.sum(op + "onlineHits") / scrape.sum(op + "onlineEvaluated"), within(1e-9));
            assertThat(scrape.samples("flink_jobmanager_job_lastCheckpointSize")).extracting(PrometheusScrape.Sample::value)
                    .anyMatch(size -> size > 0);

            // labels: which job, operator and subtask a series belongs to
            assertThat(scrape.labels(op + "interactionsApplied"))
                    .contains("job_name", "job_id", "operator_name", "subtask_index", "tm_id");
            assertThat(scrape.samples(op + "interactionsApplied")).extracting(x -> x.labels().get("subtask_index"))
                    .containsExactlyInAnyOrder("0", "1");
            assertThat(scrape.samples(op + "interactionsApplied")).allMatch(x -> x.labels().get("operator_name").contains("UserWorker"));
            assertThat(scrape.labels(op + "reason_rejected")).contains("reason");

            assertDashboardQueriesOnly(scrape);
        } finally {
            rest.cancel(job);
        }
    }

    /** Every metric name in the dashboard's queries is exported, and so is every label it groups by. */
    private static void assertDashboardQueriesOnly(PrometheusScrape scrape) throws Exception {
        Path dashboard = ClusterTestSupport.home().resolve("k8s/grafana/streamrec-dashboard.json");
        List<String> expressions = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard.toFile())
                .findValuesAsText("expr");
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(10);
        java.util.regex.Pattern metric = java.util.regex.Pattern.compile("\\bflink_[A-Za-z0-9_]+");
        java.util.regex.Pattern by = java.util.regex.Pattern.compile("by \\(([^)]*)\\)\\s*\\(\\w+\\((flink_[A-Za-z0-9_]+)");
        java.util.Set<String> queried = new java.util.TreeSet<>();
        for (String expr : expressions) {
            java.util.regex.Matcher m = metric.matcher(expr);
            while (m.find()) {
                queried.add(m.group());
            }
            java.util.regex.Matcher g = by.matcher(expr);
            while (g.find()) {
                for (String label : g.group(1).split(",")) {
                    assertThat(scrape.labels(g.group(2))).as("labels of %s (grouped by in %s)", g.group(2), expr)
                            .contains(label.trim());
                }
            }
        }
        assertThat(queried).as("metrics the dashboard queries").isNotEmpty();
        assertThat(scrape.names()).as("metrics exported by the cluster running StreamRec").containsAll(queried);
        figure("Prometheus: %d metric names exported by the local cluster; the dashboard queries %d, all present",
                scrape.names().size(), queried.size());
    }

    @Test
    @Order(1)
    void stopWithSavepointAndRescaleTwoFourOneKeepsCountsExact() throws Exception {
        Topics topics = ClusterTestSupport.topics(kafka, "rescale");
        String prefix = "rs:";
        Traffic traffic = new Traffic(400, 300, 21);
        VersionMonitor versions = new VersionMonitor();
        String savepoint = null;
        List<String> jobs = new ArrayList<>();
        try (Jedis jedis = new Jedis(redis.url())) {
            for (int parallelism : new int[] {2, 4, 1}) {
                Map<String, String> options = ClusterTestSupport.jobOptions(kafka, redis.url(), topics, prefix, parallelism);
                ClusterCommands.Submission job = ClusterCommands.submit(rest, jobJar, options, parallelism, savepoint, false);
                jobs.add(job.jobId());
                figure("submit at parallelism %d%s: all tasks running after %.1f s", parallelism,
                        savepoint == null ? " (fresh)" : " restoring a " + ClusterCommands.formatBytes(
                                ClusterCommands.savepointBytes(savepoint)) + " savepoint", job.seconds());
                assertParallelism(job.jobId(), parallelism);
                if (savepoint != null) {
                    JsonNode restored = rest.checkpoints(job.jobId()).path("latest").path("restored");
                    assertThat(restored.path("external_path").asText()).as("restored from").isEqualTo(savepoint);
                    // nothing new was sent yet: the restored state alone reproduces the counts
                    assertThat(mismatches(jedis, prefix, traffic)).isEmpty();
                }

                ClusterTestSupport.produce(kafka, topics.interactions(), traffic.next(3000), Double.POSITIVE_INFINITY);
                await(() -> {
                    versions.check(jedis, prefix, traffic);
                    return mismatches(jedis, prefix, traffic).isEmpty();
                }, 150, "exact counts at parallelism " + parallelism);

                if (parallelism == 1) {
                    // nothing applied twice later either
                    Thread.sleep(3000);
                    assertThat(mismatches(jedis, prefix, traffic)).isEmpty();
                    rest.cancel(job.jobId());
                    break;
                }
                long start = System.nanoTime();
                savepoint = rest.stopWithSavepoint(job.jobId(), null, false, SAVEPOINT_TIMEOUT);
                figure("stop with savepoint at parallelism %d after %d events: %.2f s, %s", parallelism, traffic.events(),
                        (System.nanoTime() - start) / 1e9, ClusterCommands.formatBytes(ClusterCommands.savepointBytes(savepoint)));
                assertThat(rest.jobState(job.jobId())).isEqualTo("FINISHED");
                // the final savepoint committed every pending write: counts are exact right away
                assertThat(mismatches(jedis, prefix, traffic)).isEmpty();
            }
            versions.check(jedis, prefix, traffic);
            assertThat(usersWithoutList(jedis, prefix, traffic)).as("users without a list").isEmpty();
            assertThat(traffic.duplicates).isPositive();
        }
        assertThat(jobs).hasSize(3).doesNotHaveDuplicates();
    }

    @Test
    @Order(2)
    void recoversExactlyOnceAfterTaskManagerKilled() throws Exception {
        Topics topics = ClusterTestSupport.topics(kafka, "kill");
        String prefix = "kl:";
        Traffic traffic = new Traffic(400, 300, 22);
        VersionMonitor versions = new VersionMonitor();
        Map<String, String> options = ClusterTestSupport.jobOptions(kafka, redis.url(), topics, prefix, 2);
        String job = ClusterCommands.submit(rest, jobJar, options, 2, null, false).jobId();

        // a steady stream, about 16 s long; the kill lands in the middle of it
        List<String> records = traffic.next(8000);
        CompletableFuture<Void> producer = CompletableFuture.runAsync(
                () -> ClusterTestSupport.produce(kafka, topics.interactions(), records, 500));
        try (Jedis jedis = new Jedis(redis.url())) {
            await(() -> rest.checkpoints(job).path("counts").path("completed").asInt() >= 2
                    && !usersWithoutListYet(jedis, prefix, traffic), 120, "two checkpoints and first lists");
            versions.check(jedis, prefix, traffic);

            String victim = taskManagerRunning(job);
            assertThat(cluster.processNames()).contains(victim);
            long checkpointBefore = rest.checkpoints(job).path("latest").path("completed").path("id").asLong();
            long killedAt = System.nanoTime();
            cluster.kill(victim);
            String replacement = cluster.startTaskManager();
            assertThat(cluster.isAlive(victim)).isFalse();

            await(() -> rest.exceptions(job).path("exceptionHistory").path("entries").size() > 0,
                    120, "the failover caused by the lost TaskManager");
            double failoverSeconds = (System.nanoTime() - killedAt) / 1e9;
            await(() -> rest.allTasksRunning(job) && rest.checkpoints(job).path("latest").path("restored").has("id"),
                    180, "the job running again, restored from a checkpoint");
            double runningSeconds = (System.nanoTime() - killedAt) / 1e9;
            JsonNode restored = rest.checkpoints(job).path("latest").path("restored");
            assertThat(restored.path("id").asLong()).isGreaterThanOrEqualTo(checkpointBefore);
            await(() -> rest.checkpoints(job).path("latest").path("completed").path("id").asLong()
                    > restored.path("id").asLong(), 120, "a checkpoint after the restore");
            double checkpointSeconds = (System.nanoTime() - killedAt) / 1e9;

            producer.get();
            await(() -> {
                versions.check(jedis, prefix, traffic);
                return mismatches(jedis, prefix, traffic).isEmpty();
            }, 180, "exact counts after the TaskManager loss");
            double exactSeconds = (System.nanoTime() - killedAt) / 1e9;
            figure("TaskManager %s killed (SIGKILL), replacement %s started: failover after %.1f s, all tasks running "
                            + "(restored checkpoint %d) after %.1f s, first new checkpoint after %.1f s, all %d events "
                            + "exact in Redis after %.1f s", victim, replacement, failoverSeconds, restored.path("id").asLong(),
                    runningSeconds, checkpointSeconds, traffic.events(), exactSeconds);

            Thread.sleep(3000);
            versions.check(jedis, prefix, traffic);
            assertThat(mismatches(jedis, prefix, traffic)).as("nothing applied twice").isEmpty();
            assertThat(usersWithoutList(jedis, prefix, traffic)).as("users without a list").isEmpty();
            assertThat(rest.exceptions(job).toString()).as("the failover was the TaskManager loss")
                    .containsAnyOf(victim, "TaskManager", "Connection", "connection");
        } finally {
            producer.cancel(true);
            rest.cancel(job);
        }
    }

    private static boolean usersWithoutListYet(Jedis jedis, String prefix, Traffic traffic) {
        return usersWithoutList(jedis, prefix, traffic).size() == traffic.perUser.size();
    }

    /** Every vertex runs at the requested parallelism, except the global popularity ranker (1). */
    private static void assertParallelism(String job, int parallelism) {
        for (JsonNode vertex : rest.job(job).path("vertices")) {
            int p = vertex.path("parallelism").asInt();
            assertThat(p).as("parallelism of %s", vertex.path("name").asText()).isIn(parallelism, 1);
        }
        assertThat(rest.job(job).path("vertices").findValuesAsText("parallelism")).contains(Integer.toString(parallelism));
    }

    /** The resource id (= process name) of a TaskManager running a subtask of the job. */
    private static String taskManagerRunning(String job) {
        for (JsonNode vertex : rest.job(job).path("vertices")) {
            for (JsonNode subtask : rest.vertex(job, vertex.path("id").asText()).path("subtasks")) {
                String tm = subtask.path("taskmanager-id").asText();
                if (tm.startsWith("taskmanager-")) {
                    return tm;
                }
            }
        }
        throw new AssertionError("no subtask of job " + job + " on a known TaskManager");
    }
}
