package io.streamrec.job;

import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
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

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.startedWith(EmbeddedKafka::start, RedisServerProcess::startDurable);

    @Test
    void losesNoListWhileRedisIsDown() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "outage");
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(100, 150, 2000, 5);
        List<String> payloads = data.payloads;
        int third = payloads.size() / 3;
        JobTestSupport.produce(INFRA.kafka(), topics.interactions(), payloads.subList(0, third));

        StreamRecOptions options = JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, "out:");
        JobClient job = JobTestSupport.start(options, StreamRecJob.redisSink(options), "redis outage ITCase");
        try {
            try (Jedis jedis = new Jedis(INFRA.redis().url())) {
                JobTestSupport.await(() -> jedis.keys("out:*:meta").size() >= 10, 120, "first lists");
            }
            INFRA.redis().stop();
            // the job keeps reading and learning while Redis is away
            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), payloads.subList(third, 2 * third));
            Thread.sleep(5000);
            assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();
            INFRA.redis().restart();
            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), payloads.subList(2 * third, payloads.size()));

            try (Jedis jedis = new Jedis(INFRA.redis().url())) {
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
