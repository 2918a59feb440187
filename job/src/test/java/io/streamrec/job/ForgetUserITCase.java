package io.streamrec.job;


import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The right to be forgotten, end to end: a {@code forget} record on the interactions topic removes
 * the user's list and meta from Redis while every other user's list and every item count stays; the
 * user may come back later and starts from nothing.
 */
class ForgetUserITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    @Test
    void aForgetRecordDeletesTheUsersListAndMetaAndNothingElse() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "forget");
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(20, 40, 400, 17);
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            JobClient job = JobTestSupport.startAndAwaitCounts(INFRA, topics, "fg:", data, jedis, "forget ITCase");
            try {
            String forgotten = "u3";
            assertThat(jedis.exists("fg:" + forgotten, "fg:" + forgotten + ":meta")).isEqualTo(2);
            // every user's keys carry state.user-ttl (90 days by default) as their Redis TTL
            long ttl = java.time.Duration.ofDays(90).toMillis();
            for (String user : data.expectedPerUser.keySet()) {
                assertThat(jedis.pttl("fg:" + user)).as("TTL of %s's list", user).isBetween(ttl - 600_000, ttl);
                assertThat(jedis.pttl("fg:" + user + ":meta")).as("TTL of %s's meta", user).isBetween(ttl - 600_000, ttl);
            }

            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), List.of(
                    "{\"id\":\"forget-1\",\"user\":\"" + forgotten + "\",\"type\":\"forget\",\"ts\":" + System.currentTimeMillis() + "}"));
            JobTestSupport.await(() -> jedis.exists("fg:" + forgotten, "fg:" + forgotten + ":meta") == 0, 60,
                    "the forgotten user's list and meta to disappear");

            Map<String, Long> others = new HashMap<>(data.expectedPerUser);
            others.remove(forgotten);
            // item contributions stay: every item's count is unchanged
            JobTestSupport.assertCountsExact(jedis, "fg:", others, data.expectedPerItem);

            // the user comes back: one interaction, a new list
            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), List.of(
                    "{\"id\":\"back-1\",\"user\":\"" + forgotten + "\",\"item\":\"i1\",\"type\":\"click\",\"ts\":" + System.currentTimeMillis() + "}"));
            JobTestSupport.await(() -> "1".equals(jedis.hget("fg:" + forgotten + ":meta", "interactions")), 60,
                    "the returning user's first list");
            assertThat(jedis.zrange("fg:" + forgotten, 0, -1)).isNotEmpty().doesNotContain("i1");
            } finally {
                job.cancel().get();
            }
        }
    }
}
