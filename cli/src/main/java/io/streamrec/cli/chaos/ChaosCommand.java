package io.streamrec.cli.chaos;

import io.streamrec.job.CommandArgs;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code bin/streamrec chaos}: a chaos soak on the real multi-process local cluster. Starts its own
 * Kafka broker, Redis and Flink cluster ({@link ChaosEnvironment}) in {@code --out DIR}, submits the
 * job, sends a known stream ({@link KnownStream}) for {@code --minutes}, injects {@code --faults}
 * random faults ({@link FaultSchedule}, {@link Fault}) one after another, measuring how long the job
 * takes to recover from each ({@link RecoveryProbe}), while {@link MonotonicWatcher} polls Redis for
 * anything moving backwards; then lets the job catch up and checks ({@link InvariantChecker}). Prints
 * the report ({@link ChaosReport}, also {@code DIR/report.md}) and fails, naming the reason, on any
 * violation. Every wait is bounded; everything it started is stopped on the way out.
 */
public final class ChaosCommand {

    public static final String USAGE = String.join("\n",
            "  chaos [--minutes 10] [--seed S] [--faults 10] [--out DIR] [--kinds taskmanager-kill,kafka-restart,",
            "       redis-restart,redis-data-loss,checkpoint-dir-unwritable] [--users 300] [--items 200] [--rate 20]",
            "       [--parallelism 2] [--taskmanagers 2] [--taskmanager-memory SIZE] [--recovery-timeout-s 240]",
            "       [--settle-timeout-s 300] [--jar JOB_JAR] [job options...]",
            "      A chaos soak on a local multi-process cluster of its own (JobManager, TaskManagers, Kafka, Redis):",
            "      a known stream for the given minutes, random faults, then exact per-user and per-item counts, every",
            "      list current, nothing moved backwards in Redis. Prints a table and exits 1 naming any violation.");

    private final ChaosSettings settings;
    private final String commandLine;
    private final PrintStream out;

    public ChaosCommand(Path home, List<String> argv, PrintStream out) {
        this.settings = ChaosSettings.parse(home, CommandArgs.parse(argv));
        this.commandLine = "bin/streamrec chaos " + String.join(" ", argv)
                + (argv.contains("--seed") ? "" : " --seed " + settings.seed());
        this.out = out;
    }

    /** Runs the soak in {@code home}; exit status 0 when every check passed. */
    public static int run(Path home, List<String> argv) {
        ChaosCommand command = new ChaosCommand(home, argv, System.out);
        ChaosReport report = command.soak(home);
        List<String> failures = report.failures();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("the soak found " + failures.size() + " violation(s): "
                    + String.join(" | ", failures) + " (report: " + command.settings.out().resolve("report.md") + ")");
        }
        System.out.println("chaos soak passed; report in " + command.settings.out().resolve("report.md"));
        return 0;
    }

    /** Runs the soak and returns its report (printed and written to {@code DIR/report.md}). */
    public ChaosReport soak(Path home) {
        FaultSchedule schedule = FaultSchedule.draw(settings.seed(), settings.faults(), settings.run(), settings.kinds());
        ChaosReport report = new ChaosReport(commandLine);
        createDirectory(settings.out());
        out.printf("Chaos soak: %s of input at %.0f events/s, %d faults (seed %d), in %s%n", settings.run(),
                settings.eventsPerSecond(), settings.faults(), settings.seed(), settings.out());
        long setUp = System.nanoTime();
        try (ChaosEnvironment env = ChaosEnvironment.start(home, settings.out(), settings);
             KnownStream stream = new KnownStream(env.kafka.bootstrapServers(), env.topic(), settings.users(),
                     settings.items(), settings.seed(), settings.eventsPerSecond());
             MonotonicWatcher watcher = new MonotonicWatcher(env.redis.url(), ChaosEnvironment.PREFIX,
                     () -> new ArrayList<>(stream.perUser().keySet()), () -> new ArrayList<>(stream.perItem().keySet()))) {
            out.printf("Kafka %s, Redis %s, Flink %s, job %s running after %.0f s%n", env.kafka.bootstrapServers(),
                    env.redis.url(), env.cluster.restUrl(), env.jobId, (System.nanoTime() - setUp) / 1e9);
            long start = System.nanoTime();
            stream.start();
            watcher.start();
            injectAll(env, stream, schedule, start, report);
            long end = start + settings.run().toNanos();
            while (System.nanoTime() < end && stream.failure() == null) {
                Waits.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
            stream.stop();
            if (stream.failure() != null) {
                report.error("the input could not be sent, so the expected counts are unknown: " + stream.failure());
            } else {
                out.printf("Input stopped after %.0f s: %d events; waiting for the job to catch up (at most %s) ...%n",
                        (System.nanoTime() - start) / 1e9, stream.events(), settings.settleTimeout());
                report.addAll(new InvariantChecker(env, stream, watcher).check(settings.settleTimeout()));
            }
        } catch (RuntimeException e) {
            report.error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        report.print(out);
        report.write(settings.out().resolve("report.md"));
        return report;
    }

    /** Injects the planned faults in order, each once the job has recovered from the one before. */
    private void injectAll(ChaosEnvironment env, KnownStream stream, FaultSchedule schedule, long start, ChaosReport report) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 31 + 7);
        int index = 0;
        for (FaultSchedule.Planned planned : schedule.faults()) {
            index++;
            long due = start + planned.atMillis() * 1_000_000;
            while (System.nanoTime() < due && stream.failure() == null) {
                Waits.sleep(Math.min(500, Math.max(1, (due - System.nanoTime()) / 1_000_000)));
            }
            if (stream.failure() != null) {
                return;
            }
            Fault fault = Fault.of(planned.kind());
            List<String> usersBefore = new ArrayList<>(stream.perUser().keySet());
            double at = (System.nanoTime() - start) / 1e9;
            out.printf("[%5.0f s] fault %d: %s ...%n", at, index, planned.kind().label());
            RecoveryProbe probe = new RecoveryProbe(env);
            RecoveryProbe.Effect before = effectOrNull(probe);
            long injected = System.nanoTime();
            String details;
            try {
                details = fault.inject(env, random);
            } catch (Exception e) {
                report.error("fault " + index + " (" + planned.kind().label() + ") could not be injected: " + e);
                return;
            }
            double recovered = probe.await(planned.kind(), injected, System.currentTimeMillis(),
                    usersBefore, settings.recoveryTimeout());
            RecoveryProbe.Effect after = effectOrNull(probe);
            report.add(new ChaosReport.Row(index, at, planned.kind(), details,
                    before == null || after == null ? null : after.since(before), recovered));
            out.printf("[%5.0f s]   %s; %s%n", (System.nanoTime() - start) / 1e9, details,
                    recovered < 0 ? "NOT recovered within " + settings.recoveryTimeout() : String.format("recovered after %.1f s", recovered));
            if (recovered < 0) {
                return;
            }
        }
    }

    private static RecoveryProbe.Effect effectOrNull(RecoveryProbe probe) {
        try {
            return probe.effect();
        } catch (RuntimeException restUnavailable) {
            return null;
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
