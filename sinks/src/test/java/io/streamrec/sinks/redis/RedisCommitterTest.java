package io.streamrec.sinks.redis;

import static io.streamrec.sinks.redis.TestCommitRequest.requestsFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.sinks.redis.internal.RedisUrl;
import io.streamrec.sinks.redis.internal.RedisWriteApplier;
import io.streamrec.testkit.RedisServerProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

class RedisCommitterTest {

    private static final int PIPELINE_SIZE = 50;

    private RedisServerProcess redis;
    private final Map<String, Counter> counters = new HashMap<>();
    private final Map<String, Gauge<?>> gauges = new HashMap<>();

    @BeforeEach
    void startRedis() {
        redis = RedisServerProcess.start();
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @Test
    void committingTheSameCommittablesTwiceYieldsTheSameState() throws Exception {
        List<VersionedWrite> writes = userLists(120, 3);
        try (RedisCommitter committer = committer(Duration.ofSeconds(10))) {
            committer.commit(requestsFor(writes));
            Map<String, String> afterFirst = snapshot(120);

            committer.commit(requestsFor(writes));

            assertThat(snapshot(120)).isEqualTo(afterFirst);
            assertThat(counters.get("redisWritesApplied").getCount()).isEqualTo(120);
            assertThat(counters.get("redisWritesSkippedStale").getCount()).isEqualTo(120);
        }
        try (Jedis jedis = jedis()) {
            assertThat(jedis.hget("rec:user-7:meta", "version")).isEqualTo("3");
            assertThat(jedis.hget("rec:user-7:meta", "events")).isEqualTo("30");
        }
    }

    @Test
    void appliesBatchesLargerThanThePipelineSizeAndKeepsTheNewestVersion() throws Exception {
        // 1,234 lists (25 pipeline round trips); every user appears in two versions, newest
        // first, as after a restore that commits two checkpoints at once.
        List<VersionedWrite> writes = new ArrayList<>(userLists(1_234, 9));
        writes.addAll(userLists(1_234, 8));
        try (RedisCommitter committer = committer(Duration.ofSeconds(10))) {
            committer.commit(requestsFor(writes));
        }
        try (Jedis jedis = jedis()) {
            assertThat(jedis.keys("rec:*")).hasSize(2 * 1_234);
            for (int user = 0; user < 1_234; user += 97) {
                assertThat(jedis.hget("rec:user-" + user + ":meta", "version")).isEqualTo("9");
                assertThat(jedis.zrevrange("rec:user-" + user, 0, -1))
                        .containsExactly("item-9-a", "item-9-b");
            }
        }
    }

    @Test
    void commitWaitsOutARedisOutageAndLosesNothing() throws Exception {
        List<VersionedWrite> writes = userLists(300, 1);
        try (RedisCommitter committer = committer(Duration.ofSeconds(30))) {
            redis.stop();
            long started = System.nanoTime();
            CompletableFuture<Void> commit =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    committer.commit(requestsFor(writes));
                                } catch (IOException | InterruptedException e) {
                                    throw new RuntimeException(e);
                                }
                            });
            Thread.sleep(2_000);
            assertThat(commit).isNotDone();

            redis.restart();
            commit.get(30, TimeUnit.SECONDS);

