package io.streamrec.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The start check that no pre-committed gradient transaction can outlive the transaction timeout. */
class TransactionTimeoutCheckTest {

    @Test
    void theShippedFlinkConfAndDefaultOptionsPass() throws Exception {
        CheckpointConfig shipped = new CheckpointConfig(flinkConf());
        StreamRecOptions defaults = StreamRecOptions.defaults();

        // 2 min + 10 s + (3 + 2) x (1 min + 2 s)
        assertThat(TransactionTimeoutCheck.longestOpenTransaction(shipped,
                defaults.get(StreamRecOptions.REDIS_MAX_RETRY))).isEqualTo(Duration.ofSeconds(440));
        TransactionTimeoutCheck.check(shipped, defaults);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf());
        StreamRecJob.configure(env, defaults);
    }

    @Test
    void theSettingsShippedBeforeAreRefusedWithAMessageNamingEveryOption() {
        // flink-conf/config.yaml and k8s before issue 9: 5 min timeout, 3 tolerated failures, and
        // 10 min redis.max-retry against a 10 min transaction timeout
        Configuration conf = checkpointing("2 s", "500 ms", "5 min", 3);
        StreamRecOptions options = StreamRecOptions.fromMap(Map.of(StreamRecOptions.REDIS_MAX_RETRY.key(), "10 min"));

        assertThat(TransactionTimeoutCheck.longestOpenTransaction(new CheckpointConfig(conf), Duration.ofMinutes(10)))
                .isEqualTo(Duration.ofMinutes(10).plusSeconds(10).plus(Duration.ofSeconds(302).multipliedBy(5)));
        assertThatThrownBy(() -> StreamRecJob.configure(StreamExecutionEnvironment.getExecutionEnvironment(conf), options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("can lose item gradients")
                .hasMessageContaining("35 min 20 s")
                .hasMessageContaining("--redis.max-retry 10 min")
                .hasMessageContaining("--kafka.transaction-timeout 10 min")
                .hasMessageContaining("execution.checkpointing.timeout 5 min")
                .hasMessageContaining("execution.checkpointing.tolerable-failed-checkpoints 3")
                .hasMessageContaining("execution.checkpointing.interval 2 s")
                .hasMessageContaining("execution.checkpointing.min-pause 500 ms");
    }

    @Test
    void eachSettingAloneCanMakeItUnsafe() {
        StreamRecOptions defaults = StreamRecOptions.defaults();
        TransactionTimeoutCheck.check(new CheckpointConfig(checkpointing("2 s", "500 ms", "1 min", 3)), defaults);
        assertRefused(checkpointing("2 s", "500 ms", "2 min", 3), defaults);    // timeout
        assertRefused(checkpointing("2 s", "500 ms", "1 min", 6), defaults);    // tolerable failures
        assertRefused(checkpointing("2 min", "500 ms", "1 min", 3), defaults);  // interval
        assertRefused(checkpointing("2 s", "2 min", "1 min", 3), defaults);     // min pause
        assertRefused(checkpointing("2 s", "500 ms", "1 min", 3),
                defaults.with(Map.of(StreamRecOptions.REDIS_MAX_RETRY.key(), "4 min")));
        assertRefused(checkpointing("2 s", "500 ms", "1 min", 3),
                defaults.with(Map.of(StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT.key(), "8 min")));
        // and a longer transaction timeout makes room again
        TransactionTimeoutCheck.check(new CheckpointConfig(checkpointing("2 s", "500 ms", "2 min", 3)),
                defaults.with(Map.of(StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT.key(), "15 min")));
    }

    @Test
    void withoutCheckpointingConfiguredTheJobPicksSafeCheckpoints() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        StreamRecJob.configure(env, StreamRecOptions.defaults());
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(2000);
        assertThat(env.getCheckpointConfig().getCheckpointTimeout()).isEqualTo(60_000);
    }

    private static void assertRefused(Configuration conf, StreamRecOptions options) {
        assertThatThrownBy(() -> TransactionTimeoutCheck.check(new CheckpointConfig(conf), options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--kafka.transaction-timeout");
    }

    static Configuration checkpointing(String interval, String minPause, String timeout, int tolerable) {
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", interval);
        conf.setString("execution.checkpointing.min-pause", minPause);
        conf.setString("execution.checkpointing.timeout", timeout);
        conf.setString("execution.checkpointing.tolerable-failed-checkpoints", Integer.toString(tolerable));
        return conf;
    }

    static Configuration flinkConf() {
        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("flink-conf/config.yaml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root above the working directory").isNotNull();
        return GlobalConfiguration.loadConfiguration(dir.resolve("flink-conf").toString());
    }
}
