package io.streamrec.cli.compare;

import io.streamrec.job.CommandArgs;
import io.streamrec.testkit.RedisServerProcess;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:")).isEqualTo(users(3, 1, 1));
        list("cand:", "u2", 250);
        list("cand:", "u3", 300);
        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:").complete()).isTrue();
        assertThat(PromoteCommand.coverage(jedis, "cand:", "rec:")).isEqualTo(users(4, 1, 1));
    }

    private static PromoteCommand.Coverage users(long lists, long missing, long behind) {
        return new PromoteCommand.Coverage(new PromoteCommand.Tally(lists, missing, behind), PromoteCommand.Coverage.NONE);
    }

    @Test
    void categoryListsAreCheckedButNotCountedAsUsers() {
        list("rec:", "u1", 100);
        list("rec:", "u2", 200);
        list("rec:", "u1:c:shoes", 100);
        list("rec:", "u2:c:shoes", 200);
        list("rec:", "u2:c:hats", 200);
        list("cand:", "u1", 100);
        list("cand:", "u2", 200);
        list("cand:", "u1:c:shoes", 100);
        list("cand:", "u2:c:shoes", 150); // older
        // u2:c:hats: the candidate was started without the category

        PromoteCommand.Coverage coverage = PromoteCommand.coverage(jedis, "rec:", "cand:");
        assertThat(coverage.users()).isEqualTo(new PromoteCommand.Tally(2, 0, 0));
        assertThat(coverage.categoryLists()).isEqualTo(new PromoteCommand.Tally(3, 1, 1));
        assertThat(coverage.complete()).isFalse();
        list("cand:", "u2:c:shoes", 200);
        list("cand:", "u2:c:hats", 200);
        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:"))
                .isEqualTo(new PromoteCommand.Coverage(new PromoteCommand.Tally(2, 0, 0), new PromoteCommand.Tally(3, 0, 0)))
                .matches(PromoteCommand.Coverage::complete);
    }

    @Test
    void refusesNamingTheCategoryListsTheCandidateLacks(@TempDir Path home) {
        list("rec:", "u1", 100);
        list("rec:", "u1:c:shoes", 100);
        list("cand:", "u1", 100);
        jedis.zadd("cand:_popular", 1.0, "i1");

        assertThatThrownBy(() -> PromoteCommand.run(home, CommandArgs.parse(List.of("--prefix", "cand:", "--wait", "0 s",
                "--redis.url", redis.url(), "--state-dir", home.toString()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("not promoted: of 1 users with a list under rec:, 0 have none under cand: and 0 have an older one;"
                        + " of their 1 category lists, 1 have none there and 0 an older one (after 0 s). Start the candidate"
                        + " with --kafka.start earliest and the same --recs.categories so that it sees every user, let it"
                        + " catch up, and try again.");
        assertThat(jedis.get("rec:_active")).isNull();
    }

    @Test
    void aCandidatePrefixInsideTheActiveOneIsNotTakenForUsers() {
        list("rec:", "u1", 100);
        list("rec:c:", "u1", 100);
        assertThat(PromoteCommand.coverage(jedis, "rec:", "rec:c:")).isEqualTo(users(1, 0, 0));
    }

    @Test
    void prefixesWithGlobCharactersAreMatchedLiterally() {
        list("r*:", "u1", 100);
        list("rx:", "u2", 100);
        assertThat(PromoteCommand.escape("r*:")).isEqualTo("r\\*:");
        assertThat(PromoteCommand.coverage(jedis, "r*:", "cand:")).isEqualTo(users(1, 1, 0));
    }
}
