package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.testkit.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The sink in a real job on a MiniCluster with checkpointing, against a real redis-server.
 *
 * <p>Element {@code i} is version {@code i / USERS + 1} of the list of user {@code i % USERS}, so
 * every user gets {@link #VERSIONS} versions spread over several checkpoints and both subtasks.
 */
class RedisSinkITCase {

    private static final int USERS = 40;
    private static final int VERSIONS = 10;
    private static final String PREFIX = "it:";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Static because Flink ships a copy of the failing function to the task. */
    private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

    private RedisServerProcess redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServerProcess.start();
        FAILED_ONCE.set(false);
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @Test
    void allListsLandInRedisWithTheNewestVersionAfterTheJobFinishes() throws Exception {
        StreamExecutionEnvironment env = environment(new Configuration());
        env.fromData(elements())
                .rebalance()
                .map(new SlowIdentity())
                .name("slow identity")
                .sinkTo(sink())
                .name("Redis lists");

        env.execute("redis-sink-it");

        assertEveryUserHasTheNewestList();
    }

    @Test
    void replaysWithoutMovingListsBackwardsAfterFailure() throws Exception {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = environment(config);
        env.fromData(elements())
                .rebalance()
                .map(new SlowIdentity())
                .name("slow identity")
                .map(new FailOnceAt((long) (USERS * VERSIONS * 0.7)))
                .name("fail once")
                .sinkTo(sink())
                .name("Redis lists");

        env.execute("redis-sink-it-failover");

        assertThat(FAILED_ONCE).isTrue();
        assertEveryUserHasTheNewestList();
    }

    private static StreamExecutionEnvironment environment(Configuration config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        return env;
    }

    private RedisSink<Long> sink() {
        return RedisSink.<Long>builder()
                .setRedisUrl(redis.url())
                .setSerializer(RedisSinkITCase::toWrite)
                .setBatchSize(16)
                .setMaxRetryDuration(Duration.ofSeconds(30))
                .build();
    }

    private static VersionedWrite toWrite(Long element) {
        long version = element / USERS + 1;
        return new VersionedWrite(
                RedisKeys.userList(PREFIX, "user-" + element % USERS),
                version,
                1_000 * version,
                new String[] {"item-" + version, "item-" + (version + 1)},
                new double[] {2, 1},
                Map.of("events", Long.toString(element)));
    }

    private static List<Long> elements() {
        List<Long> elements = new ArrayList<>();
        for (long i = 0; i < USERS * VERSIONS; i++) {
            elements.add(i);
        }
        return elements;
    }

    private void assertEveryUserHasTheNewestList() {
        try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
            assertThat(jedis.keys(PREFIX + "*")).hasSize(2 * USERS);
            for (int user = 0; user < USERS; user++) {
                String key = PREFIX + "user-" + user;
                assertThat(jedis.zrevrange(key, 0, -1))
                        .as(key)
                        .containsExactly("item-" + VERSIONS, "item-" + (VERSIONS + 1));
                assertThat(jedis.hgetAll(key + ":meta"))
                        .as(key + ":meta")
                        .containsEntry("version", Integer.toString(VERSIONS))
                        .containsEntry("updated", Long.toString(1_000L * VERSIONS))
                        .containsEntry(
                                "events", Long.toString((long) USERS * (VERSIONS - 1) + user));
            }
        }
    }

    /** Spreads the input over several checkpoints. */
    private static final class SlowIdentity implements MapFunction<Long, Long> {
        @Override
        public Long map(Long value) throws Exception {
            Thread.sleep(8);
            return value;
        }
    }

    /** Throws once when it sees the given element, to force a restore and a replay. */
    private static final class FailOnceAt implements MapFunction<Long, Long> {
        private final long failAt;

        FailOnceAt(long failAt) {
            this.failAt = failAt;
        }

        @Override
        public Long map(Long value) {
            if (value == failAt && FAILED_ONCE.compareAndSet(false, true)) {
                throw new IllegalStateException("Injected failure at element " + value);
            }
            return value;
        }
    }
}
