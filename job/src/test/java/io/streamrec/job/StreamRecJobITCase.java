package io.streamrec.job;


import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real job graph on a Flink mini cluster (parallelism 2, RocksDB, exactly-once checkpoints)
 * against a real Kafka broker and a real Redis server, with a task failure in the middle.
 */
class StreamRecJobITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    @Test
    void appliesEveryDistinctEventExactlyOnceAcrossATaskFailure() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "eo");
        TestData data = TestData.generate(150, 250, 3000, 11);
        List<String> firstHalf = data.payloads.subList(0, data.payloads.size() / 2);
        List<String> secondHalf = data.payloads.subList(data.payloads.size() / 2, data.payloads.size());
        JobTestSupport.produce(INFRA.kafka(), topics.interactions(), firstHalf);

        StreamRecOptions options = JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, "eo:");
        JobClient job = JobTestSupport.start(options, JobTestSupport.redisSinkFailingOnce(options), "exactly-once ITCase");
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            JobTestSupport.VersionMonitor versions = new JobTestSupport.VersionMonitor(jedis, "eo:", data.expectedPerUser.keySet());
            // wait until a checkpoint has committed lists, then fail a task and send the rest
            JobTestSupport.await(() -> versions.usersWithLists() >= 20, 120, "first lists in Redis");
            JobTestSupport.FAILURE_ARMED.set(true);
            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), secondHalf);

            JobTestSupport.await(() -> {
                versions.check();
                return JobTestSupport.countsMatch(jedis, "eo:", data.expectedPerUser, data.expectedPerItem);
            }, 180, "per-user and per-item interaction counts in Redis");
            assertThat(JobTestSupport.FAILURES_INJECTED.get()).as("injected failures").isEqualTo(1);
            assertThat(JobTestSupport.exceptionHistory(CLUSTER.getClientConfiguration(), job.getJobID()))
                    .as("the job failed over because of the injected failure")
                    .contains("injected failure (test)");

            // nothing applied twice: the counts stay exact over further checkpoints
            Thread.sleep(3000);
            versions.check();
            JobTestSupport.assertCountsExact(jedis, "eo:", data.expectedPerUser, data.expectedPerItem);

            // every user has a list, and no list holds an item its user interacted with
            for (Map.Entry<String, Set<String>> e : data.itemsPerUser.entrySet()) {
                List<String> list = jedis.zrevrange("eo:" + e.getKey(), 0, -1);
                assertThat(list).as("list of %s", e.getKey()).isNotEmpty().doesNotContainAnyElementsOf(e.getValue());
                assertThat(list).hasSizeLessThanOrEqualTo(20);
            }
            assertThat(jedis.exists("eo:_popular")).isTrue();
        } finally {
            job.cancel().get();
        }

        // every malformed record is in the dead-letter topic exactly once, with its reason
        List<Map<String, String>> deadLetters = JobTestSupport.readDeadLetters(INFRA.kafka(), topics.deadLetters(), data.malformed.size());
        assertThat(deadLetters).hasSize(data.malformed.size());
        Map<String, String> reasonByPayload = new HashMap<>();
        deadLetters.forEach(d -> reasonByPayload.put(d.get("payload"), d.get("reason")));
        assertThat(reasonByPayload).isEqualTo(data.malformed);
        deadLetters.forEach(d -> assertThat(d.get("detail")).isNotBlank());
    }

    /** Deterministic input: valid events, duplicates of some of them, and malformed records. */
    static final class TestData {
        final List<String> payloads = new ArrayList<>();
        final Map<String, Long> expectedPerUser = new HashMap<>();
        final Map<String, Long> expectedPerItem = new HashMap<>();
        final Map<String, Set<String>> itemsPerUser = new HashMap<>();
        /** payload → expected reason */
        final Map<String, String> malformed = new HashMap<>();

        static TestData generate(int users, int items, int events, long seed) {
            TestData d = new TestData();
            java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
            String[] types = {"view", "view", "click", "click", "cart", "purchase", "like", "dislike", "rating"};
            List<String> valid = new ArrayList<>();
            long ts = 1_700_000_000_000L;
            for (int i = 0; i < events; i++) {
                String user = "u" + random.nextInt(users);
                // skewed item popularity
                String item = "i" + (int) Math.floor(items * Math.pow(random.nextDouble(), 2.5));
                String type = types[random.nextInt(types.length)];
                ts += random.nextInt(1, 2000);
                String value = type.equals("rating") ? ",\"value\":" + (1 + random.nextInt(5)) : "";
                String json = "{\"id\":\"e-" + i + "\",\"user\":\"" + user + "\",\"item\":\"" + item
                        + "\",\"type\":\"" + type + "\"" + value + ",\"ts\":" + ts + "}";
                valid.add(json);
                d.expectedPerUser.merge(user, 1L, Long::sum);
                d.expectedPerItem.merge(item, 1L, Long::sum);
                d.itemsPerUser.computeIfAbsent(user, u -> new HashSet<>()).add(item);
            }
            d.malformed.put("this is not json {", "not_json");
            d.malformed.put("[1,2,3]", "not_an_object");
            d.malformed.put("{\"id\":\"m1\",\"user\":\"u1\",\"type\":\"click\",\"ts\":1700000000000}", "missing_field");
            d.malformed.put("{\"id\":\"m2\",\"user\":\"\",\"item\":\"i1\",\"type\":\"click\",\"ts\":1700000000000}", "empty_field");
            d.malformed.put("{\"id\":\"m3\",\"user\":\"" + "x".repeat(300) + "\",\"item\":\"i1\",\"type\":\"click\",\"ts\":1700000000000}", "field_too_long");
            d.malformed.put("{\"id\":\"m4\",\"user\":\"u1\",\"item\":\"i1\",\"type\":\"teleport\",\"ts\":1700000000000}", "unknown_event_type");
            d.malformed.put("{\"id\":\"m5\",\"user\":\"u1\",\"item\":\"i1\",\"type\":\"rating\",\"ts\":1700000000000}", "missing_value");
            d.malformed.put("{\"id\":\"m6\",\"user\":\"u1\",\"item\":\"i1\",\"type\":\"click\",\"value\":1e400,\"ts\":1700000000000}", "non_finite_value");
            d.malformed.put("{\"id\":\"m7\",\"user\":\"u1\",\"item\":\"i1\",\"type\":\"rating\",\"value\":9,\"ts\":1700000000000}", "value_out_of_range");
            d.malformed.put("{\"id\":\"m8\",\"user\":\"u1\",\"item\":\"i1\",\"type\":\"click\",\"ts\":5}", "timestamp_out_of_range");
            d.malformed.put("{\"id\":\"m9\",\"user\":42,\"item\":\"i1\",\"type\":\"click\",\"ts\":1700000000000}", "wrong_field_type");
            List<String> bad = new ArrayList<>(d.malformed.keySet());
            bad.sort(null);
            // interleave: valid events, every 10th followed by a duplicate of an earlier one,
            // malformed records spread through both halves
            int badIndex = 0;
            for (int i = 0; i < valid.size(); i++) {
                d.payloads.add(valid.get(i));
                if (i % 10 == 9) {
                    d.payloads.add(valid.get(random.nextInt(i + 1)));
                }
                if (i % (valid.size() / bad.size()) == 5 && badIndex < bad.size()) {
                    d.payloads.add(bad.get(badIndex++));
                }
            }
            while (badIndex < bad.size()) {
                d.payloads.add(bad.get(badIndex++));
            }
            return d;
        }
    }
}
