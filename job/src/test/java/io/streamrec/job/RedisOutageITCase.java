package io.streamrec.job;

import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(JobTestSupport.clusterConfiguration())
                    .build());

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
        StreamExecutionEnvironment env = JobTestSupport.environment();
        StreamRecJob.build(env, options,
                StreamRecJob.interactionsSource(options),
                StreamRecJob.gradientsSource(options, System.currentTimeMillis()),
                StreamRecJob.deadLetterSink(options),
                StreamRecJob.gradientsSink(options),
                StreamRecJob.redisSink(options));
        JobClient job = env.executeAsync("redis outage ITCase");
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
