package io.streamrec.cli;

import io.streamrec.operators.input.RejectReason;
import io.streamrec.operators.input.RejectionTally;
import io.streamrec.operators.input.ValidationRules;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.testkit.RedisServerProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI's item-metadata paths: {@code produce --format items} checks records with the item
 * topic's rules; {@code recs USER --category C} reads a category list against a real Redis.
 */
class ItemMetadataCommandsTest {

    @TempDir
    Path home;

    @Test
    void produceChecksItemRecordsWithTheJobsRules() {
        long now = System.currentTimeMillis();
        RejectionTally tally = ProduceCommand.checkItems(List.of(
                "{\"item\":\"i1\",\"categories\":[\"shoes\"],\"available\":false,\"ts\":" + now + "}",
                "{\"item\":\"i2\",\"ts\":" + now + "}",
                "{\"item\":\"i3\",\"categories\":[\"\"],\"ts\":" + now + "}",
                "{\"item\":\"i4\",\"available\":1,\"ts\":" + now + "}"), ValidationRules.defaults(), now);
        assertThat(tally.total()).isEqualTo(4);
        assertThat(tally.rejected()).isEqualTo(2);
        assertThat(tally.count(RejectReason.INVALID_CATEGORY)).isEqualTo(1);
        assertThat(tally.count(RejectReason.WRONG_FIELD_TYPE)).isEqualTo(1);
    }

    @Test
    void recsReadsAUsersCategoryListAndSaysWhenThereIsNone() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start(); Jedis jedis = new Jedis(redis.url())) {
            String key = RedisKeys.categoryList("shop:", "u42", "shoes");
            assertThat(key).isEqualTo("shop:u42:c:shoes");
            jedis.zadd(key, Map.of("sku-9", 0.25, "sku-3", 1.5));
            jedis.hset(RedisKeys.meta(key), Map.of("version", "7", "updated", "0", RedisKeys.FIELD_INTERACTIONS, "3"));

            CliRun run = CliRun.of(home, "recs", "u42", "--category", "shoes", "--redis.url", redis.url(), "--redis.prefix", "shop:");
            assertThat(run.exit()).isZero();
            assertThat(run.out()).startsWith("u42 in shoes: version 7")
                    .containsSubsequence("1. sku-3", "1.5000", "2. sku-9", "0.2500");

            CliRun none = CliRun.of(home, "recs", "u42", "--category", "hats", "--redis.url", redis.url(), "--redis.prefix", "shop:");
            assertThat(none.exit()).isZero();
            assertThat(none.out()).startsWith("u42 has no list of category hats (shop:u42:c:hats)");
        }
    }
}
