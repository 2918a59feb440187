package io.streamrec.cli.compare;

import io.streamrec.testkit.RedisServerProcess;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The check behind {@code promote}, against a real redis-server. */
class PromoteCoverageTest {

    private static RedisServerProcess redis;
    private Jedis jedis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void empty() {
        jedis = new Jedis(redis.url());
        jedis.flushAll();
    }

    @AfterEach
    void close() {
        jedis.close();
    }

    private void list(String prefix, String user, long eventTs) {
        jedis.zadd(prefix + user, 1.0, "i1");
        jedis.hset(prefix + user + ":meta", Map.of("version", "1", "eventTs", Long.toString(eventTs)));
    }

    @Test
    void countsUsersTheCandidateLacksOrHasOlder() {
        list("rec:", "u1", 100);
        list("rec:", "u2", 200);
        list("rec:", "u3", 300);
        list("cand:", "u1", 100);  // as recent
        list("cand:", "u2", 199);  // one event behind
        list("cand:", "u4", 50);   // a user only the candidate has: no matter
        jedis.hset("rec:_popular:meta", "version", "1");
        jedis.hset("rec:_item:i1:meta", "version", "1");
        jedis.hset("rec:_metrics:windows:meta", "version", "1");

        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:")).isEqualTo(new PromoteCommand.Coverage(3, 1, 1));
        list("cand:", "u2", 250);
        list("cand:", "u3", 300);
        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:").complete()).isTrue();
        assertThat(PromoteCommand.coverage(jedis, "cand:", "rec:")).isEqualTo(new PromoteCommand.Coverage(4, 1, 1));
    }

    @Test
    void aCandidatePrefixInsideTheActiveOneIsNotTakenForUsers() {
        list("rec:", "u1", 100);
        list("rec:c:", "u1", 100);
        assertThat(PromoteCommand.coverage(jedis, "rec:", "rec:c:")).isEqualTo(new PromoteCommand.Coverage(1, 0, 0));
    }

    @Test
    void prefixesWithGlobCharactersAreMatchedLiterally() {
        list("r*:", "u1", 100);
        list("rx:", "u2", 100);
        assertThat(PromoteCommand.escape("r*:")).isEqualTo("r\\*:");
        assertThat(PromoteCommand.coverage(jedis, "r*:", "cand:")).isEqualTo(new PromoteCommand.Coverage(1, 1, 0));
    }
}
