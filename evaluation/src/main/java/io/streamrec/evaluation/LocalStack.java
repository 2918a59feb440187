package io.streamrec.evaluation;

import io.streamrec.job.JobTopics;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.net.URI;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka (in-process KRaft broker) and Redis (child process) on this machine, plus the helpers an
 * end-to-end run needs around them: topics, a local Flink environment, a producer, the dead letters
 * summarised, and the users' lists read back (whether every list counts all of a user's events is
 * {@link io.streamrec.job.InteractionCounts}'s). Each run uses its own topic and
 * key namespace ({@link #namespace}), so one stack serves many runs in sequence. Close it to stop
 * both servers.
 */
public final class LocalStack implements AutoCloseable {

    private final EmbeddedKafka kafka;
    private final RedisServerProcess redis;

    private LocalStack(EmbeddedKafka kafka, RedisServerProcess redis) {
        this.kafka = kafka;
        this.redis = redis;
    }

    public static LocalStack start() {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            return new LocalStack(kafka, RedisServerProcess.start());
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String redisUrl() {
        return redis.url();
    }

    public Jedis jedis() {
        return new Jedis(URI.create(redis.url()));
    }

    /**
     * Job options for one run named {@code name}: its own topics (created here with
     * {@code partitions} partitions), consumer group, transactional ids and Redis prefix, on top
     * of {@code base}.
     */
    public StreamRecOptions namespace(String name, Map<String, String> base, int partitions) {
        Map<String, String> values = new LinkedHashMap<>(base);
        values.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        values.put(StreamRecOptions.REDIS_URL.key(), redis.url());
        values.put(StreamRecOptions.TOPIC_INTERACTIONS.key(), name + "-interactions");
        values.put(StreamRecOptions.TOPIC_GRADIENTS.key(), name + "-gradients");
        values.put(StreamRecOptions.TOPIC_DEAD_LETTERS.key(), name + "-dlq");
        values.put(StreamRecOptions.TOPIC_ITEMS.key(), name + "-items");
        values.put(StreamRecOptions.KAFKA_GROUP.key(), name);
        values.put(StreamRecOptions.TRANSACTIONAL_ID_PREFIX.key(), name);
        values.put(StreamRecOptions.REDIS_PREFIX.key(), name + ":");
        values.putIfAbsent(StreamRecOptions.KAFKA_START.key(), "earliest");
        StreamRecOptions options = StreamRecOptions.fromMap(values);
        for (String topic : JobTopics.of(options)) {
            kafka.createTopic(topic, partitions);
        }
        return options;
    }

    /** A local mini-cluster environment: heap state, the given checkpoint interval, no web UI. */
    public static StreamExecutionEnvironment environment(int parallelism, long checkpointMillis) throws Exception {
        Configuration conf = new Configuration();
        Path work = Files.createTempDirectory("streamrec-eval-");
        conf.setString("state.backend.type", "hashmap");
        conf.setString("execution.checkpointing.interval", checkpointMillis + " ms");
        conf.setString("execution.checkpointing.min-pause", "0 ms");
        // short enough that a gradient transaction cannot expire (StreamRecJob.configure checks it)
        conf.setString("execution.checkpointing.timeout", "1 min");
        conf.setString("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "1 s");
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
        conf.setString("parallelism.default", Integer.toString(parallelism));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    /** Sends (key, value) records to the topic, in order, and waits until all are acknowledged. */
    public void produce(String topic, Iterable<Map.Entry<String, String>> records) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (Map.Entry<String, String> r : records) {
                producer.send(new ProducerRecord<>(topic, r.getKey(), r.getValue()));
            }
            producer.flush();
        }
    }

    /**
     * The committed records of a dead-letter topic, summarised: for each rejection reason, its count
     * and the first rejected payload (for a message that says why a run made no progress).
     */
    public Map<String, String> deadLetters(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, Long> counts = new TreeMap<>();
        Map<String, String> examples = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 10_000;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    String reason = "unreadable";
                    String payload = r.value();
                    try {
                        JsonNode node = json.readTree(r.value());
                        reason = node.path("reason").asText("unknown") + " (" + node.path("detail").asText("") + ")";
                        payload = node.path("payload").asText(r.value());
                    } catch (Exception ignored) {
                        // keep the raw record as the example
                    }
                    String key = reason.contains(" (") ? reason.substring(0, reason.indexOf(" (")) : reason;
                    counts.merge(key, 1L, Long::sum);
                    examples.putIfAbsent(key, reason + ", e.g. " + payload);
                }
            }
        }
        Map<String, String> out = new TreeMap<>();
        counts.forEach((reason, n) -> out.put(reason, n + " records: " + examples.get(reason)));
        return out;
    }

    /** Each user's list from Redis, best first (at most {@code n} items). */
    public static Map<String, List<String>> lists(Jedis jedis, String prefix, Iterable<String> users, int n) {
        Map<String, Response<List<String>>> responses = new LinkedHashMap<>();
        Pipeline pipeline = jedis.pipelined();
        for (String user : users) {
            responses.put(user, pipeline.zrevrange(RedisKeys.userList(prefix, user), 0, n - 1));
        }
        pipeline.sync();
        Map<String, List<String>> out = new LinkedHashMap<>();
        responses.forEach((user, r) -> {
            List<String> items = r.get();
            if (items != null && !items.isEmpty()) {
                out.put(user, items);
            }
        });
        return out;
    }

    /** The first {@code n} of each item's similar list ({@code {prefix}_sim:{item}}), for items that have one. */
    public static Map<String, List<String>> similarLists(Jedis jedis, String prefix, Iterable<String> items, int n) {
        Map<String, Response<List<String>>> responses = new LinkedHashMap<>();
        Pipeline pipeline = jedis.pipelined();
        for (String item : items) {
            responses.put(item, pipeline.zrevrange(RedisKeys.similarItems(prefix, item), 0, n - 1));
        }
        pipeline.sync();
        Map<String, List<String>> out = new LinkedHashMap<>();
        responses.forEach((item, r) -> {
            if (r.get() != null && !r.get().isEmpty()) {
                out.put(item, r.get());
            }
        });
        return out;
    }

    /**
     * The sum (modulo 2^64) of the versions of the items' similar lists, 0 for an item without one:
     * it changes whenever a list does.
     */
    public static long similarListVersions(Jedis jedis, String prefix, Iterable<String> items) {
        List<Response<String>> responses = new java.util.ArrayList<>();
        Pipeline pipeline = jedis.pipelined();
        for (String item : items) {
            responses.add(pipeline.hget(RedisKeys.meta(RedisKeys.similarItems(prefix, item)), "version"));
        }
        pipeline.sync();
        long sum = 0;
        for (Response<String> r : responses) {
            sum += r.get() == null ? 0 : Long.parseLong(r.get());
        }
        return sum;
    }

    @Override
    public void close() {
        try {
            redis.close();
        } finally {
            kafka.close();
        }
    }
}
