package io.streamrec.job;

import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis goes away for several seconds while the job streams; the sink retries with backoff and
 * backpressures, and when Redis is back every user's list and every count is there, exact.
 */
class RedisOutageITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    static EmbeddedKafka kafka;
    static RedisServerProcess redis;

    @BeforeAll
    static void startInfrastructure() {
        kafka = EmbeddedKafka.start();
        // data survives a stop/restart (append-only file), like a Redis that restarts with persistence
        redis = RedisServerProcess.startDurable();
    }

    @AfterAll
    static void stopInfrastructure() {
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void losesNoListWhileRedisIsDown() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(kafka, "outage");
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(100, 150, 2000, 5);
        List<String> payloads = data.payloads;
        int third = payloads.size() / 3;
        JobTestSupport.produce(kafka, topics.interactions(), payloads.subList(0, third));

        StreamRecOptions options = JobTestSupport.options(kafka, redis, topics, "out:");
        JobClient job = JobTestSupport.start(options, StreamRecJob.redisSink(options), "redis outage ITCase");
        try {
            try (Jedis jedis = new Jedis(redis.url())) {
                JobTestSupport.await(() -> jedis.keys("out:*:meta").size() >= 10, 120, "first lists");
            }
            redis.stop();
            // the job keeps reading and learning while Redis is away
            JobTestSupport.produce(kafka, topics.interactions(), payloads.subList(third, 2 * third));
            Thread.sleep(5000);
            assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();
            redis.restart();
            JobTestSupport.produce(kafka, topics.interactions(), payloads.subList(2 * third, payloads.size()));

            try (Jedis jedis = new Jedis(redis.url())) {
                JobTestSupport.await(
                        () -> JobTestSupport.countsMatch(jedis, "out:", data.expectedPerUser, data.expectedPerItem),
                        180, "all counts after the outage");
                for (Map.Entry<String, Set<String>> e : data.itemsPerUser.entrySet()) {
                    assertThat(jedis.zrevrange("out:" + e.getKey(), 0, -1)).as("list of %s", e.getKey())
                            .isNotEmpty().doesNotContainAnyElementsOf(e.getValue());
                }
            }
        } finally {
            job.cancel().get();
        }
    }
}
