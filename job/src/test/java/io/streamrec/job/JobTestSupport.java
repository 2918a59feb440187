package io.streamrec.job;

import io.streamrec.sinks.redis.RedisSink;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Shared plumbing of the job ITCases: topics, options, environment, Redis checks. */
final class JobTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobTestSupport() {}

    /** A mini cluster for one ITCase class: one TaskManager, two slots (the jobs run at parallelism 2). */
    static org.apache.flink.test.junit5.MiniClusterExtension miniCluster() {
        return new org.apache.flink.test.junit5.MiniClusterExtension(
                new org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(2)
                        .setConfiguration(clusterConfiguration())
                        .build());
    }

    /** Builds the production graph with Kafka endpoints from {@code options} and the given Redis sink, and starts it. */
    static org.apache.flink.core.execution.JobClient start(StreamRecOptions options,
            org.apache.flink.api.connector.sink2.Sink<RedisRecord> redisSink, String name) throws Exception {
        StreamExecutionEnvironment env = environment();
        StreamRecJob.build(env, options,
                StreamRecJob.interactionsSource(options),
                StreamRecJob.gradientsSource(options, System.currentTimeMillis()),
                StreamRecJob.deadLetterSink(options),
                StreamRecJob.gradientsSink(options),
                redisSink);
        return env.executeAsync(name);
    }

    /**
     * Produces {@code data} to the topics named {@code name}, starts the job into Redis prefix
     * {@code prefix} and waits until every user's and item's count is in Redis.
     */
    static org.apache.flink.core.execution.JobClient startAndAwaitCounts(KafkaAndRedis infra, Topics topics,
            String prefix, StreamRecJobITCase.TestData data, Jedis jedis, String name) throws Exception {
        produce(infra.kafka(), topics.interactions(), data.payloads);
        StreamRecOptions options = options(infra.kafka(), infra.redis(), topics, prefix);
        org.apache.flink.core.execution.JobClient job = start(options, StreamRecJob.redisSink(options), name);
        await(() -> countsMatch(jedis, prefix, data.expectedPerUser, data.expectedPerItem), 180, "every count in Redis");
        return job;
    }

    static Configuration clusterConfiguration() {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "5");
        conf.setString("restart-strategy.fixed-delay.delay", "500 ms");
        return conf;
    }

    static StreamExecutionEnvironment environment() throws Exception {
        return environment(null);
    }

    /** The ITCases' environment, restored from {@code savepoint} when it is not null. */
    static StreamExecutionEnvironment environment(String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = clusterConfiguration();
        conf.setString("execution.checkpointing.dir",
                Files.createTempDirectory("streamrec-it-checkpoints").toUri().toString());
        if (savepoint != null) {
            conf.setString("execution.state-recovery.path", savepoint);
        }
        env.configure(conf);
        env.setParallelism(2);
        env.setMaxParallelism(128);
        env.enableCheckpointing(500, CheckpointingMode.EXACTLY_ONCE);
        return env;
    }

    record Topics(String interactions, String deadLetters, String gradients) {}

    static Topics topics(EmbeddedKafka kafka, String name) {
        Topics t = new Topics(name + "-interactions", name + "-dlq", name + "-gradients");
        kafka.createTopic(t.interactions, 2);
        kafka.createTopic(t.deadLetters, 1);
        kafka.createTopic(t.gradients, 2);
        return t;
    }

    static StreamRecOptions options(EmbeddedKafka kafka, RedisServerProcess redis, Topics topics, String prefix) {
        Map<String, String> values = new HashMap<>();
        values.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        values.put(StreamRecOptions.TOPIC_INTERACTIONS.key(), topics.interactions);
        values.put(StreamRecOptions.TOPIC_DEAD_LETTERS.key(), topics.deadLetters);
        values.put(StreamRecOptions.TOPIC_GRADIENTS.key(), topics.gradients);
        values.put(StreamRecOptions.KAFKA_GROUP.key(), "it-" + topics.interactions);
        values.put(StreamRecOptions.KAFKA_START.key(), "earliest");
        values.put(StreamRecOptions.TRANSACTIONAL_ID_PREFIX.key(), "it-" + topics.interactions);
        values.put(StreamRecOptions.REDIS_URL.key(), redis.url());
        values.put(StreamRecOptions.REDIS_PREFIX.key(), prefix);
        values.put(StreamRecOptions.REFRESH_INTERVAL.key(), "200 ms");
        values.put(StreamRecOptions.DIMENSION.key(), "16");
        values.put(StreamRecOptions.REDIS_MAX_RETRY.key(), "2 min");
        return StreamRecOptions.fromMap(values);
    }

    /**
     * Armed by a test to fail the Redis writer once. Static, not captured: the sink is serialized
     * into the job graph, and the mini cluster runs it in this JVM.
     */
    static final AtomicBoolean FAILURE_ARMED = new AtomicBoolean();
    static final AtomicInteger FAILURES_INJECTED = new AtomicInteger();

    /** The production Redis sink, but its serializer throws once after {@link #FAILURE_ARMED} is set. */
    static RedisSink<RedisRecord> redisSinkFailingOnce(StreamRecOptions options) {
        return RedisSink.<RedisRecord>builder()
                .setRedisUrl(options.get(StreamRecOptions.REDIS_URL))
                .setMaxRetryDuration(options.get(StreamRecOptions.REDIS_MAX_RETRY))
                .setSerializer(record -> {
                    if (FAILURE_ARMED.compareAndSet(true, false)) {
                        FAILURES_INJECTED.incrementAndGet();
                        throw new IllegalStateException("injected failure (test)");
                    }
                    return record.toWrite();
                })
                .build();
    }

    static void produce(EmbeddedKafka kafka, String topic, List<String> payloads) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (String p : payloads) {
                producer.send(new ProducerRecord<>(topic, p));
            }
            producer.flush();
        }
    }

    static List<Map<String, String>> readDeadLetters(EmbeddedKafka kafka, String topic, int atLeast) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Map<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            // read until the expected number arrived, then a little longer to catch duplicates
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(JSON.readValue(r.value(), new TypeReference<Map<String, Object>>() {}).entrySet().stream()
                            .collect(HashMap::new, (m, e) -> m.put(e.getKey(), String.valueOf(e.getValue())), HashMap::putAll));
                }
                if (out.size() >= atLeast && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.currentTimeMillis() + 2000;
                }
            }
        }
        return out;
    }

    /** The job's exception history from the cluster's REST API, as JSON text. */
    static String exceptionHistory(Configuration clientConfiguration, org.apache.flink.api.common.JobID job)
            throws Exception {
        return rest(clientConfiguration, "/jobs/" + job + "/exceptions");
    }

    /** The body of a GET of {@code path} from the cluster's REST API (the web UI's data). */
    static String rest(Configuration clientConfiguration, String path) throws Exception {
        String base = "http://" + clientConfiguration.getString("rest.address", "localhost") + ":"
                + clientConfiguration.getString("rest.port", "8081");
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        await(condition, seconds, () -> what);
    }

    /** As {@link #await(BooleanSupplier, int, String)}, with a description made when it times out. */
    static void await(BooleanSupplier condition, int seconds, Supplier<String> what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        fail("timed out after " + seconds + " s waiting for " + what.get());
    }

    static boolean countsMatch(Jedis jedis, String prefix, Map<String, Long> perUser, Map<String, Long> perItem) {
        return mismatches(jedis, prefix, perUser, perItem).isEmpty();
    }

    static void assertCountsExact(Jedis jedis, String prefix, Map<String, Long> perUser, Map<String, Long> perItem) {
        assertThat(mismatches(jedis, prefix, perUser, perItem)).isEmpty();
    }

    /** "key: expected X, found Y" for every user and item whose count in Redis differs. */
    static List<String> mismatches(Jedis jedis, String prefix, Map<String, Long> perUser, Map<String, Long> perItem) {
        return InteractionCounts.mismatches(jedis, prefix, perUser, perItem);
    }

    /** Reads every user's list version repeatedly and fails if one ever goes down. */
    static final class VersionMonitor {
        private final Jedis jedis;
        private final String prefix;
        private final List<String> users;
        private final Map<String, Long> seen = new HashMap<>();

        VersionMonitor(Jedis jedis, String prefix, Collection<String> users) {
            this.jedis = jedis;
            this.prefix = prefix;
            this.users = new ArrayList<>(users);
        }

        void check() {
            Pipeline p = jedis.pipelined();
            List<Response<String>> versions = new ArrayList<>();
            for (String u : users) {
                versions.add(p.hget(prefix + u + ":meta", "version"));
            }
            p.sync();
            for (int i = 0; i < users.size(); i++) {
                String v = versions.get(i).get();
                if (v != null) {
                    long version = Long.parseLong(v);
                    Long before = seen.put(users.get(i), version);
                    assertThat(version).as("version of %s", users.get(i)).isGreaterThanOrEqualTo(before == null ? 0 : before);
                }
            }
        }

        long usersWithLists() {
            check();
            return seen.size();
        }
    }
}