            assertThat(System.nanoTime() - started).isGreaterThan(Duration.ofSeconds(2).toNanos());
            assertThat(counters.get("redisRetries").getCount()).isPositive();
            assertThat(counters.get("redisWritesApplied").getCount()).isEqualTo(300);
        }
        try (Jedis jedis = jedis()) {
            for (int user = 0; user < 300; user++) {
                assertThat(jedis.zcard("rec:user-" + user)).isEqualTo(2);
                assertThat(jedis.hget("rec:user-" + user + ":meta", "version")).isEqualTo("1");
            }
        }
    }

    @Test
    void failsWithAClearMessageWhenRedisStaysDownLongerThanMaxRetryDuration() throws Exception {
        try (RedisCommitter committer = committer(Duration.ofMillis(800))) {
            redis.stop();
            long started = System.nanoTime();

            assertThatThrownBy(() -> committer.commit(requestsFor(userLists(10, 1))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Gave up writing 10 lists to Redis at " + redis.url())
                    .hasMessageContaining("maxRetryDuration PT0.8S")
                    .hasMessageContaining("re-commits");
            assertThat(System.nanoTime() - started)
                    .isBetween(Duration.ofMillis(800).toNanos(), Duration.ofSeconds(10).toNanos());
        }
    }

    /**
     * While the committer holds its task thread no checkpoint barrier passes it, and the job's
     * pre-committed Kafka transactions age. A Redis that answers, but slowly, must not extend that
     * hold past maxRetryDuration: 1,000 lists in 20 round trips that each wait behind a 300 ms
     * script would take about 6 s; the commit gives up after 1 s instead.
     */
    @Test
    void aCommitNeverHoldsTheThreadLongerThanMaxRetryDurationEvenWhileRedisMakesProgress()
            throws Exception {
        AtomicBoolean slow = new AtomicBoolean(true);
        Thread stall =
                new Thread(
                        () -> {
                            try (Jedis jedis = jedis()) {
                                while (slow.get()) {
                                    jedis.eval(BUSY_300_MS);
                                }
                            }
                        },
                        "redis-staller");
        stall.start();
        try (RedisCommitter committer = committer(Duration.ofSeconds(1))) {
            Thread.sleep(100);
            long started = System.nanoTime();
            assertThatThrownBy(() -> committer.commit(requestsFor(userLists(1_000, 1))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Gave up writing")
                    .hasMessageContaining("maxRetryDuration PT1S")
                    .hasMessageContaining("re-commits");
            // deadline 1 s, plus at most one round trip in flight (connection timeout 2 s)
            assertThat(System.nanoTime() - started)
                    .isBetween(Duration.ofSeconds(1).toNanos(), Duration.ofMillis(3_500).toNanos());
        } finally {
            slow.set(false);
            stall.join();
        }
        // what was written before the deadline is complete and current: the retry after the
        // failover skips it as stale
        try (Jedis jedis = jedis()) {
            assertThat(jedis.keys("rec:*").size() % 2).isZero();
        }
    }

    /**
     * After checkpoints that did not complete, Flink commits each pending checkpoint in turn in one
     * notification: calls that follow each other at once share the maxRetryDuration window. Each
     * call here would succeed on its own (one round trip behind a 300 ms script); together they
     * must give up after about 1 s.
     */
    @Test
    void backToBackCommitsShareOneWindow() throws Exception {
        AtomicBoolean slow = new AtomicBoolean(true);
        Thread stall =
                new Thread(
                        () -> {
                            try (Jedis jedis = jedis()) {
                                while (slow.get()) {
                                    jedis.eval(BUSY_300_MS);
                                }
                            }
                        },
                        "redis-staller");
        stall.start();
        try (RedisCommitter committer = committer(Duration.ofSeconds(1))) {
            Thread.sleep(100);
            long started = System.nanoTime();
            int calls = 0;
            IOException gaveUp = null;
            while (gaveUp == null && System.nanoTime() - started < Duration.ofSeconds(10).toNanos()) {
                try {
                    committer.commit(requestsFor(userLists(3, ++calls)));
                } catch (IOException e) {
                    gaveUp = e;
                }
            }
            assertThat(gaveUp).as("a commit gave up within 10 s").isNotNull();
            assertThat(gaveUp).hasMessageContaining("maxRetryDuration PT1S");
            assertThat(calls).isGreaterThan(1);
            assertThat(System.nanoTime() - started).isLessThan(Duration.ofMillis(3_000).toNanos());
        } finally {
            slow.set(false);
            stall.join();
        }
    }

    /** Blocks the (single-threaded) Redis server for 300 ms. */
    private static final String BUSY_300_MS =
            "local t0 = redis.call('TIME')\n"
                    + "repeat local t = redis.call('TIME')\n"
                    + "until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) >= 300000\n"
                    + "return 1";

    @Test
    void reportsHowFreshTheNewestCommitsUserListsAre() throws Exception {
        long now = System.currentTimeMillis();
        List<VersionedWrite> writes = List.of(
                new VersionedWrite(RedisKeys.userList("rec:", "fresh"), 1, now - 500, new String[] {"a"},
                        new double[] {1.0}, Map.of(RedisKeys.FIELD_EVENT_TS, Long.toString(now - 2_000))),
                new VersionedWrite(RedisKeys.userList("rec:", "stale"), 1, now - 1_500, new String[] {"a"},
                        new double[] {1.0}, Map.of(RedisKeys.FIELD_EVENT_TS, Long.toString(now - 9_000))),
                // the popular list has no event time and does not count
                new VersionedWrite(RedisKeys.popularList("rec:"), 1, now - 60_000, new String[] {"a"},
                        new double[] {1.0}, Map.of()));
        try (RedisCommitter committer = committer(Duration.ofSeconds(10))) {
            assertThat(gauges.get("listEventToVisibleMs").getValue()).isEqualTo(-1L);
            committer.commit(requestsFor(writes));
            long afterCommit = System.currentTimeMillis() - now;
            assertThat((Long) gauges.get("listEventToVisibleMs").getValue()).isBetween(9_000L, 9_000L + afterCommit);
            assertThat((Long) gauges.get("listRefreshToVisibleMs").getValue()).isBetween(1_500L, 1_500L + afterCommit);

            // a commit without user lists leaves the figures of the last one with lists
            committer.commit(requestsFor(List.of(new VersionedWrite(RedisKeys.popularList("rec:"), 2, now,
                    new String[] {"b"}, new double[] {1.0}, Map.of()))));
            assertThat((Long) gauges.get("listEventToVisibleMs").getValue()).isGreaterThanOrEqualTo(9_000L);

            // event times ahead of this clock (generated data): reported as they are, negative
            committer.commit(requestsFor(List.of(new VersionedWrite(RedisKeys.userList("rec:", "future"), 1, now,
                    new String[] {"a"}, new double[] {1.0}, Map.of(RedisKeys.FIELD_EVENT_TS, Long.toString(now + 60_000))))));
            assertThat((Long) gauges.get("listEventToVisibleMs").getValue()).isBetween(-60_000L, -50_000L);
        }
    }

    @Test
    void failsAtOnceWhenAKeyHoldsAnotherType() throws Exception {
        try (Jedis jedis = jedis()) {
            jedis.set("rec:user-0:meta", "not a hash");
        }
        try (RedisCommitter committer = committer(Duration.ofMinutes(10))) {
            assertThatThrownBy(() -> committer.commit(requestsFor(userLists(1, 1))))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("rec:user-0:meta")
                    .hasMessageContaining("WRONGTYPE");
        }
    }

    @Test
    void reloadsTheScriptAfterTheScriptCacheIsFlushed() throws Exception {
        try (RedisCommitter committer = committer(Duration.ofSeconds(10))) {
            committer.commit(requestsFor(userLists(5, 1)));
            try (Jedis jedis = jedis()) {
                jedis.scriptFlush();
            }
            committer.commit(requestsFor(userLists(5, 2)));
        }
        try (Jedis jedis = jedis()) {
            assertThat(jedis.hget("rec:user-4:meta", "version")).isEqualTo("2");
        }
    }

    private RedisCommitter committer(Duration maxRetryDuration) {
        RedisWriteApplier applier =
                new RedisWriteApplier(
                        RedisUrl.parse(redis.url()),
                        Duration.ofSeconds(2),
                        PIPELINE_SIZE,
                        maxRetryDuration);
        return new RedisCommitter(applier, new CountingMetricGroup());
    }

    /** Lists for user-0..n-1 at one version: two items, and the event count as extra meta. */
    static List<VersionedWrite> userLists(int users, long version) {
        List<VersionedWrite> writes = new ArrayList<>();
        for (int user = 0; user < users; user++) {
            writes.add(
                    new VersionedWrite(
                            RedisKeys.userList("rec:", "user-" + user),
                            version,
                            1_000L * version,
                            new String[] {"item-" + version + "-a", "item-" + version + "-b"},
                            new double[] {2.0, 1.0},
                            Map.of("events", Long.toString(10 * version))));
        }
        return writes;
    }

    /** Each user's list (best first, with scores) and meta hash. */
    private Map<String, String> snapshot(int users) {
        Map<String, String> lists = new HashMap<>();
        try (Jedis jedis = jedis()) {
            for (int user = 0; user < users; user++) {
                String key = "rec:user-" + user;
                lists.put(
                        key,
                        jedis.zrevrangeWithScores(key, 0, -1) + " " + jedis.hgetAll(key + ":meta"));
            }
        }
        return lists;
    }

    private Jedis jedis() {
        return new Jedis("127.0.0.1", redis.port());
    }

    /** Keeps the counters the committer registers so tests can read them. */
    private final class CountingMetricGroup extends UnregisteredMetricsGroup {
        @Override
        public Counter counter(String name) {
            return counters.computeIfAbsent(name, n -> new SimpleCounter());
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            gauges.put(name, gauge);
            return gauge;
        }
    }

    @Test
    void aDeletionRemovesListAndMetaUnlessAtLeastAsNewAndTheKeyThenStartsAgain() throws Exception {
        try (RedisCommitter committer = committer(Duration.ofSeconds(10))) {
            committer.commit(requestsFor(userLists(3, 5)));
            // stale: the stored version 5 is newer than 4
            committer.commit(requestsFor(List.of(VersionedWrite.deletion("rec:user-0", 4, 1))));
            try (Jedis jedis = jedis()) {
                assertThat(jedis.exists("rec:user-0")).isTrue();
                assertThat(jedis.hget("rec:user-0:meta", "version")).isEqualTo("5");
            }
            // the writer's order after a forget and a new interaction in one checkpoint: deletion, then v1
            committer.commit(requestsFor(List.of(
                    VersionedWrite.deletion("rec:user-0", 6, 2),
                    VersionedWrite.deletion("rec:user-1", 6, 2),
                    new VersionedWrite("rec:user-0", 1, 3, new String[] {"fresh"}, new double[] {1}))));
            try (Jedis jedis = jedis()) {
                assertThat(jedis.exists("rec:user-1")).isFalse();
                assertThat(jedis.exists("rec:user-1:meta")).isFalse();
                assertThat(jedis.zrange("rec:user-0", 0, -1)).containsExactly("fresh");
                assertThat(jedis.hgetAll("rec:user-0:meta")).containsOnlyKeys("version", "updated")
                        .containsEntry("version", "1");
                assertThat(jedis.hget("rec:user-2:meta", "version")).isEqualTo("5");
            }
        }
    }
}
