package io.streamrec.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11: a producer floods the interactions topic, mixed into a normal stream, with 1,000,000
 * distinct junk ids (500,000 valid events, each from a new user about a new item), oversized and
 * malformed records and random bytes. With a cap on items and a user TTL the job stays bounded —
 * items in the model at most {@code model.max-items}, live users only those active within
 * {@code state.user-ttl}, so the checkpoint and Redis stay small — while every normal user's
 * list is there with the exact count of their interactions, every normal item's count is exact,
 * and every rejected record is in the dead-letter topic with its reason (valid + rejected =
 * produced, from the validator's own counters). The figures are printed for the closing note.
 */
class HostileProducerITCase {

    /** The validator's counters, read in this JVM (the mini cluster's REST API has no metric store). */
    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(METRICS.addToConfiguration(JobTestSupport.clusterConfiguration()))
                    .build());

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Valid junk events, each with a new user and a new item: -Dflood.junk-events (CI: 20,000). */
    private static final int JUNK_EVENTS = Integer.getInteger("flood.junk-events", 20_000);
    private static final int NORMAL_USERS = 30;
    private static final int NORMAL_ITEMS = 40;
    private static final int MAX_ITEMS = 2_000;
    private static final Duration TIMELINE = Duration.ofHours(48);
    private static final Duration USER_TTL = Duration.ofHours(2);

    @Test
    void aFloodOfJunkIdsAndBadRecordsStaysWithinTheBoundsAndNormalUsersKeepTheirLists() throws Exception {
        Flood flood = Flood.generate(System.currentTimeMillis() - Duration.ofMinutes(5).toMillis(), 23);
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "flood");
        // the catalogue is in the model before the flood starts: the two source subtasks read their
        // partitions at their own pace, so produced together, one partition's junk items could fill
        // the cap before the other's normal items arrive, and the cap rightly refuses those
        produce(topics.interactions(), flood.records.subList(0, NORMAL_ITEMS), 0);

        Map<String, String> values = new HashMap<>(JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, "fl:").toMap());
        values.put("model.max-items", Integer.toString(MAX_ITEMS));
        values.put(StreamRecOptions.USER_TTL.key(), USER_TTL.toMinutes() + " min");
        values.put(StreamRecOptions.DEDUP_WINDOW.key(), "10 min");
        values.put(StreamRecOptions.REFRESH_INTERVAL.key(), "1 s");
        StreamRecOptions options = StreamRecOptions.fromMap(values);
        long started = System.nanoTime();
        JobClient job = JobTestSupport.start(options, StreamRecJob.redisSink(options), "hostile producer ITCase");
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            Configuration client = CLUSTER.getClientConfiguration();
            JobTestSupport.await(() -> catalogueInRedis(jedis) == NORMAL_ITEMS, 300, "the normal catalogue's items in Redis");
            produce(topics.interactions(), flood.records.subList(NORMAL_ITEMS, flood.records.size()), NORMAL_ITEMS);
            JobTestSupport.await(() -> {
                long seen = validatorCount(client, job, "interactionsValid") + validatorCount(client, job, "interactionsRejected");
                System.out.println("flood: validator has seen " + seen + " of " + flood.records.size());
                return seen == flood.records.size();
            }, 900, "the validator to have seen every produced record");
            List<String> lastOff = new ArrayList<>();
            JobTestSupport.await(() -> {
                List<String> off = JobTestSupport.mismatches(jedis, "fl:", flood.perNormalUser, flood.perNormalItem);
                lastOff.clear();
                lastOff.addAll(off.subList(0, Math.min(10, off.size())));
                if (!off.isEmpty()) {
                    System.out.println("flood: " + off.size() + " counts off, e.g. " + lastOff);
                }
                return off.isEmpty();
            }, 300, () -> "every normal user's and item's exact count in Redis (still off: " + lastOff + ")");
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;

            assertThat(validatorCount(client, job, "interactionsValid")).as("valid").isEqualTo(flood.valid);
            assertThat(validatorCount(client, job, "interactionsRejected")).as("rejected").isEqualTo(flood.rejected());
            List<Map<String, String>> dead = JobTestSupport.readDeadLetters(INFRA.kafka(), topics.deadLetters(), (int) flood.rejected());
            assertThat(dead).as("dead letters").hasSize((int) flood.rejected());
            Map<String, Long> reasons = new HashMap<>();
            dead.forEach(d -> reasons.merge(d.get("reason"), 1L, Long::sum));
            assertThat(reasons).as("dead letters by reason").isEqualTo(flood.rejectedByReason);

            for (String user : flood.perNormalUser.keySet()) {
                assertThat(jedis.zcard("fl:" + user)).as("list of %s", user).isPositive();
            }
            // bounded: items by the cap, users by the TTL (expired junk users' keys are deleted)
            long itemKeys = jedis.keys("fl:_item:*").size();
            // expiry rounds up by 1% of the TTL; deletions reach Redis with the next checkpoint
            long aliveBound = flood.junkUsersActiveWithin(USER_TTL.plus(USER_TTL.dividedBy(50)).plus(Duration.ofMinutes(2)));
            JobTestSupport.await(() -> junkLists(jedis) <= aliveBound, 60, "expired junk users' lists to be deleted");
            long userLists = junkLists(jedis);
            long redisBytes = usedMemory(jedis);
            long checkpointBytes = latestCheckpointBytes(client, job);
            System.gc();
            long heapBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf("hostile flood: %d records (%d valid, %d rejected) in %d s; item keys %d (cap %d); junk users "
                            + "with a list %d (bound %d of %d); Redis used_memory %.1f MiB; last checkpoint %.1f MiB; "
                            + "test JVM heap after GC %.0f MiB%n",
                    flood.records.size(), flood.valid, flood.rejected(), seconds, itemKeys, MAX_ITEMS, userLists, aliveBound,
                    JUNK_EVENTS, redisBytes / 1048576.0, checkpointBytes / 1048576.0, heapBytes / 1048576.0);
            assertThat(itemKeys).as("items in Redis").isLessThanOrEqualTo(MAX_ITEMS);
            assertThat(userLists).as("junk users with a list").isLessThanOrEqualTo(aliveBound);
            // without the bounds: 500,000 lists (over 500 MiB) and as many users and items in state
            assertThat(redisBytes).as("Redis used_memory").isLessThan(256L << 20);
            assertThat(checkpointBytes).as("checkpoint size").isPositive().isLessThan(128L << 20);
        } finally {
            job.cancel().get();
        }
    }

    /** The normal stream with the flood mixed in, in time order, and what the job must make of it. */
    private static final class Flood {
        final List<byte[]> records = new ArrayList<>();
        final Map<String, Long> perNormalUser = new HashMap<>();
        final Map<String, Long> perNormalItem = new HashMap<>();
        final Map<String, Long> rejectedByReason = new HashMap<>();
        final List<Long> junkTimestamps = new ArrayList<>();
        long valid;
        long end;

        long rejected() {
            return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
        }

        long junkUsersActiveWithin(Duration window) {
            return junkTimestamps.stream().filter(ts -> ts >= end - window.toMillis()).count();
        }

        static Flood generate(long end, long seed) {
            Flood f = new Flood();
            f.end = end;
            SplittableRandom random = new SplittableRandom(seed);
            long start = end - TIMELINE.toMillis();
            // the normal catalogue exists before the flood: one event per item first
            for (int i = 0; i < NORMAL_ITEMS; i++) {
                f.normal("u" + (i % NORMAL_USERS), "i" + i, start + i, "w-" + i);
            }
            // a normal event every 2 minutes of event time, users in turn: each normal user every hour, well within the TTL
            long nextNormal = start + 1_000;
            int normalEvents = 0;
            for (int n = 0; n < JUNK_EVENTS; n++) {
                long ts = start + 1_000 + (long) ((double) n / JUNK_EVENTS * (TIMELINE.toMillis() - 2_000));
                f.add(("{\"id\":\"junk-" + n + "\",\"user\":\"junk-u-" + n + "\",\"item\":\"junk-i-" + n
                        + "\",\"type\":\"click\",\"ts\":" + ts + "}").getBytes(StandardCharsets.UTF_8));
                f.valid++;
                f.junkTimestamps.add(ts);
                while (ts >= nextNormal) {
                    f.normal("u" + (normalEvents % NORMAL_USERS), "i" + random.nextInt(NORMAL_ITEMS), ts, "n-" + normalEvents);
                    normalEvents++;
                    nextNormal += Duration.ofMinutes(2).toMillis();
                }
                if (n % 50 == 7) {
                    f.bad(randomBytes(random), null);
                } else if (n % 50 == 17) {
                    f.bad(("{\"id\":\"b" + n + "\",\"user\":\"junk\",\"item\":").getBytes(StandardCharsets.UTF_8), "not_json");
                } else if (n % 50 == 27) {
                    f.bad(("{\"id\":\"l" + n + "\",\"user\":\"" + "x".repeat(300 + random.nextInt(500)) + "\",\"item\":\"i1\","
                            + "\"type\":\"click\",\"ts\":" + ts + "}").getBytes(StandardCharsets.UTF_8), "field_too_long");
                } else if (n % 5_000 == 37) {
                    f.bad(("{\"id\":\"big" + n + "\",\"user\":\"u1\",\"item\":\"i1\",\"type\":\"click\",\"ts\":" + ts
                            + ",\"pad\":\"" + "p".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8), "payload_too_large");
                }
            }
            return f;
        }

        private void normal(String user, String item, long ts, String id) {
            add(("{\"id\":\"" + id + "\",\"user\":\"" + user + "\",\"item\":\"" + item + "\",\"type\":\"click\",\"ts\":" + ts
                    + "}").getBytes(StandardCharsets.UTF_8));
            valid++;
            perNormalUser.merge(user, 1L, Long::sum);
            perNormalItem.merge(item, 1L, Long::sum);
        }

        /** A record the job must reject; {@code reason} null: whatever the parser says of random bytes. */
        private void bad(byte[] payload, String reason) {
            add(payload);
            rejectedByReason.merge(reason != null ? reason : expectedReasonOfRandomBytes(payload), 1L, Long::sum);
        }

        private void add(byte[] payload) {
            records.add(payload);
        }
    }

    /** 1 to 200 random bytes that start with a byte no JSON text starts with (so: never valid). */
    private static byte[] randomBytes(SplittableRandom random) {
        byte[] b = new byte[1 + random.nextInt(200)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        b[0] = (byte) (0x80 | random.nextInt(0x40)); // a UTF-8 continuation byte: not JSON
        return b;
    }

    private static String expectedReasonOfRandomBytes(byte[] payload) {
        return "not_json";
    }

    /** How many of the normal catalogue's items have their meta key in Redis. */
    private static int catalogueInRedis(Jedis jedis) {
        int present = 0;
        for (int i = 0; i < NORMAL_ITEMS; i++) {
            present += jedis.exists("fl:_item:i" + i + ":meta") ? 1 : 0;
        }
        return present;
    }

    /** Sends {@code records}, the first being record number {@code first} of the whole stream. */
    private static void produce(String topic, List<byte[]> records, int first) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(1 << 20));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            // partitions in turn, so both partitions' event time (and the job's watermark, their minimum) keep up
            for (int i = 0; i < records.size(); i++) {
                producer.send(new ProducerRecord<>(topic, (first + i) % 2, null, records.get(i)));
            }
            producer.flush();
        }
    }

    private static long junkLists(Jedis jedis) {
        return jedis.keys("fl:junk-u-*").stream().filter(k -> !k.endsWith(":meta")).count();
    }

    private static long usedMemory(Jedis jedis) {
        for (String line : jedis.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("no used_memory in INFO memory");
    }

    private static long latestCheckpointBytes(Configuration client, JobClient job) throws Exception {
        JsonNode stats = JSON.readTree(JobTestSupport.rest(client, "/jobs/" + job.getJobID() + "/checkpoints"));
        JsonNode completed = stats.path("latest").path("completed");
        return completed.path("checkpointed_size").asLong(completed.path("state_size").asLong(0));
    }

    /** Sum over subtasks of a counter of the validator. */
    private static long validatorCount(Configuration client, JobClient job, String counter) {
        long sum = 0;
        for (Map.Entry<String, Metric> m : METRICS.findMetrics(job.getJobID(), counter).entrySet()) {
            if (m.getKey().endsWith("." + counter) && m.getValue() instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }
}
