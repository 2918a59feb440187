package io.streamrec.job;

import io.streamrec.operators.input.EventType;
import io.streamrec.operators.item.RefreshOnRestore;
import io.streamrec.operators.model.ModelConfig;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamRecOptionsTest {

    @Test
    void defaultsAreValid() {
        StreamRecOptions o = StreamRecOptions.defaults();
        assertThat(o.get(StreamRecOptions.TOP_N)).isEqualTo(20);
        assertThat(o.get(StreamRecOptions.MAX_PARALLELISM)).isEqualTo(128);
        assertThat(o.modelConfig().loss()).isEqualTo(ModelConfig.Loss.BPR);
    }

    @Test
    void parsesBothArgumentStyles() {
        StreamRecOptions o = StreamRecOptions.fromArgs("--recs.top-n", "7", "--model.dimension=48",
                "--recs.refresh-interval", "250 ms", "--model.weights", "view:0.25,purchase:8,dislike:-1");
        assertThat(o.get(StreamRecOptions.TOP_N)).isEqualTo(7);
        assertThat(o.modelConfig().dimension()).isEqualTo(48);
        assertThat(o.get(StreamRecOptions.REFRESH_INTERVAL)).isEqualTo(Duration.ofMillis(250));
        assertThat(o.modelConfig().weight(EventType.VIEW)).isEqualTo(0.25f);
        assertThat(o.modelConfig().weight(EventType.PURCHASE)).isEqualTo(8f);
        assertThat(o.modelConfig().weight(EventType.DISLIKE)).isEqualTo(-1f);
        assertThat(o.modelConfig().weight(EventType.CLICK)).isEqualTo(1f);
    }

    @Test
    void aNewRunRefreshesEverythingByDefaultAndTheOldFlagStillMeansEveryRestore() {
        assertThat(StreamRecOptions.defaults().refreshOnRestore()).isEqualTo(RefreshOnRestore.NEW_RUN);
        assertThat(StreamRecOptions.fromArgs("--recs.refresh-all-on-restore", "true").refreshOnRestore())
                .isEqualTo(RefreshOnRestore.ALWAYS);
        assertThat(StreamRecOptions.fromArgs("--recs.refresh-all-on-restore", "false").refreshOnRestore())
                .isEqualTo(RefreshOnRestore.NEW_RUN);
        assertThat(StreamRecOptions.fromArgs("--recs.refresh-on-restore", "NEVER").refreshOnRestore())
                .isEqualTo(RefreshOnRestore.NEVER);
        assertThat(StreamRecOptions.fromArgs("--recs.refresh-all-on-restore", "true", "--recs.refresh-on-restore", "ALWAYS")
                .refreshOnRestore()).isEqualTo(RefreshOnRestore.ALWAYS);
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--recs.refresh-all-on-restore", "true",
                "--recs.refresh-on-restore", "NEVER"))
                .hasMessageContaining("--recs.refresh-all-on-restore").hasMessageContaining("--recs.refresh-on-restore");
    }

    @Test
    void errorsNameTheOption() {
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--recs.topn", "7"))
                .hasMessageContaining("unknown option --recs.topn");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--recs.top-n", "seven"))
                .hasMessageContaining("recs.top-n");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--recs.top-n", "0"))
                .hasMessageContaining("--recs.top-n must be positive");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--kafka.transaction-timeout", "1 h"))
                .hasMessageContaining("--kafka.transaction-timeout");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--kafka.start", "yesterday"))
                .hasMessageContaining("--kafka.start");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--model.weights", "teleport:1"))
                .hasMessageContaining("unknown event type 'teleport'");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--model.dimension", "0"))
                .hasMessageContaining("dimension");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--parallelism", "500"))
                .hasMessageContaining("--parallelism");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--recs.top-n"))
                .hasMessageContaining("needs a value");
    }

    @Test
    void theEvaluationRetentionIsAPositiveMultipleOfTenSecondsOfAtMostAWeek() {
        assertThat(StreamRecOptions.fromArgs("--recs.evaluation-retention", "24 h").get(StreamRecOptions.EVALUATION_RETENTION))
                .isEqualTo(java.time.Duration.ofHours(24));
        assertThat(StreamRecOptions.fromArgs().get(StreamRecOptions.EVALUATION_RETENTION)).isEqualTo(java.time.Duration.ofHours(1));
        for (String refused : new String[] {"0 s", "15 s", "8 d"}) {
            assertThatThrownBy(() -> StreamRecOptions.fromArgs("--recs.evaluation-retention", refused))
                    .hasMessageContaining("--recs.evaluation-retention must be a positive multiple of 10 s of at most 7 d");
        }
    }

    @Test
    void startingOffsetsAcceptTheDocumentedForms() {
        assertThat(StreamRecJob.startingOffsets("earliest")).isNotNull();
        assertThat(StreamRecJob.startingOffsets("latest")).isNotNull();
        assertThat(StreamRecJob.startingOffsets("committed")).isNotNull();
        assertThat(StreamRecJob.startingOffsets("timestamp:1700000000000")).isNotNull();
    }

    @Test
    void theReadmeDocumentsEveryOption() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ConfigOption<?> option : StreamRecOptions.all()) {
            assertThat(readme).as("README options table").contains("`" + option.key() + "`");
        }
    }

    @Test
    void kafkaClientSettingsComeFromTheFileThenFromSingleOptionsAndAreNeverPrinted(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.jaas.config=secret-in-file\nssl.truststore.password=tpw\n");
        StreamRecOptions o = StreamRecOptions.fromArgs(
                "--kafka.properties-file", file.toString(),
                "--kafka.properties.ssl.truststore.password", "secret-arg",
                "--redis.url", "redis://app:redispw@redis:6379");
        java.util.Properties p = o.kafkaClientProperties();
        assertThat(p).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "secret-in-file")
                .containsEntry("ssl.truststore.password", "secret-arg")
                .hasSize(3);
        assertThat(o.toString()).contains("kafka.properties.ssl.truststore.password=[hidden]", "redis://[hidden]@redis:6379")
                .doesNotContain("secret-arg", "redispw");
        assertThat(StreamRecOptions.defaults().kafkaClientProperties()).isEmpty();
    }

    @Test
    void refusesAMissingKafkaPropertiesFileAndSettingsTheJobOwns() {
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--kafka.properties-file", "/nonexistent/k.properties")
                        .kafkaClientProperties())
                .hasMessageContaining("--kafka.properties-file: cannot read /nonexistent/k.properties");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--kafka.properties.transactional.id", "x"))
                .hasMessageContaining("'transactional.id' is set by the job");
        assertThatThrownBy(() -> StreamRecOptions.fromArgs("--kafka.properties.", "x"))
                .hasMessageContaining("unknown option --kafka.properties.");
    }
}
