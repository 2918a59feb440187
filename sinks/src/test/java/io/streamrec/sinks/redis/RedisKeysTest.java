package io.streamrec.sinks.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisKeysTest {

    @Test
    void everyKeyOfTheOutputContractStartsWithThePrefix() {
        assertThat(RedisKeys.userList("rec:", "u42")).isEqualTo("rec:u42");
        assertThat(RedisKeys.meta(RedisKeys.userList("rec:", "u42"))).isEqualTo("rec:u42:meta");
        assertThat(RedisKeys.popularList("rec:")).isEqualTo("rec:_popular");
        assertThat(RedisKeys.meta(RedisKeys.item("rec:", "i7"))).isEqualTo("rec:_item:i7:meta");
        assertThat(RedisKeys.metrics("shadow:")).isEqualTo("shadow:_metrics");
        assertThat(RedisKeys.metricsWindows("shadow:")).isEqualTo("shadow:_metrics:windows");
        assertThat(RedisKeys.activeAlias("rec:")).isEqualTo("rec:_active");
    }
}
