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

    private static PromoteCommand.Count count(long lists, long missing, long behind) {
        return new PromoteCommand.Count(lists, missing, behind);
    }

    private static PromoteCommand.Coverage users(long lists, long missing, long behind) {
        return new PromoteCommand.Coverage(count(lists, missing, behind), count(0, 0, 0), count(0, 0, 0));
    }

    /** An item's similar list reflecting {@code interactions} of it, and the item's stats with {@code itemInteractions}. */
    private void similar(String prefix, String item, long interactions, long itemInteractions) {
        jedis.zadd(prefix + "_sim:" + item, 1.0, "i9");
        jedis.hset(prefix + "_sim:" + item + ":meta", Map.of("version", "1", "interactions", Long.toString(interactions)));
        jedis.hset(prefix + "_item:" + item + ":meta", Map.of("version", "1", "interactions", Long.toString(itemInteractions)));
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

    @Test
    void categoryListsAreCheckedAsTheirOwnKindAgainstTheSameCategoryUnderTheCandidate() {
        list("rec:", "u1", 100);
        list("rec:", "u1:c:shoes", 100);
        list("rec:", "u1:c:kids", 100);
        list("cand:", "u1", 100);
        list("cand:", "u1:c:shoes", 90); // behind
        // no kids list under the candidate (another recs.categories): applications would find none
        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:"))
                .isEqualTo(new PromoteCommand.Coverage(count(1, 0, 0), count(2, 1, 1), count(0, 0, 0)));
        list("cand:", "u1:c:shoes", 120);
        list("cand:", "u1:c:kids", 100);
        PromoteCommand.Coverage covered = PromoteCommand.coverage(jedis, "rec:", "cand:");
        assertThat(covered.categoryLists()).isEqualTo(count(2, 0, 0));
        assertThat(covered.complete()).isTrue();
    }

    @Test
    void everyItemWithASimilarListNeedsOneUnderTheCandidateWhoseItemHasLearnedAsMuch() {
        similar("rec:", "i1", 40, 50);
        similar("rec:", "i2", 40, 50);
        similar("rec:", "i3", 40, 50);
        similar("cand:", "i1", 30, 45); // its list is older, but its item has learned from more than the active list
        similar("cand:", "i2", 30, 35); // its item has learned from fewer interactions: behind
        jedis.hset("cand:_item:i3:meta", "interactions", "60"); // the item, without a similar list: missing
        jedis.hset("rec:_popular:meta", "version", "1");

        PromoteCommand.Coverage coverage = PromoteCommand.coverage(jedis, "rec:", "cand:");
        assertThat(coverage).isEqualTo(new PromoteCommand.Coverage(count(0, 0, 0), count(0, 0, 0), count(3, 1, 1)));
        assertThat(coverage.complete()).isFalse();
        assertThat(coverage.toString()).isEqualTo("user lists 0 (0 missing, 0 behind), category lists 0 (0 missing, 0 behind),"
                + " similar lists 3 (1 missing, 1 behind)");

        similar("cand:", "i2", 30, 40);
        similar("cand:", "i3", 55, 60);
        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:").similarLists()).isEqualTo(count(3, 0, 0));
        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:").complete()).isTrue();
    }

    @Test
    void aSimilarListDeletedUnderTheActivePrefixNeedsNothing() {
        similar("rec:", "i1", 40, 50);
        jedis.del("rec:_sim:i1", "rec:_sim:i1:meta"); // the item left the model: its list is deleted with its meta
        assertThat(PromoteCommand.coverage(jedis, "rec:", "cand:").similarLists()).isEqualTo(count(0, 0, 0));
    }
}
