package io.streamrec.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against nothing, every command that talks to Kafka, Redis or Flink ends within seconds with one
 * sentence naming what it tried and what to do; options are checked before anything starts.
 * ({@code home} is an empty directory: no local cluster runs from it.)
 */
class CommandsFailFastTest {

    @TempDir
    Path home;

    @Test
    void produceAgainstNoKafkaSaysWhatToStart() throws Exception {
        Path file = Files.writeString(home.resolve("one.jsonl"),
                "{\"user\":\"u1\",\"item\":\"i1\",\"type\":\"click\",\"ts\":" + System.currentTimeMillis() + "}\n");
        int port = CliRun.deadPort();

        CliRun run = CliRun.of(home, "produce", "--file", file.toString(), "--kafka.bootstrap", "127.0.0.1:" + port);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("using Kafka 127.0.0.1:" + port + " (--kafka.bootstrap)");
        assertThat(run.err()).startsWith("streamrec produce: no Kafka answers at 127.0.0.1:" + port)
                .contains("within 5 s").doesNotContain("\tat ");
        assertThat(run.seconds()).isLessThan(15);
    }

    @Test
    void recsStatusStopCompareAndPromoteAgainstNothingFailInSeconds() throws Exception {
        int port = CliRun.deadPort();

        CliRun recs = CliRun.of(home, "recs", "u1", "--redis.url", "redis://127.0.0.1:" + port);
        assertThat(recs.exit()).isEqualTo(1);
        assertThat(recs.err()).contains("no Redis answers at redis://127.0.0.1:" + port + " (--redis.url)");

        CliRun status = CliRun.of(home, "status", "--rest", "http://127.0.0.1:" + port);
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.err()).contains("streamrec status: no Flink answers at http://127.0.0.1:" + port + " (--rest)");

        CliRun stop = CliRun.of(home, "stop", "--savepoint", "--rest", "http://127.0.0.1:" + port);
        assertThat(stop.exit()).isEqualTo(1);
        assertThat(stop.err()).contains("streamrec stop: no Flink answers at http://127.0.0.1:" + port);

        CliRun submit = CliRun.of(home, "submit", "--rest", "http://127.0.0.1:" + port, "--jar", "/dev/null");
        assertThat(submit.exit()).isEqualTo(1);
        assertThat(submit.err()).contains("streamrec submit: no Flink answers");

        // the page needs Redis; an unreachable Flink only shows on the page
        CliRun ui = CliRun.of(home, "ui", "--redis.url", "redis://127.0.0.1:" + port, "--rest", "http://127.0.0.1:" + port);
        assertThat(ui.exit()).isEqualTo(1);
        assertThat(ui.err()).contains("streamrec ui: no Redis answers at redis://127.0.0.1:" + port + " (--redis.url)");

        CliRun compare = CliRun.of(home, "compare", "--live", "rec:", "--candidate", "c:", "--redis.url", "redis://127.0.0.1:" + port);
        assertThat(compare.exit()).isEqualTo(1);
        assertThat(compare.err()).contains("streamrec compare: no Redis answers at redis://127.0.0.1:" + port + " (--redis.url)");

        CliRun promote = CliRun.of(home, "promote", "--prefix", "c:", "--redis.url", "redis://127.0.0.1:" + port);
        assertThat(promote.exit()).isEqualTo(1);
        assertThat(promote.err()).contains("streamrec promote: no Redis answers at redis://127.0.0.1:" + port + " (--redis.url)");

        for (CliRun run : new CliRun[] {recs, status, stop, submit, ui, compare, promote}) {
            assertThat(run.seconds()).isLessThan(10);
            assertThat(run.err()).doesNotContain("\tat ");
        }
    }

    @Test
    void withoutAClusterTheDefaultsAreNamedAsDefaults() throws Exception {
        CliRun stop = CliRun.of(home, "export-model", "--savepoint", "last", "--out", home.resolve("x").toString());
        assertThat(stop.exit()).isEqualTo(2);
        assertThat(stop.err()).contains("--savepoint last: no savepoint was taken on the local cluster in "
                + home.resolve(".streamrec/cluster").toAbsolutePath().normalize());
    }

    @Test
    void badOptionsAreRejectedBeforeAnythingStarts() throws Exception {
        CliRun demo = CliRun.of(home, "demo", "--bogus", "1");
        assertThat(demo.exit()).isEqualTo(2);
        assertThat(demo.err()).startsWith("streamrec demo: unknown option --bogus");
        assertThat(demo.out()).doesNotContain("Starting a local Kafka broker");
        assertThat(demo.seconds()).isLessThan(5);

        CliRun produce = CliRun.of(home, "produce", "--file", "nowhere.jsonl", "--input.min-timestamp", "yesterday");
        assertThat(produce.exit()).isEqualTo(2);
        assertThat(produce.err()).contains("--input.min-timestamp");

        CliRun threshold = CliRun.of(home, "demo", "--input.rejection-warning-share", "1.5");
        assertThat(threshold.exit()).isEqualTo(2);
        assertThat(threshold.err()).contains("--input.rejection-warning-share must be above 0 and at most 1");
    }
}
