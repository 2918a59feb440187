package io.streamrec.modelexport;

import io.streamrec.job.StreamRecJob;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/** Runs the production job graph for the model ITCases: Kafka topics, options, start (optionally from a savepoint), Redis counts. */
final class ModelJobSupport {
    private ModelJobSupport() {}

    static Configuration clusterConfiguration() {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "500 ms");
        return conf;
    }

    /** Starts the job graph of {@link StreamRecJob#build}, restored from {@code savepoint} when it is not null. */
    static JobClient start(StreamRecOptions options, String savepoint, String name) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = clusterConfiguration();
        conf.setString("execution.checkpointing.dir",
                Files.createTempDirectory("streamrec-model-it-checkpoints").toUri().toString());
        if (savepoint != null) {
            conf.setString("execution.state-recovery.path", savepoint);
        }
        env.configure(conf);
        env.setParallelism(2);
        env.setMaxParallelism(options.get(StreamRecOptions.MAX_PARALLELISM));
        env.enableCheckpointing(500, CheckpointingMode.EXACTLY_ONCE);
        StreamRecJob.buildWithKafkaAndRedis(env, options);
        return env.executeAsync(name);
    }

    static StreamRecOptions options(EmbeddedKafka kafka, RedisServerProcess redis, String name, int dimension) {
        kafka.createTopic(name + "-interactions", 2);
        kafka.createTopic(name + "-dlq", 1);
        kafka.createTopic(name + "-gradients", 2);
        Map<String, String> values = new HashMap<>();
        values.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        values.put(StreamRecOptions.TOPIC_INTERACTIONS.key(), name + "-interactions");
        values.put(StreamRecOptions.TOPIC_DEAD_LETTERS.key(), name + "-dlq");
        values.put(StreamRecOptions.TOPIC_GRADIENTS.key(), name + "-gradients");
        values.put(StreamRecOptions.KAFKA_GROUP.key(), "it-" + name);
        values.put(StreamRecOptions.KAFKA_START.key(), "earliest");
        values.put(StreamRecOptions.TRANSACTIONAL_ID_PREFIX.key(), "it-" + name);
        values.put(StreamRecOptions.REDIS_URL.key(), redis.url());
        values.put(StreamRecOptions.REDIS_PREFIX.key(), name + ":");
        values.put(StreamRecOptions.REFRESH_INTERVAL.key(), "200 ms");
        values.put(StreamRecOptions.DIMENSION.key(), Integer.toString(dimension));
        return StreamRecOptions.fromMap(values);
    }

    /** Distinct valid interactions; counts per user and per item. */
    static final class Interactions {
        final List<String> payloads = new ArrayList<>();
        final Map<String, Long> perUser = new HashMap<>();
        final Map<String, Long> perItem = new HashMap<>();

        static Interactions generate(String idPrefix, int users, int items, int events, long seed) {
            Interactions d = new Interactions();
            SplittableRandom random = new SplittableRandom(seed);
            String[] types = {"view", "click", "click", "cart", "purchase", "like", "dislike", "rating"};
            long ts = 1_700_000_000_000L;
            for (int i = 0; i < events; i++) {
                String user = "u" + random.nextInt(users);
                String item = "i" + (int) Math.floor(items * Math.pow(random.nextDouble(), 2));
                String type = types[random.nextInt(types.length)];
                ts += random.nextInt(1, 2000);
                String value = type.equals("rating") ? ",\"value\":" + (1 + random.nextInt(5)) : "";
                d.payloads.add("{\"id\":\"" + idPrefix + i + "\",\"user\":\"" + user + "\",\"item\":\"" + item
                        + "\",\"type\":\"" + type + "\"" + value + ",\"ts\":" + ts + "}");
                d.perUser.merge(user, 1L, Long::sum);
                d.perItem.merge(item, 1L, Long::sum);
            }
            return d;
        }
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

    /** "key: expected X, found Y" for every user and item whose interaction count in Redis differs. */
    static List<String> mismatches(Jedis jedis, String prefix, Map<String, Long> perUser, Map<String, Long> perItem) {
        return io.streamrec.job.InteractionCounts.mismatches(jedis, prefix, perUser, perItem);
    }

    static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        fail("timed out after " + seconds + " s waiting for " + what);
    }
}
