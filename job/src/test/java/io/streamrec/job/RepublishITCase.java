package io.streamrec.job;

import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.VersionedWrite;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Redis loses its data while the job runs: one republish control record brings back every user's
 * list, its meta, the popular list and every item's meta, without restarting the job (issue 9, item
 * 4). A first request, before the loss, rewrites every list from the model as it is (lists written
 * earlier were scored while item vectors still moved); after the loss the second brings back exactly
 * those lists.
 */
class RepublishITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    private static Map<String, List<String>> similar(Jedis jedis, java.util.Set<String> items) {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (String item : items) {
            out.put(item, jedis.zrevrange(RedisKeys.similarItems("rp:", item), 0, -1));
        }
        return out;
    }

    @Test
    void afterFlushallARepublishRecordBringsBackEveryListAndMeta() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "republish");
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(30, 40, 600, 23);
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            JobClient job = JobTestSupport.startAndAwaitCounts(INFRA, topics, "rp:", data, jedis, "republish ITCase");
            try {
            String popular = RedisKeys.popularList("rp:");
            JobTestSupport.await(() -> jedis.exists(popular), 60, "the popular list");
            Map<String, Long> versions = versions(jedis, data.expectedPerUser.keySet());

            // without data loss: every list is rewritten from the model as it is now, with a newer version
            republish(topics, "republish-1");
            JobTestSupport.await(() -> newer(versions(jedis, data.expectedPerUser.keySet()), versions), 120,
                    "every user's list rewritten with a newer version");
            Map<String, List<Tuple>> lists = lists(jedis, data.expectedPerUser.keySet());
            List<Tuple> popularBefore = jedis.zrangeWithScores(popular, 0, -1);
            JobTestSupport.await(() -> data.expectedPerItem.keySet().stream()
                    .allMatch(i -> jedis.exists(RedisKeys.similarItems("rp:", i))), 60, "every item's similar list");
            Map<String, List<String>> similarBefore = similar(jedis, data.expectedPerItem.keySet());
            assertThat(lists.values()).allSatisfy(l -> assertThat(l).isNotEmpty());

            // Redis loses everything; the model has not moved since, so the same lists come back
            jedis.flushAll();
            assertThat(jedis.dbSize()).isZero();
            republish(topics, "republish-2");
            JobTestSupport.await(() -> JobTestSupport.countsMatch(jedis, "rp:", data.expectedPerUser, data.expectedPerItem),
                    120, "every user's and item's meta back in Redis");
            JobTestSupport.await(() -> jedis.exists(popular), 60, "the popular list back");
            // same items in the same order; scores equal up to float rounding (a batch of another
            // size may sum a dot product in another order)
            Map<String, List<Tuple>> back = lists(jedis, data.expectedPerUser.keySet());
            for (Map.Entry<String, List<Tuple>> before : lists.entrySet()) {
                List<Tuple> after = back.get(before.getKey());
                assertThat(after).as("list of %s", before.getKey()).hasSameSizeAs(before.getValue());
                for (int k = 0; k < after.size(); k++) {
                    assertThat(after.get(k).getElement()).isEqualTo(before.getValue().get(k).getElement());
                    assertThat(after.get(k).getScore()).isCloseTo(before.getValue().get(k).getScore(), within(1e-5));
                }
            }
            assertThat(jedis.zrangeWithScores(popular, 0, -1)).isEqualTo(popularBefore);
            // and every item's similar list, the same as before
            JobTestSupport.await(() -> data.expectedPerItem.keySet().stream()
                    .allMatch(i -> jedis.exists(RedisKeys.similarItems("rp:", i))), 60, "every item's similar list back");
            assertThat(similar(jedis, data.expectedPerItem.keySet())).isEqualTo(similarBefore);
            // the request is a control record, not a user: no list or meta for it
            assertThat(jedis.keys("rp:*")).allSatisfy(k -> assertThat(k).doesNotContain("republish"));
            } finally {
                job.cancel().get();
            }
        }
    }

    private static void republish(JobTestSupport.Topics topics, String id) {
        JobTestSupport.produce(INFRA.kafka(), topics.interactions(),
                List.of("{\"id\":\"" + id + "\",\"type\":\"republish\",\"ts\":" + System.currentTimeMillis() + "}"));
    }

    private static Map<String, List<Tuple>> lists(Jedis jedis, Collection<String> users) {
        Map<String, List<Tuple>> lists = new HashMap<>();
        for (String user : users) {
            lists.put(user, jedis.zrangeWithScores(RedisKeys.userList("rp:", user), 0, -1));
        }
        return lists;
    }

    private static Map<String, Long> versions(Jedis jedis, Collection<String> users) {
        Map<String, Long> versions = new HashMap<>();
        for (String user : users) {
            String v = jedis.hget(RedisKeys.meta(RedisKeys.userList("rp:", user)), VersionedWrite.VERSION_FIELD);
            versions.put(user, v == null ? -1 : Long.parseLong(v));
        }
        return versions;
    }

    private static boolean newer(Map<String, Long> now, Map<String, Long> before) {
        return before.entrySet().stream().allMatch(e -> now.get(e.getKey()) > e.getValue());
    }
}
