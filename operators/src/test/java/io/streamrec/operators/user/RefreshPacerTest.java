package io.streamrec.operators.user;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RefreshPacerTest {

    // interval 1 s: the window is max(5 s, 10 intervals) = 10 s
    private final RefreshPacer pacer = new RefreshPacer(1_000, 0.5, 30);

    @Test
    void anIdleScorerRefreshesAtTheNextBoundaryOfTheConfiguredInterval() {
        assertThat(pacer.scoringShare(12_345)).isZero();
        assertThat(pacer.shouldDefer(12_345)).isFalse();
        assertThat(pacer.intervalMs(12_345)).isEqualTo(1_000);
        assertThat(pacer.nextRefreshTime(12_345)).isEqualTo(13_000);
        assertThat(pacer.nextRefreshTime(13_000)).isEqualTo(14_000);
    }

    @Test
    void theShareIsTheDecayedScoringTimeOverTheWindow() {
        pacer.recordScoring(100_000, 2_000);
        assertThat(pacer.scoringShare(100_000)).isCloseTo(0.2, within(1e-9));
        // one window later it has decayed by e
        assertThat(pacer.scoringShare(110_000)).isCloseTo(0.2 / Math.E, within(1e-9));
        // reading does not change it
        assertThat(pacer.scoringShare(100_000 + 10_000)).isCloseTo(0.2 / Math.E, within(1e-9));
    }

    @Test
    void steadyScoringAtAShareConvergesToThatShare() {
        // 300 ms of every second spent scoring, for 100 s
        for (long t = 1_000; t <= 100_000; t += 1_000) {
            pacer.recordScoring(t, 300);
        }
        assertThat(pacer.scoringShare(100_000)).isCloseTo(0.3, within(0.02));
        assertThat(pacer.shouldDefer(100_000)).isFalse();
        assertThat(pacer.intervalMs(100_000)).isEqualTo(1_000);
    }

    @Test
    void overTheBudgetRefreshesAreDeferredAndTheIntervalStretchesWithTheOverload() {
        // scoring took the whole thread for the last 100 s: share ~1.0, twice the budget of 0.5
        for (long t = 1_000; t <= 100_000; t += 1_000) {
            pacer.recordScoring(t, 1_000);
            pacer.recordInput(t);
        }
        double share = pacer.scoringShare(100_000);
        assertThat(share).isCloseTo(1.0, within(0.06));
        assertThat(pacer.shouldDefer(100_000)).isTrue();
        assertThat(pacer.intervalMs(100_000)).isEqualTo((long) Math.ceil(1_000 * share / 0.5));
        long next = pacer.nextRefreshTime(100_500);
        assertThat(next).isGreaterThan(100_500).isEqualTo((100_500 / pacer.intervalMs(100_500) + 1) * pacer.intervalMs(100_500));
        // once scoring stops, the share decays below the budget within one window (1.0 → 1/e)
        pacer.recordInput(109_000);
        assertThat(pacer.shouldDefer(110_000)).isFalse();
    }

    @Test
    void withoutInputWaitingRefreshesAreNeverDeferred() {
        for (long t = 1_000; t <= 100_000; t += 1_000) {
            pacer.recordScoring(t, 1_000);
        }
        assertThat(pacer.scoringShare(100_000)).isGreaterThan(0.9);
        assertThat(pacer.shouldDefer(100_000)).as("no input ever").isFalse();
        pacer.recordInput(100_000);
        assertThat(pacer.shouldDefer(100_500)).as("input half a second ago").isTrue();
        // the interval is stretched to ~2 s by the overload: idle after two of them
        long interval = pacer.intervalMs(100_000);
        assertThat(pacer.shouldDefer(100_000 + 2 * interval + 1)).as("input idle for two intervals").isFalse();
    }

    @Test
    void theStretchIsCapped() {
        RefreshPacer tight = new RefreshPacer(1_000, 0.01, 3);
        tight.recordScoring(50_000, 10_000);
        assertThat(tight.scoringShare(50_000)).isCloseTo(1.0, within(1e-9));
        assertThat(tight.intervalMs(50_000)).isEqualTo(3_000);
    }

    @Test
    void aLongIntervalWidensTheWindow() {
        RefreshPacer slow = new RefreshPacer(60_000, 0.5, 30);
        slow.recordScoring(0, 60_000);
        // window 10 intervals = 600 s
        assertThat(slow.scoringShare(0)).isCloseTo(0.1, within(1e-9));
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> new RefreshPacer(0, 0.5, 30)).hasMessageContaining("refresh interval");
        assertThatThrownBy(() -> new RefreshPacer(1_000, 0, 30)).hasMessageContaining("scoring share");
        assertThatThrownBy(() -> new RefreshPacer(1_000, 1.5, 30)).hasMessageContaining("scoring share");
        assertThatThrownBy(() -> new RefreshPacer(1_000, 0.5, 0)).hasMessageContaining("max stretch");
    }

    @Test
    void bulkRefreshesAreSpreadAtTheGivenRateFromTheNextBoundary() {
        assertThat(pacer.bulkRefreshTime(10_300, 0, 5000)).isEqualTo(11_000);
        assertThat(pacer.bulkRefreshTime(10_300, 4_999, 5000)).isEqualTo(11_999);
        assertThat(pacer.bulkRefreshTime(10_300, 5_000, 5000)).isEqualTo(12_000);
        // a million users at 5,000/s: the last is due 200 s after the first
        assertThat(pacer.bulkRefreshTime(10_300, 999_999, 5000) - pacer.bulkRefreshTime(10_300, 0, 5000))
                .isEqualTo(199_999);
    }
}
