package io.streamrec.cli.chaos;

import io.streamrec.cli.cluster.ClusterTestSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short chaos soak CI runs: {@code bin/streamrec chaos} for 90 s of input with one fault of each kind
 * (TaskManager SIGKILL, Kafka broker stop/start, Redis stop/start, Redis FLUSHALL + republish, the
 * checkpoint directory unwritable) on the real multi-process cluster, then exact per-user and per-item
 * counts, every list current and nothing moved backwards in Redis while the faults hit.
 */
class ChaosSoakITCase {

    @TempDir
    Path out;

    @Test
    void countsStayExactAndNothingMovesBackwardsThroughOneFaultOfEachKind() {
        Path home = ClusterTestSupport.home();
        ClusterTestSupport.jobJar(); // built, or the test fails naming the build
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ChaosCommand command = new ChaosCommand(home, List.of("--minutes", "1.5", "--faults", "5", "--seed", "9",
                "--out", out.toString(), "--rate", "15", "--users", "150", "--items", "120",
                "--taskmanager-memory", "1536m", "--recovery-timeout-s", "120", "--settle-timeout-s", "120"),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
        ChaosReport report = command.soak(home);
        System.out.println(printed.toString(StandardCharsets.UTF_8));

        assertThat(report.failures()).isEmpty();
        Set<FaultKind> injected = EnumSet.noneOf(FaultKind.class);
        report.rows().forEach(r -> injected.add(r.kind()));
        assertThat(injected).containsExactlyInAnyOrder(FaultKind.values());
        assertThat(report.rows()).allSatisfy(r -> assertThat(r.recoverySeconds()).isPositive());
        assertThat(report.checks()).extracting(ChaosReport.Check::name).containsExactly(
                "exact counts", "every list current", "popular list", "nothing moved backwards", "job running");
        assertThat(report.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.details()).isTrue());
        assertThat(out.resolve("report.md")).content().contains("| exact counts | passed |");
    }
}
