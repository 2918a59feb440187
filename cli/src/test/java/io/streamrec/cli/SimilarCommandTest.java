package io.streamrec.cli;

import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.testkit.RedisServerProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/streamrec similar ITEM} against a real Redis: the list best first, with its meta; a clear line without one. */
class SimilarCommandTest {

    @TempDir
    Path home;

    @Test
    void printsAnItemsSimilarListBestFirstAndSaysWhenThereIsNone() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start(); Jedis jedis = new Jedis(redis.url())) {
            String key = RedisKeys.similarItems("shop:", "sku-7");
            jedis.zadd(key, Map.of("sku-9", 0.25, "sku-3", 1.5, "sku-1", 0.75));
            jedis.hset(RedisKeys.meta(key), Map.of("version", "42", "updated", "0", RedisKeys.FIELD_INTERACTIONS, "12"));

            CliRun run = CliRun.of(home, "similar", "sku-7", "--redis.url", redis.url(), "--redis.prefix", "shop:");
            assertThat(run.exit()).isZero();
            assertThat(run.out()).startsWith("items similar to sku-7: version 42, updated 1970-01-01T00:00:00Z, 12 interactions")
                    .containsSubsequence("1. sku-3", "1.5000", "2. sku-1", "0.7500", "3. sku-9", "0.2500");

            CliRun none = CliRun.of(home, "similar", "sku-8", "--redis.url", redis.url(), "--redis.prefix", "shop:");
            assertThat(none.exit()).isZero();
            assertThat(none.out()).startsWith("sku-8 has no similar-items list (shop:_sim:sku-8)");

            CliRun two = CliRun.of(home, "similar", "a", "b", "--redis.url", redis.url());
            assertThat(two.exit()).isEqualTo(2);
            assertThat(two.err()).contains("expected exactly one ITEM");
        }
    }
}
