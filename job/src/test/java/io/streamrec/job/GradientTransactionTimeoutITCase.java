package io.streamrec.job;

import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Redis stays down longer than the brokers let a transaction live, and no item update is lost.
 *
 * <p>The broker allows transactions of at most {@link #BROKER_MAX} and aborts expired ones within a
 * second. While Redis is down, a committer that held its task thread for the whole outage would
 * keep every checkpoint from completing, and the gradient transaction pre-committed at the last
 * barrier would be aborted by the broker before its checkpoint could commit it: its user-side
 * updates and source offsets kept, its item gradients gone. The job's start check accepts only
 * settings under which that cannot happen (here the committer gives up after 3 s and the job fails
 * over, again and again until Redis is back), and the counts in Redis must end exact.
 */
class GradientTransactionTimeoutITCase {

    static final Duration BROKER_MAX = Duration.ofSeconds(30);
    static final Duration OUTAGE = BROKER_MAX.plusSeconds(10);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.startedWith(() -> EmbeddedKafka.start(Map.of(
                "transaction.max.timeout.ms", Long.toString(BROKER_MAX.toMillis()),
                "transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")),
            RedisServerProcess::startDurable);

    @Test
    void theJobRefusesTheOldDefaultsScaledToThisBroker() throws Exception {
        // before issue 9: redis.max-retry = transaction timeout, 3 tolerated checkpoint failures of
        // half the transaction timeout each
        StreamRecOptions options = StreamRecOptions.defaults().with(Map.of(
                StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT.key(), "30 s",
                StreamRecOptions.REDIS_MAX_RETRY.key(), "30 s"));
        StreamExecutionEnvironment env = environment(Duration.ofSeconds(15), 3);
        assertThatThrownBy(() -> StreamRecJob.configure(env, options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--redis.max-retry 30 s")
                .hasMessageContaining("execution.checkpointing.timeout 15 s")
                .hasMessageContaining("--kafka.transaction-timeout 30 s");
    }

    @Test
    void redisDownLongerThanTheBrokersTransactionTimeoutLosesNoItemUpdate() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "txn");
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(100, 150, 2400, 7);
        List<String> payloads = data.payloads;
        int third = payloads.size() / 3;
        JobTestSupport.produce(INFRA.kafka(), topics.interactions(), payloads.subList(0, third));

        StreamRecOptions options = JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, "txn:").with(Map.of(
                StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT.key(), "30 s",
                StreamRecOptions.REDIS_MAX_RETRY.key(), "3 s"));
        StreamExecutionEnvironment env = environment(Duration.ofSeconds(2), 3);
        // the start check: 3 s + 10 s + (3 + 2) x (2 s + 500 ms) = 25.5 s, within 90% of 30 s
        StreamRecJob.configure(env, options);
        StreamRecJob.buildWithKafkaAndRedis(env, options);
        JobClient job = env.executeAsync("gradient transaction timeout ITCase");
        try {
            try (Jedis jedis = new Jedis(INFRA.redis().url())) {
                JobTestSupport.await(() -> jedis.keys("txn:*:meta").size() >= 10, 120, "first lists");
            }
            INFRA.redis().stop();
            // the job keeps reading and learning, and pushing gradients, while Redis is away
            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), payloads.subList(third, 2 * third));
            Thread.sleep(OUTAGE.toMillis());
            assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();
            INFRA.redis().restart();
            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), payloads.subList(2 * third, payloads.size()));

            try (Jedis jedis = new Jedis(INFRA.redis().url())) {
                JobTestSupport.await(
                        () -> JobTestSupport.countsMatch(jedis, "txn:", data.expectedPerUser, data.expectedPerItem),
                        240, "exact per-user and per-item counts after the outage");
                // nothing applied twice either: still exact after more checkpoints
                Thread.sleep(3000);
                JobTestSupport.assertCountsExact(jedis, "txn:", data.expectedPerUser, data.expectedPerItem);
            }
            // the committer gave up and failed over instead of holding its thread for the outage
            assertThat(JobTestSupport.exceptionHistory(CLUSTER.getClientConfiguration(), job.getJobID()))
                    .contains("Gave up writing");
        } finally {
            job.cancel().get();
        }
    }

    /** The ITCases' environment with the given checkpoint timeout and tolerance, restarting as long as Redis is away. */
    private static StreamExecutionEnvironment environment(Duration checkpointTimeout, int tolerableFailures)
            throws Exception {
        StreamExecutionEnvironment env = JobTestSupport.environment();
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.timeout", checkpointTimeout.toMillis() + " ms");
        conf.setString("execution.checkpointing.min-pause", "0 ms");
        conf.setString("execution.checkpointing.tolerable-failed-checkpoints", Integer.toString(tolerableFailures));
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "1000");
        conf.setString("restart-strategy.fixed-delay.delay", "1 s");
        env.configure(conf);
        return env;
    }
}
