package io.streamrec.cli;

import io.streamrec.job.StreamRecOptions;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka (in-process KRaft broker) and Redis (child process) on this machine, plus the helpers an
 * end-to-end run needs around them: topics, a local Flink environment, a producer, and the check
 * that every user's list in Redis reflects all of their events. Each run uses its own topic and
 * key namespace ({@link #namespace}), so one stack serves many runs in sequence. Close it to stop
 * both servers.
 */
final class LocalStack implements AutoCloseable {

    private final EmbeddedKafka kafka;
    private final RedisServerProcess redis;

    private LocalStack(EmbeddedKafka kafka, RedisServerProcess redis) {
        this.kafka = kafka;
        this.redis = redis;
    }

    static LocalStack start() {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            return new LocalStack(kafka, RedisServerProcess.start());
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    String redisUrl() {
        return redis.url();
    }

    Jedis jedis() {
        return new Jedis(URI.create(redis.url()));
    }

    /**
     * Job options for one run named {@code name}: its own topics (created here with
     * {@code partitions} partitions), consumer group, transactional ids and Redis prefix, on top
     * of {@code base}.
     */
    StreamRecOptions namespace(String name, Map<String, String> base, int partitions) {
        Map<String, String> values = new LinkedHashMap<>(base);
        values.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        values.put(StreamRecOptions.REDIS_URL.key(), redis.url());
        values.put(StreamRecOptions.TOPIC_INTERACTIONS.key(), name + "-interactions");
        values.put(StreamRecOptions.TOPIC_GRADIENTS.key(), name + "-gradients");
        values.put(StreamRecOptions.TOPIC_DEAD_LETTERS.key(), name + "-dlq");
        values.put(StreamRecOptions.KAFKA_GROUP.key(), name);
        values.put(StreamRecOptions.TRANSACTIONAL_ID_PREFIX.key(), name);
        values.put(StreamRecOptions.REDIS_PREFIX.key(), name + ":");
        values.putIfAbsent(StreamRecOptions.KAFKA_START.key(), "earliest");
        StreamRecOptions options = StreamRecOptions.fromMap(values);
        kafka.createTopic(options.get(StreamRecOptions.TOPIC_INTERACTIONS), partitions);
        kafka.createTopic(options.get(StreamRecOptions.TOPIC_GRADIENTS), partitions);
        kafka.createTopic(options.get(StreamRecOptions.TOPIC_DEAD_LETTERS), 1);
        return options;
    }

    /** A local mini-cluster environment: heap state, the given checkpoint interval, no web UI. */
    static StreamExecutionEnvironment environment(int parallelism, long checkpointMillis) throws Exception {
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
    void produce(String topic, Iterable<Map.Entry<String, String>> records) {
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
     * Users whose list meta in Redis does not yet count {@code expected} interactions (the
     * {@code interactions} field of {@code {prefix}{user}:meta}).
     */
    static List<String> usersBehind(Jedis jedis, String prefix, Map<String, Long> expected) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(expected.entrySet());
        Pipeline pipeline = jedis.pipelined();
        List<Response<String>> applied = new ArrayList<>(entries.size());
        for (Map.Entry<String, Long> e : entries) {
            applied.add(pipeline.hget(prefix + e.getKey() + ":meta", "interactions"));
        }
        pipeline.sync();
        List<String> behind = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String value = applied.get(i).get();
            if (value == null || Long.parseLong(value) < entries.get(i).getValue()) {
                behind.add(entries.get(i).getKey());
            }
        }
        return behind;
    }

    /** Each user's list from Redis, best first (at most {@code n} items). */
    static Map<String, List<String>> lists(Jedis jedis, String prefix, Iterable<String> users, int n) {
        Map<String, Response<List<String>>> responses = new LinkedHashMap<>();
        Pipeline pipeline = jedis.pipelined();
        for (String user : users) {
            responses.put(user, pipeline.zrevrange(prefix + user, 0, n - 1));
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

    @Override
    public void close() {
        try {
            redis.close();
        } finally {
            kafka.close();
        }
    }
}
