package io.streamrec.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The flags of {@code bin/streamrec backfill} and the arguments of the steps it runs: the same
 * commands, in the same order, as the shell script it replaces (and docs/OPERATIONS.md shows).
 */
class BackfillFlagsTest {

    private static final LocalDateTime NOW = LocalDateTime.of(2026, 11, 29, 23, 5, 7);

    private static BackfillFlags parse(String... argv) {
        return BackfillFlags.parse(List.of(argv), NOW);
    }

    @Test
    void bootstrapDefaults() {
        BackfillFlags flags = parse("bootstrap", "--file", "history.jsonl");

        assertThat(flags.isBootstrap()).isTrue();
        assertThat(flags.file()).isEqualTo("history.jsonl");
        assertThat(flags.prefix()).isEqualTo("bf:");
        assertThat(flags.parallelism()).isEqualTo(4);
        assertThat(flags.name()).isEqualTo("bootstrap-20261129-230507");
        assertThat(flags.from()).isNull();
        assertThat(flags.jobOptions()).isEmpty();
        assertThat(BackfillCommand.historyTopic(flags)).isEqualTo("bootstrap-20261129-230507-history");
        assertThat(BackfillCommand.kafkaStart(flags)).isEqualTo("earliest");
    }

    @Test
    void repairDefaults() {
        BackfillFlags flags = parse("repair", "--savepoint", "file:/sp", "--since", "1795427510000");

        assertThat(flags.isBootstrap()).isFalse();
        assertThat(flags.prefix()).isEqualTo("shadow:");
        assertThat(flags.parallelism()).isEqualTo(2);
        assertThat(flags.name()).isEqualTo("repair-20261129-230507");
        assertThat(flags.since()).isEqualTo(1795427510000L);
        assertThat(flags.direct()).isFalse();
    }

    @Test
    void flagsTakeBothFormsAndEverythingAfterTheSeparatorIsForTheJob() {
        BackfillFlags flags = parse("bootstrap", "--topic=clicks-archive", "--from", "1735689600000", "--passes", "2",
                "--prefix", "p:", "--parallelism=3", "--name", "bf1",
                "--", "--redis.url", "redis://127.0.0.1:6379/1", "--input.min-timestamp=0", "--name", "x");

        assertThat(flags.topic()).isEqualTo("clicks-archive");
        assertThat(flags.from()).isEqualTo(1735689600000L);
        assertThat(flags.passes()).isEqualTo(2);
        assertThat(flags.prefix()).isEqualTo("p:");
        assertThat(flags.parallelism()).isEqualTo(3);
        assertThat(flags.name()).isEqualTo("bf1");
        assertThat(flags.jobOptions()).containsExactly("--redis.url", "redis://127.0.0.1:6379/1", "--input.min-timestamp=0",
                "--name", "x");
        assertThat(flags.jobOption("redis.url")).hasValue("redis://127.0.0.1:6379/1");
        assertThat(flags.jobOption("input.min-timestamp")).hasValue("0");
        assertThat(flags.jobOption("rest")).isEmpty();
    }

