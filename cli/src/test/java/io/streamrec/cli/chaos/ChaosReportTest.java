package io.streamrec.cli.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChaosReportTest {

    @Test
    void passesOnlyWhenEveryFaultRecoveredAndEveryCheckPassed() {
        ChaosReport report = new ChaosReport("bin/streamrec chaos --minutes 1");
        report.add(new ChaosReport.Row(1, 12, FaultKind.TASKMANAGER_KILL, "taskmanager-1 SIGKILL",
                new RecoveryProbe.Effect(2, 1), 14.25));
        report.addAll(List.of(new ChaosReport.Check("exact counts", true, "all exact")));
        assertThat(report.failures()).isEmpty();
        assertThat(report.render())
                .contains("| 1 | 12 s | taskmanager-kill | taskmanager-1 SIGKILL | 2 failed checkpoints, 1 restart | 14.3 s |")
                .contains("| taskmanager-kill | 1 | 14.3 s | 2 failed checkpoints, 1 restart |")
                .contains("| exact counts | passed | all exact |");

        report.add(new ChaosReport.Row(2, 30, FaultKind.TASKMANAGER_KILL, "taskmanager-2 SIGKILL",
                new RecoveryProbe.Effect(3, 0), 9.5));
        assertThat(report.render()).contains("| taskmanager-kill | 2 | 9.5 – 14.3 s | 5 failed checkpoints, 1 restart |");
        report.add(new ChaosReport.Row(3, 40, FaultKind.KAFKA_RESTART, "broker stopped", new RecoveryProbe.Effect(0, 0), -1));
        report.addAll(List.of(new ChaosReport.Check("nothing moved backwards", false, "rec:u1:meta version moved backwards")));
        report.error("the input could not be sent");
        assertThat(report.failures()).containsExactly("the input could not be sent",
                "fault 3 (kafka-restart): the job did not recover",
                "nothing moved backwards: rec:u1:meta version moved backwards");
        assertThat(report.render()).contains("**not recovered**", "| kafka-restart | 1 | 1 not recovered | none seen |",
                "| nothing moved backwards | **FAILED** |");
    }
}
