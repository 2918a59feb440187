package io.streamrec.sinks.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.sinks.redis.VersionedWrite;
import io.streamrec.testkit.RedisServerProcess;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

/** The Lua guard itself, run with plain EVAL against a real redis-server. */
class VersionedWriteScriptTest {

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
    void connect() {
        jedis = new Jedis("127.0.0.1", redis.port());
        jedis.flushAll();
    }

    @AfterEach
    void disconnect() {
        jedis.close();
    }

    @Test
    void newerVersionReplacesTheWholeListAndMeta() {
        assertThat(apply(write(1, 1000, new String[] {"a", "b", "c"}, Map.of("events", "3"))))
                .isEqualTo(VersionedWriteScript.APPLIED);
        assertThat(apply(write(2, 2000, new String[] {"d", "b"}, Map.of())))
                .isEqualTo(VersionedWriteScript.APPLIED);

        assertThat(jedis.zrevrangeWithScores("rec:u1", 0, -1))
                .containsExactly(new Tuple("d", 2.0), new Tuple("b", 1.0));
        // Replaced, not merged: the old extra field "events" is gone.
        assertThat(jedis.hgetAll("rec:u1:meta"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("version", "2", "updated", "2000"));
    }

    @Test
    void olderOrEqualVersionIsSkipped() {
        apply(write(5, 5000, new String[] {"x", "y"}, Map.of("events", "50")));

        assertThat(apply(write(4, 9000, new String[] {"old"}, Map.of())))
                .isEqualTo(VersionedWriteScript.SKIPPED);
        assertThat(apply(write(5, 9000, new String[] {"same-version"}, Map.of())))
                .isEqualTo(VersionedWriteScript.SKIPPED);

        assertThat(jedis.zrevrange("rec:u1", 0, -1)).containsExactly("x", "y");
        assertThat(jedis.hgetAll("rec:u1:meta"))
                .containsEntry("version", "5")
                .containsEntry("updated", "5000")
                .containsEntry("events", "50");
    }

    @Test
    void storesExtraMetaFields() {
        apply(write(1, 1234, new String[] {"a"}, Map.of("events", "17", "model", "als-v2")));

        assertThat(jedis.hgetAll("rec:u1:meta"))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "version", "1",
                                "updated", "1234",
                                "events", "17",
                                "model", "als-v2"));
    }

    @Test
    void emptyListDeletesTheSortedSetButKeepsTheVersion() {
        apply(write(1, 1, new String[] {"a"}, Map.of()));
        assertThat(apply(write(2, 2, new String[0], Map.of())))
                .isEqualTo(VersionedWriteScript.APPLIED);

        assertThat(jedis.exists("rec:u1")).isFalse();
        assertThat(jedis.hget("rec:u1:meta", "version")).isEqualTo("2");
        assertThat(apply(write(1, 3, new String[] {"late"}, Map.of())))
                .isEqualTo(VersionedWriteScript.SKIPPED);
    }

    @Test
    void comparesVersionsExactlyBeyondDoublePrecision() {
        long big = (1L << 53) + 10;
        apply(write(big, 1, new String[] {"a"}, Map.of()));

        assertThat(apply(write(big + 1, 2, new String[] {"b"}, Map.of())))
                .isEqualTo(VersionedWriteScript.APPLIED);
        assertThat(apply(write(big, 3, new String[] {"c"}, Map.of())))
                .isEqualTo(VersionedWriteScript.SKIPPED);
        assertThat(apply(write(9, 4, new String[] {"d"}, Map.of())))
                .isEqualTo(VersionedWriteScript.SKIPPED);
        assertThat(jedis.hget("rec:u1:meta", "version")).isEqualTo(Long.toString(big + 1));
    }

    @Test
    void monotonicMetaFieldsNeverMoveBackwardsUnderANewerVersion() {
        Set<String> counters = Set.of("interactions", "eventTs");
        apply(new VersionedWrite("rec:u1", 5, 5000, new String[] {"x"}, new double[] {1},
                Map.of("interactions", "120", "eventTs", "1700000000900", "model", "a"), counters));

        // a newer version that has seen fewer events (a run repaired from an older savepoint):
        // the list and the other fields are replaced, the counters keep their larger values
        assertThat(apply(new VersionedWrite("rec:u1", 6, 6000, new String[] {"y"}, new double[] {1},
                Map.of("interactions", "99", "eventTs", "1700000000100", "model", "b"), counters)))
                .isEqualTo(VersionedWriteScript.APPLIED);
        assertThat(jedis.zrevrange("rec:u1", 0, -1)).containsExactly("y");
        assertThat(jedis.hgetAll("rec:u1:meta"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "version", "6", "updated", "6000", "interactions", "120",
                        "eventTs", "1700000000900", "model", "b"));

        // larger values are stored as usual, compared as integers ("1000" > "999")
        apply(new VersionedWrite("rec:u1", 7, 7000, new String[] {"z"}, new double[] {1},
                Map.of("interactions", "1000", "eventTs", "1700000000901"), counters));
        assertThat(jedis.hgetAll("rec:u1:meta"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "version", "7", "updated", "7000", "interactions", "1000",
                        "eventTs", "1700000000901"));
        // a stale version changes nothing, counters included
        assertThat(apply(new VersionedWrite("rec:u1", 6, 8000, new String[] {"old"}, new double[] {1},
                Map.of("interactions", "5000", "eventTs", "1800000000000"), counters)))
                .isEqualTo(VersionedWriteScript.SKIPPED);
        assertThat(jedis.hget("rec:u1:meta", "interactions")).isEqualTo("1000");
    }

    @Test
    void writesListsLongerThanOneZaddChunk() {
        int size = 5_001;
        String[] members = new String[size];
        double[] scores = new double[size];
        for (int i = 0; i < size; i++) {
            members[i] = "item-" + i;
            scores[i] = i * 0.5;
        }
        apply(new VersionedWrite("rec:u1", 1, 1, members, scores, Map.of()));

        assertThat(jedis.zcard("rec:u1")).isEqualTo(size);
        assertThat(jedis.zscore("rec:u1", "item-5000")).isEqualTo(2500.0);
    }

    @Test
    void aWriteWithATtlSetsBothKeysToExpireAndAStaleOneDoesNotExtendIt() {
        apply(write(1, 1000, new String[] {"a", "b"}, Map.of("events", "2")).expiringAfter(60_000));
        assertThat(jedis.pttl("rec:u1")).isBetween(1L, 60_000L);
        assertThat(jedis.pttl("rec:u1:meta")).isBetween(1L, 60_000L);

        // a skipped (older) write changes nothing, its TTL neither
        assertThat(apply(write(1, 900, new String[] {"z"}, Map.of()).expiringAfter(3_600_000)))
                .isEqualTo(VersionedWriteScript.SKIPPED);
        assertThat(jedis.pttl("rec:u1")).isLessThanOrEqualTo(60_000L);

        // a newer write without TTL leaves keys that never expire
        apply(write(2, 2000, new String[] {"c"}, Map.of()));
        assertThat(jedis.pttl("rec:u1")).isEqualTo(-1L);
        assertThat(jedis.pttl("rec:u1:meta")).isEqualTo(-1L);

        apply(write(3, 3000, new String[] {"d"}, Map.of()).expiringAfter(50));
        long deadline = System.currentTimeMillis() + 5_000;
        while (jedis.exists("rec:u1", "rec:u1:meta") > 0 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(jedis.exists("rec:u1", "rec:u1:meta")).as("keys left after their TTL").isZero();
    }

    @Test
    void scoresReadBackAsTheFloatsTheyWereAndKeepTheirOrderAndTies() {
        java.util.Random random = new java.util.Random(11);
        int size = 400;
        String[] members = new String[size];
        double[] scores = new double[size];
        for (int i = 0; i < size; i++) {
            members[i] = "m" + i;
            float f = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
            scores[i] = switch (i % 5) {
                case 0 -> f;
                case 1 -> i > 0 ? scores[i - 1] : f; // a tie with the previous member
                case 2 -> Math.nextUp(f); // a double that is not a float
                case 3 -> random.nextInt(1_000_000) - 500_000; // whole numbers, as counts are
                default -> Math.nextUp((float) scores[i - 1]); // the next float above another score
            };
        }
        apply(new VersionedWrite("rec:u1", 1, 1, members, scores, Map.of()));

        java.util.List<Tuple> stored = jedis.zrangeWithScores("rec:u1", 0, -1);
        assertThat(stored).hasSize(size);
        java.util.List<String> expectedOrder = java.util.stream.IntStream.range(0, size).boxed()
                .sorted(java.util.Comparator.<Integer>comparingDouble(i -> scores[i]).thenComparing(i -> members[i]))
                .map(i -> members[i]).toList();
        assertThat(stored.stream().map(Tuple::getElement).toList()).isEqualTo(expectedOrder);
        for (Tuple t : stored) {
            double written = scores[Integer.parseInt(t.getElement().substring(1))];
            if ((float) written == written) {
                assertThat((float) t.getScore()).as(t.getElement()).isEqualTo((float) written);
            } else {
                assertThat(t.getScore()).as(t.getElement()).isEqualTo(written);
            }
        }
        assertThat(VersionedWriteScript.scoreText(2500.0)).isEqualTo("2500");
        assertThat(VersionedWriteScript.scoreText(-3.0)).isEqualTo("-3");
        assertThat(VersionedWriteScript.scoreText(0.1f)).isEqualTo("0.1");
        assertThat(VersionedWriteScript.scoreText(0.1)).isEqualTo("0.1");
        assertThat(VersionedWriteScript.scoreText(1e300)).isEqualTo("1.0E300");
    }

    private Object apply(VersionedWrite write) {
        return jedis.eval(
                VersionedWriteScript.SOURCE,
                VersionedWriteScript.keys(write),
                VersionedWriteScript.args(write));
    }

    /** Members score from n down to 1, so the first member is the best. */
    private static VersionedWrite write(
            long version, long updated, String[] members, Map<String, String> extra) {
        double[] scores = new double[members.length];
        for (int i = 0; i < members.length; i++) {
            scores[i] = members.length - i;
        }
        return new VersionedWrite("rec:u1", version, updated, members, scores, extra);
    }
}
