package io.streamrec.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatusCommandTest {

    private static final long NOW = 1_800_000_000_000L;

    @Test
    void freshnessReportsRefreshLagAndEventToListOverTheLastMinuteOfWrites() {
        List<long[]> lists = List.of(
                new long[] {NOW - 2_000, NOW - 4_000},    // written 2 s ago, 2 s after its event
                new long[] {NOW - 30_000, NOW - 33_000},  // 3 s
                new long[] {NOW - 50_000, NOW - 51_000},  // 1 s
                new long[] {NOW - 600_000, NOW - 700_000}); // older than the newest minute: not in the figures

        assertThat(StatusCommand.freshness(lists, NOW)).containsExactly(
                "4 users have a list; newest written 2.0 s ago (refresh lag)",
                "event -> list: p50 2.0 s, max 3.0 s over the 3 lists written in the newest list's last minute");
    }

    @Test
    void replayedHistoryIsCalledSo() {
        List<long[]> lists = List.of(new long[] {NOW, NOW - 95L * 86_400_000});

        assertThat(StatusCommand.freshness(lists, NOW).get(1))
                .isEqualTo("event -> list: p50 95 days, max 95 days over the 1 lists written in the newest list's last minute"
                        + " (event times are far in the past: a replay of history)");
        assertThat(StatusCommand.freshness(List.of(), NOW)).containsExactly("no user lists yet");
    }

    @Test
    void durationsAndPercentagesReadWell() {
        assertThat(StatusCommand.duration(1_234)).isEqualTo("1.2 s");
        assertThat(StatusCommand.duration(65_000)).isEqualTo("65 s");
        assertThat(StatusCommand.duration(3_725_000)).isEqualTo("62 min 5 s");
        assertThat(StatusCommand.duration(-1)).isEqualTo("-");
        assertThat(StatusCommand.percent(30, 100_030)).isEqualTo("0.0%");
        assertThat(StatusCommand.percent(1, 8)).isEqualTo("12.5%");
        assertThat(StatusCommand.percent(0, 0)).isEqualTo("-");
    }
}
