package io.streamrec.cli.chaos;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultScheduleTest {

    private static final List<FaultKind> ALL = List.of(FaultKind.values());

    @Test
    void theSameSeedGivesTheSamePlanAndAnotherSeedAnother() {
        FaultSchedule a = FaultSchedule.draw(7, 10, Duration.ofMinutes(10), ALL);
        assertThat(FaultSchedule.draw(7, 10, Duration.ofMinutes(10), ALL)).isEqualTo(a);
        assertThat(FaultSchedule.draw(8, 10, Duration.ofMinutes(10), ALL)).isNotEqualTo(a);
    }

    @Test
    void tenFaultsInTenMinutesAreTwoOfEachKindInOrderBetweenFiveAndEightyFivePercent() {
        FaultSchedule plan = FaultSchedule.draw(2026, 10, Duration.ofMinutes(10), ALL);
        assertThat(plan.faults()).hasSize(10);
        Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
        plan.faults().forEach(p -> counts.merge(p.kind(), 1, Integer::sum));
        assertThat(counts).containsOnlyKeys(FaultKind.values()).allSatisfy((kind, n) -> assertThat(n).isEqualTo(2));
        assertThat(plan.faults()).extracting(FaultSchedule.Planned::atMillis)
                .isSorted().allSatisfy(t -> assertThat(t).isBetween(30_000L, 510_000L));
    }

    @Test
    void onlyTheGivenKindsAreDrawn() {
        FaultSchedule plan = FaultSchedule.draw(1, 3, Duration.ofMinutes(1), List.of(FaultKind.REDIS_RESTART));
        assertThat(plan.faults()).extracting(FaultSchedule.Planned::kind).containsOnly(FaultKind.REDIS_RESTART);
        assertThatThrownBy(() -> FaultSchedule.draw(1, 3, Duration.ofMinutes(1), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kindsAreNamedAsInTheReport() {
        assertThat(FaultKind.of("Kafka-Restart ")).isEqualTo(FaultKind.KAFKA_RESTART);
        assertThatThrownBy(() -> FaultKind.of("jobmanager-kill")).hasMessageContaining("unknown fault kind 'jobmanager-kill'");
    }
}
