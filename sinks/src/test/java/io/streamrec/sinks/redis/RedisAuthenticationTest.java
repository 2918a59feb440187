package io.streamrec.sinks.redis;

import static io.streamrec.sinks.redis.TestCommitRequest.requestsFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.sinks.redis.internal.RedisUrl;
import io.streamrec.sinks.redis.internal.RedisWriteApplier;
import io.streamrec.testkit.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The sink against Redis servers that require authentication: a password ({@code requirepass})
 * and an ACL user restricted to the job's key prefix. With the right credentials in the URL every
 * write lands; with wrong ones the commit fails with a message that names the problem and never
 * the password.
 */
class RedisAuthenticationTest {

    private static final String PASSWORD = "pw-9f1c3a";

    private RedisServerProcess redis;

    @AfterEach
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void writesWithAPasswordAndRefusesAWrongOneWithoutPrintingIt() throws Exception {
        redis = RedisServerProcess.start("--requirepass", PASSWORD);
        String base = "127.0.0.1:" + redis.port();
        commit("redis://:" + PASSWORD + "@" + base, Duration.ofSeconds(10), RedisCommitterTest.userLists(5, 1));
        try (Jedis jedis = new Jedis("redis://:" + PASSWORD + "@" + base)) {
            assertThat(jedis.hget("rec:user-3:meta", "version")).isEqualTo("1");
        }
        assertThatThrownBy(() -> commit("redis://:wrong-secret@" + base, Duration.ofMillis(800), RedisCommitterTest.userLists(5, 2)))
                .hasMessageContaining("Gave up writing 5 lists")
                .hasMessageContaining("WRONGPASS")
                .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain("wrong-secret", PASSWORD));
    }

    @Test
    void writesAsAnAclUserLimitedToTheJobsKeys() throws Exception {
        redis = RedisServerProcess.start(
                "--user", "default", "off",
                "--user", "streamrec", "on", ">" + PASSWORD, "~rec:*", "+@all");
        String url = "redis://streamrec:" + PASSWORD + "@127.0.0.1:" + redis.port();
        commit(url, Duration.ofSeconds(10), RedisCommitterTest.userLists(4, 1));
        try (Jedis jedis = new Jedis(url)) {
            assertThat(jedis.zcard("rec:user-2")).isEqualTo(2);
        }
        // a key outside the user's pattern is refused by Redis, and the commit says so
        assertThatThrownBy(() -> commit(url, Duration.ofMillis(800),
                List.of(new VersionedWrite("other:u1", 1, 0, new String[] {"a"}, new double[] {1}))))
                .hasMessageContaining("NOPERM")
                .satisfies(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain(PASSWORD));
    }

    private static void commit(String url, Duration maxRetry, List<VersionedWrite> writes) throws Exception {
        commit(RedisUrl.parse(url), maxRetry, writes);
    }

    /** Commits {@code writes} through a committer of its own, as the sink does at a checkpoint. */
    static void commit(RedisUrl url, Duration maxRetry, List<VersionedWrite> writes) throws Exception {
        RedisWriteApplier applier = new RedisWriteApplier(url, Duration.ofSeconds(2), 50, maxRetry);
        try (RedisCommitter committer = new RedisCommitter(applier, new org.apache.flink.metrics.groups.UnregisteredMetricsGroup())) {
            committer.commit(requestsFor(writes));
        }
    }
}
