package io.streamrec.job;

import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.UserList;
import io.streamrec.sinks.redis.VersionedWrite;
import io.streamrec.sinks.redis.internal.VersionedWriteScript;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Versions that order runs: what the job writes to Redis, applied with the sink's own Lua script
 * to a real redis-server.
 */
class RunVersionsTest {

    private static RedisServerProcess redis;
    private static Jedis jedis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerProcess.start();
        jedis = new Jedis("127.0.0.1", redis.port());
    }

    @AfterAll
    static void stopRedis() {
        jedis.close();
        redis.close();
    }

    @BeforeEach
    void flush() {
        jedis.flushAll();
    }

    @Test
    void aLaterRunTakesOverEveryListItWritesThoughItsCountersAreLower() {
        RunEpoch live = RunEpoch.of(1_000, "live");
        RunEpoch repair = RunEpoch.of(1_060, "repair"); // submitted a minute later, from an older savepoint

        apply(RedisWrites.userList("rec:", list("u1", 50, 500, 1_700_000_009_000L, "live-item"), live));
        // the repair's counter of u1 restarted from the savepoint's (10 < 50): it still takes over
        assertThat(apply(RedisWrites.userList("rec:", list("u1", 10, 300, 1_700_000_005_000L, "repair-item"), repair)))
                .isEqualTo(VersionedWriteScript.APPLIED);
        assertThat(jedis.zrevrange("rec:u1", 0, -1)).containsExactly("repair-item");
        // and the meta never moves backwards: the live run had applied more events, and newer ones
        assertThat(jedis.hget("rec:u1:meta", "interactions")).isEqualTo("500");
        assertThat(jedis.hget("rec:u1:meta", "eventTs")).isEqualTo("1700000009000");
        assertThat(jedis.hget("rec:u1:meta", "version")).isEqualTo(Long.toString((1_060L << 32) + 10));

        // the abandoned live run, still writing, no longer moves the list
        assertThat(apply(RedisWrites.userList("rec:", list("u1", 51, 501, 1_700_000_010_000L, "late-live"), live)))
                .isEqualTo(VersionedWriteScript.SKIPPED);
        assertThat(jedis.zrevrange("rec:u1", 0, -1)).containsExactly("repair-item");

        // once the repair has caught up, its counts show
        apply(RedisWrites.userList("rec:", list("u1", 11, 520, 1_700_000_011_000L, "caught-up"), repair));
        assertThat(jedis.hget("rec:u1:meta", "interactions")).isEqualTo("520");
        assertThat(jedis.hget("rec:u1:meta", "eventTs")).isEqualTo("1700000011000");
    }

    @Test
    void versionsOfARunGrowWithItsCounterAndStayBelowTheNextEpoch() {
        RunEpoch run = RunEpoch.of(7, "r");
        assertThat(run.version(1)).isLessThan(run.version(2));
        assertThat(run.version(Long.MAX_VALUE)).isLessThan(RunEpoch.of(8, "s").version(0));
        assertThat(RunEpoch.of(RunEpoch.MAX_EPOCH, "last").version(Long.MAX_VALUE)).isPositive();
        RunEpoch now = RunEpoch.atSubmit();
        assertThat(now.epoch()).isPositive();
        assertThat(now.id()).isNotEqualTo(RunEpoch.atSubmit().id());
        Instant submitted = Instant.parse("2026-03-01T12:00:00.800Z");
        RunEpoch timed = RunEpoch.claim(candidate -> candidate, at(submitted));
        assertThat(timed.timeVersion(submitted.toEpochMilli() + 250)).isLessThan(timed.timeVersion(submitted.toEpochMilli() + 350));
    }

    /**
     * Epochs are claimed per prefix in {@code {prefix}_epoch}: two submissions in one second, or a
     * submitting clock an hour behind, still get strictly growing epochs (before, both came from the
     * clock alone: equal, or going back).
     */
    @Test
    void epochsOfAPrefixGrowStrictlyWhenTwoRunsStartInOneSecondOrTheClockGoesBack() {
        RedisEpochLedger ledger = new RedisEpochLedger(redis.url(), null, "rec:");
        Instant t = Instant.parse("2026-03-01T12:00:00.200Z");
        long clockEpoch = t.getEpochSecond() - RunEpoch.ORIGIN.getEpochSecond();

        RunEpoch first = RunEpoch.claim(ledger, at(t));
        RunEpoch sameSecond = RunEpoch.claim(ledger, at(t.plusMillis(500)));
        RunEpoch clockBehind = RunEpoch.claim(ledger, at(t.minusSeconds(3600)));
        RunEpoch later = RunEpoch.claim(ledger, at(t.plusSeconds(60)));
        assertThat(List.of(first.epoch(), sameSecond.epoch(), clockBehind.epoch(), later.epoch()))
                .containsExactly(clockEpoch, clockEpoch + 1, clockEpoch + 2, clockEpoch + 60);
        assertThat(jedis.get("rec:_epoch")).isEqualTo(Long.toString(clockEpoch + 60));
        // every run's versions are above all of the run before it
        assertThat(clockBehind.version(0)).isGreaterThan(sameSecond.version(Long.MAX_VALUE));
        // another prefix has epochs of its own
        assertThat(RunEpoch.claim(new RedisEpochLedger(redis.url(), null, "other:"), at(t)).epoch()).isEqualTo(clockEpoch);

        // versions by wall-clock time count from the submission, also when the epoch is ahead of the clock
        long submitted = t.minusSeconds(3600).toEpochMilli();
        assertThat(clockBehind.timeVersion(submitted + 1_000)).isEqualTo(clockBehind.version(10));
    }

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    /**
     * Negative samples change an item's bias and leave its interaction count alone. With the count
     * as the version (before issue 9) such a change was skipped as stale and never reached Redis.
     */
    @Test
    void itemMetaShowsABiasChangeWithoutNewInteractionsAndKeepsTheCounts() throws Exception {
        RunEpoch run = RunEpoch.of(500, "r");
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ItemStatsToRedis("rec:", run)),
                (ItemStats s) -> s.item, Types.STRING)) {
            h.open();
            h.processElement(new ItemStats("i1", 5, 0.25f, 1.0, 1_700_000_000_000L), 0);
            h.processElement(new ItemStats("i1", 5, -0.5f, 1.0, 1_700_000_000_000L), 0);
            h.processElement(new ItemStats("i2", 1, 0.1f, 0.0, 1_700_000_000_500L), 0);
            List<RedisRecord> records = h.extractOutputValues();
            assertThat(records).extracting(r -> r.version)
                    .containsExactly(run.version(1), run.version(2), run.version(1));
            for (RedisRecord r : records) {
                apply(r);
            }
        }
        assertThat(jedis.hget("rec:_item:i1:meta", "bias")).isEqualTo("-0.5");
        assertThat(jedis.hget("rec:_item:i1:meta", "interactions")).isEqualTo("5");
        assertThat(jedis.hget("rec:_item:i1:meta", "version")).isEqualTo(Long.toString(run.version(2)));

        // a later run restored from an older savepoint takes the item over; its counts never go back
        RunEpoch repair = RunEpoch.of(501, "repair");
        apply(RedisWrites.itemStats("rec:", new ItemStats("i1", 3, 0.75f, 1.0, 1_699_999_999_000L), 0,
                repair.version(1)));
        assertThat(jedis.hget("rec:_item:i1:meta", "bias")).isEqualTo("0.75");
        assertThat(jedis.hget("rec:_item:i1:meta", "interactions")).isEqualTo("5");
        assertThat(jedis.hget("rec:_item:i1:meta", "lastTs")).isEqualTo("1700000000000");
    }

    private static UserList list(String user, long counter, long interactions, long eventTs, String item) {
        UserList list = new UserList();
        list.user = user;
        list.items = new String[] {item};
        list.scores = new float[] {1f};
        list.version = counter;
        list.updated = eventTs + 1;
        list.interactions = interactions;
        list.eventTs = eventTs;
        return list;
    }

    private static Object apply(RedisRecord record) {
        VersionedWrite write = record.toWrite();
        return jedis.eval(VersionedWriteScript.SOURCE, VersionedWriteScript.keys(write), VersionedWriteScript.args(write));
    }
}
