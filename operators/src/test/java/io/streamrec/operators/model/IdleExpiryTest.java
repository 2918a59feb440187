package io.streamrec.operators.model;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class IdleExpiryTest {

    @Test
    void timersAreRoundedUpToOnePercentOfTheTtlAtMostAnHour() {
        IdleExpiry tenSeconds = new IdleExpiry(Duration.ofSeconds(10));
        assertThat(tenSeconds.timerFor(1)).isEqualTo(10_100);
        assertThat(tenSeconds.timerFor(8_000)).isEqualTo(18_000);
        assertThat(tenSeconds.expired(1, 10_099)).isFalse();
        assertThat(tenSeconds.expired(1, 10_100)).isTrue();

        IdleExpiry ninetyDays = new IdleExpiry(Duration.ofDays(90));
        long hour = 3_600_000L;
        long ts = 1_795_000_000_123L;
        long due = ninetyDays.timerFor(ts);
        assertThat(due % hour).isZero();
        assertThat(due - (ts + Duration.ofDays(90).toMillis())).isBetween(0L, hour - 1);
        // interactions within the same hour share one timer
        assertThat(ninetyDays.timerFor(ts + 1000)).isEqualTo(due);
    }

    @Test
    void zeroKeepsUsersForeverAndHugeTimesDoNotOverflow() {
        IdleExpiry never = new IdleExpiry(Duration.ZERO);
        assertThat(never.enabled()).isFalse();
        assertThat(never.expired(0, Long.MAX_VALUE)).isFalse();
        IdleExpiry day = new IdleExpiry(Duration.ofDays(1));
        assertThat(day.timerFor(Long.MAX_VALUE - 5)).isGreaterThan(0);
    }
}