    @Test
    void usageErrorsNameWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> parse("bootstrap", "--passes", "2"))
                .hasMessage("bootstrap needs --file HISTORY.jsonl or --topic TOPIC");
        assertThatThrownBy(() -> parse("repair", "--since", "1"))
                .hasMessage("repair needs --savepoint SAVEPOINT_AT_T");
        assertThatThrownBy(() -> parse("repair", "--savepoint", "file:/sp"))
                .hasMessage("repair needs --since T_EPOCH_MS (model-only restore) or --direct");
        assertThatThrownBy(() -> parse("bootstrap", "--topic", "t", "--redis.prefix", "x"))
                .hasMessageStartingWith("unknown option --redis.prefix (job options go after --");
        assertThatThrownBy(() -> parse("bootstrap", "--topic", "t", "--bogus"))
                .hasMessageStartingWith("unknown option --bogus (job options go after --");
        assertThatThrownBy(() -> parse("bootstrap", "--topic", "t", "--passes", "0"))
                .hasMessage("--passes must be at least 1, got 0");
        assertThatThrownBy(() -> parse("bootstrap", "--topic", "t", "--parallelism", "four"))
                .hasMessage("--parallelism must be a number, got 'four'");
        assertThatThrownBy(() -> parse("bootstrap", "--topic", "t", "--from", "yesterday"))
                .hasMessage("--from must be a number, got 'yesterday'");
        assertThatThrownBy(() -> parse("bootstrap", "--topic"))
                .hasMessage("option --topic needs a value");
        assertThatThrownBy(() -> parse("bootstrap", "--topic", "t", "history.jsonl"))
                .hasMessageStartingWith("unexpected argument 'history.jsonl'");
        assertThatThrownBy(() -> parse("rebuild")).isInstanceOf(BackfillFlags.UnknownMode.class)
                .hasMessage("expected bootstrap or repair, got 'rebuild'");
        assertThatThrownBy(() -> parse()).isInstanceOf(BackfillFlags.UnknownMode.class);
    }

    @Test
    void bootstrapPassesHaveTheirOwnKafkaIdentitiesAndStartFromThePreviousModel() {
        BackfillFlags flags = parse("bootstrap", "--file", "h.jsonl", "--passes", "2", "--name", "NAME", "--",
                "--model.negatives", "2");

        assertThat(BackfillCommand.bootstrapSubmit(flags, "NAME-history", 1, null)).containsExactly(
                "--parallelism", "4", "--kafka.topic.interactions", "NAME-history", "--kafka.start", "earliest",
                "--kafka.group", "NAME-p1", "--kafka.transactional-id-prefix", "NAME-p1",
                "--kafka.topic.gradients", "NAME-p1-gradients", "--kafka.topic.dead-letters", "NAME-dlq",
                "--redis.prefix", "bf:", "--model.negatives", "2");
        assertThat(BackfillCommand.bootstrapSubmit(flags, "NAME-history", 2, "file:/w/pass-1/savepoint")).containsExactly(
                "--parallelism", "4", "--from-savepoint", "file:/w/pass-1/savepoint",
                "--kafka.topic.interactions", "NAME-history", "--kafka.start", "earliest",
                "--kafka.group", "NAME-p2", "--kafka.transactional-id-prefix", "NAME-p2",
                "--kafka.topic.gradients", "NAME-p2-gradients", "--kafka.topic.dead-letters", "NAME-dlq",
                "--redis.prefix", "bf:", "--model.negatives", "2");
    }

    @Test
    void aHistoryFromATimestampIsReadFromThere() {
        BackfillFlags flags = parse("bootstrap", "--topic", "clicks-archive", "--from", "1735689600000", "--name", "N");

        assertThat(BackfillCommand.historyTopic(flags)).isEqualTo("clicks-archive");
        assertThat(BackfillCommand.bootstrapSubmit(flags, "clicks-archive", 1, null))
                .containsSubsequence("--kafka.topic.interactions", "clicks-archive", "--kafka.start", "timestamp:1735689600000");
    }

    @Test
    void produceGetsTheInputRulesAndTheBrokerOnly() {
        BackfillFlags flags = parse("bootstrap", "--file", "h.jsonl", "--",
                "--input.min-timestamp", "0", "--redis.prefix", "x:", "--kafka.bootstrap=k:9092",
                "--input.max-future-ms=5", "--kafka.group", "g", "--kafka.bootstrap", "k2:9092");

        // as --key value pairs; of a flag given twice, the last (as submit takes it)
        assertThat(flags.produceOptions()).containsExactly("--input.min-timestamp", "0", "--kafka.bootstrap", "k2:9092",
                "--input.max-future-ms", "5");
    }

    @Test
    void directRepairRestoresTheSavepointWithItsOwnGroupAndTransactionalIds() {
        BackfillFlags flags = parse("repair", "--savepoint", "file:/sp-at-T", "--direct", "--name", "NAME", "--",
                "--model.learning-rate", "0.02");

        assertThat(BackfillCommand.repairSubmit(flags, flags.savepoint())).containsExactly(
                "--parallelism", "2", "--from-savepoint", "file:/sp-at-T",
                "--kafka.group", "NAME-shadow", "--kafka.transactional-id-prefix", "NAME-shadow",
                "--redis.prefix", "shadow:",
                "--model.learning-rate", "0.02");
    }

    @Test
    void modelOnlyRepairRereadsTheLiveTopicFromTWithItsOwnLoop() {
        BackfillFlags flags = parse("repair", "--savepoint", "file:/sp-at-T", "--since", "1795427510000",
                "--prefix", "s2:", "--name", "NAME", "--", "--model.negatives", "2");

        assertThat(BackfillCommand.repairSubmit(flags, "file:/w/model-at-T/savepoint")).containsExactly(
                "--parallelism", "2", "--from-savepoint", "file:/w/model-at-T/savepoint",
                "--kafka.start", "timestamp:1795427510000",
                "--kafka.group", "NAME-shadow", "--kafka.transactional-id-prefix", "NAME-shadow",
                "--kafka.topic.gradients", "NAME-shadow-gradients", "--kafka.topic.dead-letters", "NAME-dlq",
                "--redis.prefix", "s2:", "--model.negatives", "2");
    }

    @Test
    void eachPassStopsTheJobItSubmittedOnTheSameCluster() {
        BackfillFlags local = parse("bootstrap", "--topic", "t");
        assertThat(BackfillCommand.stopArguments(local, "j1")).containsExactly("--savepoint", "--when-caught-up", "--job", "j1");

        BackfillFlags remote = parse("bootstrap", "--topic", "t", "--", "--rest=http://jm:8081", "--state-dir", "/s");
        assertThat(BackfillCommand.stopArguments(remote, "j2")).containsExactly("--savepoint", "--when-caught-up",
                "--job", "j2", "--rest", "http://jm:8081", "--state-dir", "/s");
    }

    @Test
    void withoutAModeTheUsageIsPrinted(@TempDir Path home) throws Exception {
        CliRun run = CliRun.of(home, "backfill");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).contains("backfill bootstrap (--file HISTORY.jsonl | --topic TOPIC)", "backfill repair --savepoint");

        CliRun bad = CliRun.of(home, "backfill", "repair", "--savepoint", "file:/sp");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("streamrec backfill: repair needs --since T_EPOCH_MS (model-only restore) or --direct\n");
        assertThat(Files.exists(home.resolve(".streamrec"))).as("nothing is created before the flags are checked").isFalse();
    }

    @Test
    void againstNoClusterTheFirstStepFailsInSecondsNamingFlink(@TempDir Path home) throws Exception {
        int port = CliRun.deadPort();

        CliRun run = CliRun.of(home, "backfill", "repair", "--savepoint", "file:/sp-at-T", "--direct", "--name", "r1",
                "--", "--rest", "http://127.0.0.1:" + port, "--jar", "/dev/null");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("backfill [r1] shadow job restoring file:/sp-at-T, Redis prefix shadow:");
        assertThat(run.err()).startsWith("streamrec backfill: no Flink answers at http://127.0.0.1:" + port + " (--rest)")
                .doesNotContain("\tat ");
        assertThat(run.seconds()).isLessThan(10);
    }
}
