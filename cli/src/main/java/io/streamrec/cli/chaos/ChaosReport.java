package io.streamrec.cli.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a soak did and found: one row per injected fault (when, what, how long until the job had
 * recovered) and one line per check. Printed as Markdown tables, and written to
 * {@code DIR/report.md}; {@link #failures()} says why the soak failed, empty when it passed.
 *
 * <p>Thread-safe only for use from the soak's main thread.
 */
final class ChaosReport {

    /** An injected fault; {@code recoverySeconds} is -1 when the job did not recover in time. */
    record Row(int index, double atSeconds, FaultKind kind, String details, RecoveryProbe.Effect effect,
               double recoverySeconds) {}

    /** A check after the run. */
    record Check(String name, boolean passed, String details) {}

    private final String command;
    private final List<Row> rows = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    ChaosReport(String command) {
        this.command = command;
    }

    void add(Row row) {
        rows.add(row);
    }

    void addAll(List<Check> found) {
        checks.addAll(found);
    }

    /** A failure outside the checks: a fault that could not be injected, the input that failed. */
    void error(String message) {
        errors.add(message);
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    List<Check> checks() {
        return List.copyOf(checks);
    }

    /** Why the soak failed: errors, faults the job did not recover from, failed checks; empty if none. */
    List<String> failures() {
        List<String> failures = new ArrayList<>(errors);
        rows.stream().filter(r -> r.recoverySeconds() < 0)
                .forEach(r -> failures.add("fault " + r.index() + " (" + r.kind().label() + "): the job did not recover"));
        checks.stream().filter(c -> !c.passed()).forEach(c -> failures.add(c.name() + ": " + c.details()));
        return failures;
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("Command: `").append(command).append("`\n\n");
        out.append("| # | at | fault | what was done | effect on the job | recovered after |\n|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            out.append(String.format("| %d | %.0f s | %s | %s | %s | %s |%n", r.index(), r.atSeconds(), r.kind().label(),
                    r.details(), effect(List.of(r)),
                    r.recoverySeconds() < 0 ? "**not recovered**" : String.format("%.1f s", r.recoverySeconds())));
        }
        out.append("\n| fault | count | time to recover (shortest – longest) | effect on the job | what was checked |\n"
                + "|---|---|---|---|---|\n");
        Map<FaultKind, List<Row>> byKind = new EnumMap<>(FaultKind.class);
        rows.forEach(r -> byKind.computeIfAbsent(r.kind(), k -> new ArrayList<>()).add(r));
        byKind.forEach((kind, list) -> out.append(String.format("| %s | %d | %s | %s | recovered: %s; then the checks below |%n",
                kind.label(), list.size(), recoveryRange(list), effect(list), RecoveryProbe.criterion(kind))));
        out.append("\n| check | result | details |\n|---|---|---|\n");
        for (Check c : checks) {
            out.append(String.format("| %s | %s | %s |%n", c.name(), c.passed() ? "passed" : "**FAILED**", c.details()));
        }
        for (String e : errors) {
            out.append("\nerror: ").append(e).append('\n');
        }
        return out.toString();
    }

    /** "3 failed checkpoints, 1 restart" summed over the rows; "none seen" when both are 0. */
    private static String effect(List<Row> rows) {
        long failed = 0;
        long restarts = 0;
        for (Row r : rows) {
            if (r.effect() == null) {
                return "(not measured)";
            }
            failed += r.effect().failedCheckpoints();
            restarts += r.effect().restarts();
        }
        if (failed == 0 && restarts == 0) {
            return "none seen";
        }
        return failed + " failed checkpoint" + (failed == 1 ? "" : "s") + ", " + restarts + " restart" + (restarts == 1 ? "" : "s");
    }

    /** "9.0 s" for one fault, "25.0 – 33.6 s" (shortest – longest) for more. */
    private static String recoveryRange(List<Row> rows) {
        double[] seconds = rows.stream().mapToDouble(Row::recoverySeconds).sorted().toArray();
        if (seconds[0] < 0) {
            return Arrays.stream(seconds).filter(s -> s < 0).count() + " not recovered";
        }
        return seconds.length == 1 ? String.format("%.1f s", seconds[0])
                : String.format("%.1f – %.1f s", seconds[0], seconds[seconds.length - 1]);
    }

    void print(PrintStream out) {
        out.println(render());
    }

    void write(Path file) {
        try {
            Files.writeString(file, render());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
