package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class RedisSinkBuilderTest {

    private static final RedisWriteSerializer<String> SERIALIZER =
            user -> new VersionedWrite("rec:" + user, 1, 0, new String[0], new double[0]);

    @Test
    void buildsASerializableSink() throws Exception {
        RedisSink<String> sink =
                RedisSink.<String>builder()
                        .setRedisUrl("redis://localhost:6379")
                        .setSerializer(SERIALIZER)
                        .setBatchSize(100)
                        .setMaxRetryDuration(Duration.ofMinutes(1))
                        .setTimeout(Duration.ofSeconds(1))
                        .build();

        assertThat(InstantiationUtil.clone(sink)).isNotNull();
        // versions 1-4 were one write each (2 added the monotonic meta fields, 3 deletions, 4 the TTL)
        // and stay readable; 5 is a batch per checkpoint
        assertThat(sink.getCommittableSerializer().getVersion()).isEqualTo(5);
    }

    @Test
    void requiresUrlAndSerializer() {
        assertThatThrownBy(() -> RedisSink.<String>builder().setSerializer(SERIALIZER).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("setRedisUrl");
        assertThatThrownBy(() -> RedisSink.<String>builder().setRedisUrl("redis://h").build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("setSerializer");
    }

    @Test
    void settersRejectNull() {
        RedisSinkBuilder<String> builder = RedisSink.builder();
        assertThatThrownBy(() -> builder.setRedisUrl(null)).hasMessageContaining("redisUrl");
        assertThatThrownBy(() -> builder.setSerializer(null)).hasMessageContaining("serializer");
        assertThatThrownBy(() -> builder.setMaxRetryDuration(null))
                .hasMessageContaining("maxRetryDuration");
        assertThatThrownBy(() -> builder.setTimeout(null)).hasMessageContaining("timeout");
    }

    @Test
    void sanityCheckRejectsBadSettings() {
        assertThatThrownBy(() -> valid().setRedisUrl("http://h").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheme 'http'");
        assertThatThrownBy(() -> valid().setBatchSize(0).build())
                .hasMessageContaining("batchSize must be at least 1");
        assertThatThrownBy(() -> valid().setMaxRetryDuration(Duration.ZERO).build())
                .hasMessageContaining("maxRetryDuration must be positive");
        assertThatThrownBy(() -> valid().setTimeout(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("timeout must be positive");
    }

    private static RedisSinkBuilder<String> valid() {
        return RedisSink.<String>builder().setRedisUrl("redis://h").setSerializer(SERIALIZER);
    }
}
