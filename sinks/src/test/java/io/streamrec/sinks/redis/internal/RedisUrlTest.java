package io.streamrec.sinks.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedisUrlTest {

    @Test
    void parsesHostAndPort() {
        RedisUrl url = RedisUrl.parse("redis://127.0.0.1:6380");
        assertThat(url.host()).isEqualTo("127.0.0.1");
        assertThat(url.port()).isEqualTo(6380);
        assertThat(url.database()).isZero();
        assertThat(url.tls()).isFalse();
        assertThat(url.user()).isNull();
        assertThat(url.password()).isNull();
    }

    @Test
    void defaultsPortAndAcceptsTrailingSlash() {
        RedisUrl url = RedisUrl.parse("redis://redis.internal/");
        assertThat(url.host()).isEqualTo("redis.internal");
        assertThat(url.port()).isEqualTo(6379);
        assertThat(url.database()).isZero();
    }

    @Test
    void parsesUserPasswordDatabaseAndTls() {
        RedisUrl url = RedisUrl.parse("rediss://app:s%40cr%3At@cache.example.com:6390/3");
        assertThat(url.tls()).isTrue();
        assertThat(url.user()).isEqualTo("app");
        assertThat(url.password()).isEqualTo("s@cr:t");
        assertThat(url.host()).isEqualTo("cache.example.com");
        assertThat(url.port()).isEqualTo(6390);
        assertThat(url.database()).isEqualTo(3);
    }

    @Test
    void parsesPasswordOnlyAndIpv6() {
        RedisUrl url = RedisUrl.parse("redis://:secret@[::1]:7000");
        assertThat(url.user()).isNull();
        assertThat(url.password()).isEqualTo("secret");
        assertThat(url.host()).isEqualTo("::1");
        assertThat(url.port()).isEqualTo(7000);
    }

    @Test
    void toStringMasksThePassword() {
        assertThat(RedisUrl.parse("redis://app:secret@host:1/2").toString())
                .isEqualTo("redis://app:***@host:1/2")
                .doesNotContain("secret");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "http://host:6379 | scheme 'http'",
                "host:6379 | has no scheme",
                "redis://:6379 | has no host",
                "redis://host:abc | port 'abc'",
                "redis://host:70000 | port '70000'",
                "redis://host:6379/x | database 'x'",
                "redis://host:6379/-1 | database '-1'",
                "redis://secret@host | user info without ':'",
                "redis://host:6379?timeout=1 | query",
                "redis://[::1 | closing ']'",
            })
    void rejectsBadUrlsNamingTheBadPart(String url, String message) {
        assertThatThrownBy(() -> RedisUrl.parse(url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsEmptyUrlAndNeverPrintsThePassword() {
        assertThatThrownBy(() -> RedisUrl.parse(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> RedisUrl.parse("redis://app:secret@host:port"))
                .hasMessageContaining("port 'port'")
                .hasMessageNotContaining("secret");
    }
}
