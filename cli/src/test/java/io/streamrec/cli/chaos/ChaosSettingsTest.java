package io.streamrec.cli.chaos;

import io.streamrec.job.CommandArgs;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChaosSettingsTest {

    private static final Path HOME = Path.of("/nowhere");

    private static ChaosSettings parse(String... args) {
        return ChaosSettings.parse(HOME, CommandArgs.parse(args));
    }

    @Test
    void defaultsAreTenFaultsOfAllKindsInTenMinutes() {
        ChaosSettings s = parse("--jar", "/x/job.jar", "--seed", "5");
        assertThat(s.run()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.faults()).isEqualTo(10);
        assertThat(s.kinds()).containsExactly(FaultKind.values());
        assertThat(s.seed()).isEqualTo(5);
        assertThat(s.parallelism()).isEqualTo(2);
        assertThat(s.out().toString()).startsWith("/nowhere/.streamrec/chaos-");
        assertThat(s.jobOptions()).isEmpty();
    }

    @Test
    void kindsMinutesAndJobOptionsAreTaken() {
        ChaosSettings s = parse("--jar", "/x/job.jar", "--minutes", "2.5", "--kinds", "redis-restart,kafka-restart",
                "--out", "/tmp/c", "--model.dimension", "32");
        assertThat(s.run()).isEqualTo(Duration.ofSeconds(150));
        assertThat(s.kinds()).containsExactly(FaultKind.REDIS_RESTART, FaultKind.KAFKA_RESTART);
        assertThat(s.out()).isEqualTo(Path.of("/tmp/c"));
        assertThat(s.jobOptions()).isEqualTo(Map.of("model.dimension", "32"));
    }

    @Test
    void refusesWhatItCannotRun() {
        assertThatThrownBy(() -> parse("--jar", "j", "--minutes", "0")).hasMessageContaining("--minutes");
        assertThatThrownBy(() -> parse("--jar", "j", "--redis.url", "redis://x:1"))
                .hasMessageContaining("--redis.url: the soak runs its own Kafka and Redis");
        assertThatThrownBy(() -> parse("--jar", "j", "--kinds", "disk-full")).hasMessageContaining("unknown fault kind");
        assertThatThrownBy(() -> parse("--minutes", "1")).hasMessageContaining("no job jar in /nowhere/job/target");
        assertThat(List.of(parse("--jar", "j", "--faults", "0").faults())).containsExactly(0);
    }
}
