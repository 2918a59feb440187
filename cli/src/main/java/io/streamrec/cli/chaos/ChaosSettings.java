package io.streamrec.cli.chaos;

import io.streamrec.cli.cluster.ClusterCommands;
import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The flags of {@code bin/streamrec chaos}, with their defaults (see {@link ChaosCommand#USAGE}). */
record ChaosSettings(Duration run, long seed, int faults, List<FaultKind> kinds, Path out, int users, int items,
                     double eventsPerSecond, int parallelism, int taskManagers, Optional<String> taskManagerMemory,
                     Duration recoveryTimeout, Duration settleTimeout, Path jobJar, Map<String, String> jobOptions) {

    static ChaosSettings parse(Path home, CommandArgs flags) {
        double minutes = flags.takeDouble("minutes", 10);
        if (!(minutes > 0 && minutes <= 24 * 60)) {
            throw new IllegalArgumentException("--minutes must be in (0, 1440], got " + minutes);
        }
        long seed = flags.takeLong("seed", System.currentTimeMillis() % 1_000_000);
        int faults = flags.takeInt("faults", 10);
        if (faults < 0) {
            throw new IllegalArgumentException("--faults must be >= 0, got " + faults);
        }
        List<FaultKind> kinds = flags.take("kinds").map(k -> Arrays.stream(k.split(",")).map(FaultKind::of).toList())
                .orElse(List.of(FaultKind.values()));
        Path out = flags.take("out").map(Path::of).orElseGet(() -> home.resolve(".streamrec").resolve("chaos-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        int users = flags.takeInt("users", 300);
        int items = flags.takeInt("items", 200);
        double rate = flags.takeDouble("rate", 20);
        if (!(rate > 0) || users < 1) {
            throw new IllegalArgumentException("--rate and --users must be positive");
        }
        int parallelism = flags.takeInt("parallelism", 2);
        int taskManagers = flags.takeInt("taskmanagers", 2);
        Optional<String> memory = flags.take("taskmanager-memory");
        Duration recovery = Duration.ofSeconds(flags.takeLong("recovery-timeout-s", 240));
        Duration settle = Duration.ofSeconds(flags.takeLong("settle-timeout-s", 300));
        Path jar = flags.take("jar").map(Path::of).orElseGet(() -> ClusterCommands.defaultJobJar(home));
        if (!flags.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument '" + flags.positional().get(0) + "'");
        }
        flags.requireValues();
        Map<String, String> jobOptions = new LinkedHashMap<>(flags.remainingOptions());
        for (String own : List.of(StreamRecOptions.KAFKA_BOOTSTRAP.key(), StreamRecOptions.REDIS_URL.key(),
                StreamRecOptions.REDIS_PREFIX.key())) {
            if (jobOptions.containsKey(own)) {
                throw new IllegalArgumentException("--" + own + ": the soak runs its own Kafka and Redis");
            }
        }
        return new ChaosSettings(Duration.ofMillis((long) (minutes * 60_000)), seed, faults, kinds, out.toAbsolutePath(),
                users, items, rate, parallelism, taskManagers, memory, recovery, settle, jar, jobOptions);
    }
}
