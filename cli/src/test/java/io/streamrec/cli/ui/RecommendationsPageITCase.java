package io.streamrec.cli.ui;

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

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/streamrec ui} against a running job, as after {@code bin/streamrec demo}: the real job
 * graph on a local Flink cluster with its REST API, a Kafka broker and Redis, two rounds of
 * generated interactions (the second one is measured by the online evaluation). The JSON API is
 * checked against Redis; then a headless Chromium loads the page, types and clicks like a user,
 * and the test checks that what the page shows is what Redis and Flink hold. Without Chromium
 * and chromedriver the browser test is skipped, with the reason.
 */
class RecommendationsPageITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "ui:";
    private static final String JOB_NAME = "StreamRec page test";

    @TempDir
    static Path work;

    private static EmbeddedKafka kafka;
    private static RedisServerProcess redis;
    private static JobClient job;
    private static RecommendationsPage page;
    private static final Map<String, Long> perUser = new HashMap<>();
    private static final Map<String, Long> perItem = new HashMap<>();

    @BeforeAll
    static void runTheJobAndServeThePage() throws Exception {
        kafka = EmbeddedKafka.start();
        redis = RedisServerProcess.start();
        Map<String, String> values = new LinkedHashMap<>();
        values.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        values.put(StreamRecOptions.REDIS_URL.key(), redis.url());
        values.put(StreamRecOptions.REDIS_PREFIX.key(), PREFIX);
        values.put(StreamRecOptions.KAFKA_START.key(), "earliest");
        values.put(StreamRecOptions.REFRESH_INTERVAL.key(), "200 ms");
        values.put(StreamRecOptions.DIMENSION.key(), "16");
        values.put(StreamRecOptions.PARALLELISM.key(), "2");
        StreamRecOptions options = StreamRecOptions.fromMap(values);
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin client = Admin.create(admin)) {
            JobTopics.ensure(client, options, 2, 60_000);
        }

        int restPort = freePort();
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "hashmap");
        conf.setString("execution.checkpointing.interval", "500 ms");
        conf.setString("execution.checkpointing.min-pause", "0 ms");
        conf.setString("execution.checkpointing.timeout", "1 min");
        conf.setString("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        conf.setString("taskmanager.numberOfTaskSlots", "2");
        conf.setString("rest.port", Integer.toString(restPort));
        conf.setString("rest.bind-port", Integer.toString(restPort));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(2);
        StreamRecJob.configure(env, options);
        StreamRecJob.buildWithKafkaAndRedis(env, options);
        job = env.executeAsync(JOB_NAME);

        InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(60).items(120).seed(13).startTimestampMillis(System.currentTimeMillis()).build());
        String topic = options.get(StreamRecOptions.TOPIC_INTERACTIONS);
        send(generator, topic, 1200);
        // the page samples the quality figures while the second round is measured, in two halves that
        // each wait until Redis reflects them: at least two versions of the figures reach the page
        // while it samples, however the first poll and the job's checkpoints fall on a loaded machine
        page = RecommendationsPage.start("localhost", 0, redis.url(), PREFIX, "http://localhost:" + restPort,
                Duration.ofMillis(300));
        send(generator, topic, 600);
        send(generator, topic, 600);
    }

    private static void send(InteractionGenerator generator, String topic, int events) throws Exception {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            Interaction e = generator.nextInteraction();
            records.add(e.toJson());
            perUser.merge(e.user(), 1L, Long::sum);
            perItem.merge(e.item(), 1L, Long::sum);
        }
        try (InteractionProducer producer = new InteractionProducer(kafka.bootstrapServers())) {
            producer.send(topic, records.iterator(), Double.POSITIVE_INFINITY);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (Jedis jedis = jedis()) {
            while (!InteractionCounts.mismatches(jedis, PREFIX, perUser, perItem).isEmpty()) {
                assertThat(System.nanoTime()).as("every event reflected in Redis within 120 s").isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (page != null) {
            page.close();
        }
        if (job != null) {
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
    void apiAnswersWhatRedisAndFlinkHold() throws Exception {
        String user = mostActiveUser();
        JsonNode answer = get("api/user?id=" + user);
        try (Jedis jedis = jedis()) {
            List<Tuple> list = jedis.zrevrangeWithScores(PREFIX + user, 0, -1);
            assertThat(answer.path("hasList").asBoolean()).isTrue();
            assertThat(answer.path("list").findValuesAsText("item")).isEqualTo(list.stream().map(Tuple::getElement).toList());
            assertThat(answer.path("meta").path("interactions").asLong()).isEqualTo(perUser.get(user));
            assertThat(answer.path("meta").path("version").asText())
                    .isEqualTo(jedis.hget(RedisKeys.meta(PREFIX + user), "version"));

            JsonNode nobody = get("api/user?id=nobody%20at%20all");
            assertThat(nobody.path("hasList").asBoolean()).isFalse();
            assertThat(nobody.path("user").asText()).isEqualTo("nobody at all");
            assertThat(nobody.path("list").findValuesAsText("item"))
                    .isEqualTo(jedis.zrevrange(RedisKeys.popularList(PREFIX), 0, 99));

            String item = list.get(0).getElement();
            assertThat(get("api/item?id=" + item).path("meta").path("interactions").asLong()).isEqualTo(perItem.get(item));
            assertThat(get("api/item?id=no-such-item").path("known").asBoolean()).isFalse();
            // its similar items, as the job wrote them (every item in the model gets a list: wait for the first)
            long deadline = System.currentTimeMillis() + 30_000;
            while (jedis.zcard(RedisKeys.similarItems(PREFIX, item)) == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            List<String> similar = jedis.zrevrange(RedisKeys.similarItems(PREFIX, item), 0, 99);
            assertThat(similar).isNotEmpty().doesNotContain(item);
            assertThat(get("api/item?id=" + item).path("similar").findValuesAsText("item")).isEqualTo(similar);

            JsonNode quality = get("api/quality");
            assertThat(quality.path("current").path("figures").fieldNames()).toIterable()
                    .containsAll(jedis.zrange(RedisKeys.metrics(PREFIX), 0, -1));
            assertThat(quality.path("history").size()).isPositive();
        }
        JsonNode status = get("api/job");
        assertThat(status.path("reachable").asBoolean()).isTrue();
        assertThat(status.path("jobs").findValuesAsText("name")).contains(JOB_NAME);
        assertThat(status.path("checkpoints").path("completed").asLong()).isPositive();
        assertThat(get("api/user").path("error").asText()).contains("give a user");
    }

    @Test
    void followsThePromotedPrefixOnEveryRequest() throws Exception {
        String user = mostActiveUser();
        String candidate = "cand:";
        try (Jedis jedis = jedis()) {
            // what a candidate deployment wrote under its own prefix (one list, its meta)
            jedis.zadd(candidate + user, Map.of("i-cand-1", 2.0, "i-cand-2", 1.0));
            jedis.hset(RedisKeys.meta(candidate + user), Map.of("version", "7", "interactions", "3"));
            assertThat(get("api/user?id=" + user).path("list").findValuesAsText("item")).doesNotContain("i-cand-1");
            jedis.set(RedisKeys.activeAlias(PREFIX), candidate);
            try {
                JsonNode answer = get("api/user?id=" + user);
                assertThat(answer.path("list").findValuesAsText("item")).containsExactly("i-cand-1", "i-cand-2");
                assertThat(answer.path("meta").path("version").asText()).isEqualTo("7");
                assertThat(get("api/job").path("prefix").asText()).isEqualTo(candidate);
                assertThat(get("api/job").path("basePrefix").asText()).isEqualTo(PREFIX);
            } finally {
                jedis.del(RedisKeys.activeAlias(PREFIX), candidate + user, RedisKeys.meta(candidate + user));
            }
            assertThat(get("api/user?id=" + user).path("list").findValuesAsText("item"))
                    .isEqualTo(jedis.zrevrange(PREFIX + user, 0, -1));
            assertThat(get("api/job").path("prefix").asText()).isEqualTo(PREFIX);
        }
    }

    @Test
    void pageShowsListsItemStatsQualityAndTheJobInABrowser() throws Exception {
        Optional<Path[]> browser = HeadlessChromium.installed();
        assumeTrue(browser.isPresent(), "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
        String user = mostActiveUser();
        try (HeadlessChromium chromium = new HeadlessChromium(browser.get()[0], browser.get()[1], 1400, 1250);
             Jedis jedis = jedis()) {
            chromium.open(page.url());

            // the job's state and checkpoints, from the Flink REST API
            chromium.await("return document.getElementById('job-state').textContent", v -> v.asText().equals("RUNNING"),
                    Duration.ofSeconds(20), "the job state");
            assertThat(chromium.text("#job-name")).isEqualTo(JOB_NAME);
            assertThat(chromium.text("#job-id")).isEqualTo(job.getJobID().toString());
            assertThat(chromium.text("#job-checkpoints")).matches("\\d+ completed, \\d+ failed; latest #\\d+: .*");

            // live quality: the figures in Redis, and a chart over the samples taken while the job learned
            double evaluated = jedis.zscore(RedisKeys.metrics(PREFIX), "evaluated:total");
            assertThat(evaluated).as("interactions of the second round measured").isPositive();
            String cell = "return (document.querySelector('#quality-figures tr[data-figure=\"%s\"] td[data-window=\"total\"]') || {}).textContent || ''";
            chromium.await(String.format(cell, "hr@10"), v -> !v.asText().isEmpty(), Duration.ofSeconds(10), "quality table");
            for (String hr : List.of("hr@10", "hr@20")) { // lists of 20 (recs.top-n): HR@10 and HR@20
                double hitRate = jedis.zscore(RedisKeys.metrics(PREFIX), hr + ":total");
                assertThat(chromium.script(String.format(cell, hr)).asText()).as(hr)
                        .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f %%", 100 * hitRate));
            }
            assertThat(chromium.script(String.format(cell, "evaluated")).asText().replace(",", ""))
                    .isEqualTo(Long.toString(Math.round(evaluated)));
            JsonNode samples = chromium.await(
                    "const l = document.getElementById('quality-line'); return l ? Number(l.getAttribute('data-samples')) : 0",
                    v -> v.asInt() >= 2, Duration.ofSeconds(10), "a chart of at least two samples");
            assertThat(samples.asInt()).isLessThanOrEqualTo(get("api/quality").path("history").size());

            // the popular list, as in Redis
            List<String> popular = jedis.zrevrange(RedisKeys.popularList(PREFIX), 0, 19);
            chromium.await(rowsScript("popular-list"), v -> v.size() == popular.size(), Duration.ofSeconds(10), "popular list");
            assertThat(items(chromium.script(rowsScript("popular-list")))).isEqualTo(popular);

            // search a user: their list with scores and meta, as in Redis
            chromium.type("#user-input", user);
            chromium.click("#user-search");
            chromium.await("return document.getElementById('user-heading').textContent", v -> v.asText().startsWith(user + "'s list"),
                    Duration.ofSeconds(10), "the user's list");
            List<Tuple> list = jedis.zrevrangeWithScores(PREFIX + user, 0, -1);
            JsonNode rows = chromium.script(rowsScript("user-list"));
            assertThat(items(rows)).isEqualTo(list.stream().map(Tuple::getElement).toList());
            for (int i = 0; i < list.size(); i++) {
                assertThat(Double.parseDouble(rows.get(i).get(2).asText())).as("score of %s", list.get(i).getElement())
                        .isCloseTo(list.get(i).getScore(), within(0.00005 + 1e-9));
                assertThat(rows.get(i).get(0).asText()).isEqualTo(Integer.toString(i + 1));
            }
            Map<String, String> meta = jedis.hgetAll(RedisKeys.meta(PREFIX + user));
            assertThat(chromium.text("#meta-version")).isEqualTo(meta.get("version"));
            assertThat(chromium.text("#meta-interactions")).isEqualTo(Long.toString(perUser.get(user)));
            assertThat(chromium.text("#meta-updated")).startsWith(
                    Instant.ofEpochMilli(Long.parseLong(meta.get("updated"))).toString().substring(0, 19).replace('T', ' '));
            chromium.screenshot(Path.of("target", "ui", "recommendations-page.png"));

            // click the user's first item: its stats, as in Redis
            String item = list.get(0).getElement();
            chromium.click("#user-list tbody tr:first-child a.item-link");
            chromium.await("return document.getElementById('item-heading').textContent", v -> v.asText().equals(item),
                    Duration.ofSeconds(10), "the item's stats");
            Map<String, String> itemMeta = jedis.hgetAll(RedisKeys.meta(RedisKeys.item(PREFIX, item)));
            assertThat(chromium.text("#item-interactions")).isEqualTo(itemMeta.get("interactions")).isEqualTo(Long.toString(perItem.get(item)));
            assertThat(Double.parseDouble(chromium.text("#item-bias"))).isCloseTo(Double.parseDouble(itemMeta.get("bias")), within(0.00005 + 1e-9));
            assertThat(items(chromium.script(rowsScript("similar-list"))))
                    .isEqualTo(jedis.zrevrange(RedisKeys.similarItems(PREFIX, item), 0, 99));

            // a user without a list sees the popular list, and is told so
            chromium.type("#user-input", "nobody-at-all");
            chromium.click("#user-search");
            chromium.await("return document.getElementById('user-heading').textContent",
                    v -> v.asText().equals("nobody-at-all has no list yet; the most popular items:"), Duration.ofSeconds(10), "fallback");
            assertThat(items(chromium.script(rowsScript("user-list")))).isEqualTo(jedis.zrevrange(RedisKeys.popularList(PREFIX), 0, 99));

            // a deep link to a user's list, for the README's screenshot
            chromium.open(page.url() + "#user=" + user);
            chromium.await("return document.getElementById('user-heading').textContent", v -> v.asText().startsWith(user + "'s list"),
                    Duration.ofSeconds(10), "the linked user's list");
            chromium.click("#user-list tbody tr:first-child a.item-link");
            chromium.await("return document.getElementById('item-heading').textContent", v -> v.asText().equals(item),
                    Duration.ofSeconds(10), "the item's stats");
            chromium.screenshot(Path.of("target", "ui", "recommendations-page-item.png"));
        }
    }

    /** [rank, item, score] of each row of a list table. */
    private static String rowsScript(String table) {
        return "return [...document.querySelectorAll('#" + table + " tbody tr')].filter(r => r.cells.length === 3)"
                + ".map(r => [r.cells[0].textContent, r.cells[1].textContent, r.cells[2].textContent])";
    }

    private static List<String> items(JsonNode rows) {
        List<String> items = new ArrayList<>();
        rows.forEach(row -> items.add(row.get(1).asText()));
        return items;
    }

    private static String mostActiveUser() {
        return perUser.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).orElseThrow().getKey();
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(page.url() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static Jedis jedis() {
        return new Jedis(URI.create(redis.url()));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
