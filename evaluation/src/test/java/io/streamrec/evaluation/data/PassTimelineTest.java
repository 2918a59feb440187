package io.streamrec.evaluation.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PassTimelineTest {

    private static final long DAY = 86_400_000L;
    private static final long Y2000 = 946_684_800_000L;
    private static final long NOW = 1_795_000_000_000L; // 2026-11-19

    @Test
    void aShortRecentHistoryKeepsItsTimesAndLaterPassesFollowOneSpanLater() {
        long first = 1_600_000_000_000L;
        long last = first + 10 * DAY;
        PassTimeline t = PassTimeline.of(first, last, 3, Y2000, NOW);
        assertThat(t.compressed()).isFalse();
        assertThat(t.at(0, first)).isEqualTo(first);
        assertThat(t.at(0, last)).isEqualTo(last);
        assertThat(t.at(1, first)).isEqualTo(first + 11 * DAY);
        assertThat(t.at(2, last)).isEqualTo(last + 22 * DAY);
        assertThat(t.end()).isGreaterThan(t.at(2, last)).isLessThanOrEqualTo(NOW);
    }

    @Test
    void anOldHistoryIsMovedForwardToTheEarliestValidTime() {
        long first = 874_724_710_000L; // 1997-09-20, MovieLens 100K
        long last = first + 215 * DAY;
        PassTimeline t = PassTimeline.of(first, last, 10, Y2000, NOW);
        assertThat(t.compressed()).isFalse();
        assertThat(t.at(0, first)).isEqualTo(Y2000);
        assertThat(t.at(9, last)).isEqualTo(Y2000 + 9 * 216 * DAY + 215 * DAY);
    }

    @Test
    void twentyTwoYearsTimesThirtyPassesAreCompressedIntoTheValidRangeInOrder() {
        long first = 828_000_000_000L; // 1996
        long last = first + 22 * 365 * DAY; // 2018
        PassTimeline t = PassTimeline.of(first, last, 30, Y2000, NOW);
        assertThat(t.compressed()).isTrue();
        long previous = Long.MIN_VALUE;
        for (int pass = 0; pass < 30; pass++) {
            for (long ts : new long[] {first, first + 1000, last - DAY, last}) {
                long at = t.at(pass, ts);
                assertThat(at).isBetween(Y2000, NOW).isGreaterThan(previous);
                previous = at;
            }
        }
        assertThat(t.end()).isGreaterThan(previous).isLessThanOrEqualTo(NOW);
    }
}
