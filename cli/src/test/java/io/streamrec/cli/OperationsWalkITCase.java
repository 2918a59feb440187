package io.streamrec.cli;

import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.cli.cluster.LocalCluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Runs the walk of docs/OPERATIONS.md ("The first hour: MovieLens on the local cluster") as written:
 * each line of its code block through {@code bin/streamrec} in a shell, from the checkout's root,
 * against a real local cluster (JobManager and TaskManager JVMs, Kafka and Redis in a services
 * process) and the MovieLens file in {@code ../shared}. The only differences from a user's terminal:
 * the cluster's state lives in a temporary directory ({@code STREAMREC_STATE_DIR}), and
 * {@code bin/streamrec} runs this build's classes ({@code STREAMREC_CLASSPATH}) instead of building.
 *
 * <p>Each command's output is checked for values: records checked and sent, the job's input counts
 * in {@code status}, 458 users with lists (the others idle for over 90 days of event time, expired), user 655's list
 * counting all of their ratings. Before
 * the job is stopped, 30 records with 1997 timestamps are sent with {@code --force}: the job must
 * log its rejection warning and {@code status} must show them by reason.
 */
class OperationsWalkITCase {

    private static final String HEADING = "## The first hour: MovieLens on the local cluster";
    private static final Path HOME = home();

    @TempDir
    static Path work;

    private static Path stateDir;

    @AfterAll
    static void stopCluster() {
        if (stateDir != null) {
            LocalCluster.attach(stateDir).ifPresent(LocalCluster::stop);
        }
    }

    @Test
    void theMovieLensWalkWorksAsWritten() throws Exception {
        Path ratings = HOME.resolve("../shared/datasets/ml-100k/u.data").normalize();
        assumeThat(Files.isReadable(ratings)).as("MovieLens 100K at " + ratings).isTrue();
        assertThat(System.getProperty("java.class.path")).as("the test classpath holds this build")
                .contains(Path.of("cli", "target", "classes").toString());
        stateDir = work.resolve("cluster");
        long user655Ratings;
        try (Stream<String> lines = Files.lines(ratings)) {
            user655Ratings = lines.filter(l -> l.startsWith("655\t")).count();
        }

        List<String> walk = walk();
        assertThat(walk).hasSize(7).allMatch(l -> l.startsWith("bin/streamrec "));
        for (String line : walk) {
            if (line.startsWith("bin/streamrec stop")) {
                jobWarnsAboutRejectedInput();
            }
            Result result = run(line, !line.equals("bin/streamrec status"));
            switch (line.split("\\s+")[1] + (line.split("\\s+").length > 2 ? " " + line.split("\\s+")[2] : "")) {
                case "cluster start" -> assertThat(result.output).contains("Kafka", "Redis", "TaskManagers 2, slots 4", "Prometheus", "/metrics");
                case "submit --parallelism" -> assertThat(result.output)
                        .contains("Flink http://localhost:", "(the local cluster's)", "Submitted job");
                case "produce --file" -> assertThat(result.output)
                        .contains("moved the 100,000 ratings' timestamps")
                        .contains("checked 100,000 records against the job's rules (options of job ")
                        .contains(": 0 would be rejected")
                        .contains("sent 100,000 records");
                case "status" -> {
                    // as the doc says: again until the job has read everything and every user has a list
                    long deadline = System.currentTimeMillis() + 240_000;
                    while (!(result.output.contains("source lag   0 records") && result.output.contains("458 users have a list")
                                     && result.output.contains("since start 100,000 read") && result.exit == 0)
                            && System.currentTimeMillis() < deadline) {
                        Thread.sleep(3000);
                        result = run(line, false); // while the job catches up, a busy broker may time out
                    }
                    assertThat(result.exit).as("exit status of the last status:%n%s", result.output).isZero();
                    assertThat(result.output)
                            .contains("RUNNING")
                            .contains("since start 100,000 read: 100,000 valid, 0 rejected")
                            .contains("source lag   0 records")
                            .contains("458 users have a list")
                            .contains("answers (PING")
                            .containsPattern("checkpoint   #\\d+ completed")
                            .contains("(event times are far in the past: a replay of history)");
                    System.out.println("[walk] status output for the closing note:\n" + result.output);
                }
                case "recs 655" -> {
                    assertThat(result.output).containsPattern("655: version \\d+, updated .*, " + user655Ratings + " interactions");
                    assertThat(result.output.lines().filter(l -> l.matches("\\s+\\d+\\. .*"))).hasSize(20);
                }
                case "stop --savepoint" -> assertThat(result.output).contains("Stopped job").contains("with savepoint file:");
                case "cluster stop" -> assertThat(result.output).contains("Stopped the cluster");
                default -> throw new AssertionError("a command the test does not know: " + line);
            }
        }
    }

    /** 30 records of 1997 sent anyway: the job warns in its log, and status shows them by reason. */
    private void jobWarnsAboutRejectedInput() throws Exception {
        Path bad = work.resolve("bad.jsonl");
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add("{\"id\":\"old-" + i + "\",\"user\":\"u" + i + "\",\"item\":\"i1\",\"type\":\"click\",\"ts\":874724710000}");
        }
        Files.write(bad, records);
        Result refused = run("bin/streamrec produce --file " + bad + " --format json", false);
        assertThat(refused.exit).isEqualTo(1);
        assertThat(refused.output).contains("timestamp_out_of_range: 30 (100.0%)", "not sending: the job would reject every record");
        Result forced = run("bin/streamrec produce --file " + bad + " --format json --force", true);
        assertThat(forced.output).contains("sent 30 records");

        long deadline = System.currentTimeMillis() + 120_000;
        long warned = 0;
        Result status = null;
        while (System.currentTimeMillis() < deadline) {
            warned = warnedRecords();
            status = run("bin/streamrec status", false);
            // Flink's REST metrics can lag the job by up to 10 s: wait until they show the warning too
            if (warned == 30 && status.exit == 0 && status.output.contains("timestamp_out_of_range   30 since start")
                    && status.output.matches("(?s).*rejection warnings logged: [1-9].*")) {
                break;
            }
            Thread.sleep(3000);
        }
        assertThat(warned).as("records counted in the job's WARN lines").isEqualTo(30);
        assertThat(status.exit).isZero();
        assertThat(status.output)
                .contains("since start 100,030 read: 100,000 valid, 30 rejected")
                .contains("timestamp_out_of_range   30 since start")
                .containsPattern("rejection warnings logged: [1-9]");
        System.out.println("[walk] status output after 30 rejected records:\n" + status.output);
    }

    /** Sum of "N of M input records ... were rejected" over the TaskManagers' WARN lines. */
    private static long warnedRecords() throws IOException {
        Pattern warning = Pattern.compile("WARN .*InteractionValidator.* - .*: ([\\d,]+) of ([\\d,]+) input records");
        long sum = 0;
        try (Stream<Path> logs = Files.list(stateDir.resolve("logs"))) {
            for (Path log : logs.filter(p -> p.getFileName().toString().matches("taskmanager-\\d+\\.log")).toList()) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    Matcher m = warning.matcher(line);
                    if (m.find()) {
                        sum += Long.parseLong(m.group(1).replace(",", ""));
                    }
                }
            }
        }
        return sum;
    }

    /** The lines of the walk's code block, without comments. */
    static List<String> walk() throws IOException {
        List<String> doc = Files.readAllLines(HOME.resolve("docs/OPERATIONS.md"));
        int at = doc.indexOf(HEADING);
        assertThat(at).as("docs/OPERATIONS.md has the section '%s'", HEADING).isGreaterThanOrEqualTo(0);
        int start = at;
        while (!doc.get(start).startsWith("```")) {
            start++;
        }
        List<String> lines = new ArrayList<>();
        for (int i = start + 1; !doc.get(i).startsWith("```"); i++) {
            String line = doc.get(i).replaceAll("\\s+#.*$", "").trim();
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private record Result(int exit, String output) {}

    /** Runs one line in a shell from the checkout's root; {@code mustSucceed}: its exit status must be 0. */
    private static Result run(String line, boolean mustSucceed) throws Exception {
        Path log = Files.createTempFile(work, "command-", ".out");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", line)
                .directory(HOME.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put(Endpoints.STATE_DIR_ENV, stateDir.toString());
        env.put("STREAMREC_CLASSPATH", System.getProperty("java.class.path"));
        long start = System.nanoTime();
        Process process = builder.start();
        assertThat(process.waitFor(6, TimeUnit.MINUTES)).as("'%s' finished", line).isTrue();
        String output = Files.readString(log);
        System.out.printf("[walk] $ %s   (exit %d, %.1f s)%n%s", line, process.exitValue(), (System.nanoTime() - start) / 1e9,
                output.lines().map(l -> "    " + l + "\n").collect(Collectors.joining()));
        if (mustSucceed) {
            assertThat(process.exitValue()).as("exit status of '%s':%n%s", line, output).isZero();
        }
        return new Result(process.exitValue(), output);
    }

    /** The project directory (tests run in cli/). */
    static Path home() {
        Path cli = Path.of("").toAbsolutePath();
        return cli.getFileName().toString().equals("cli") ? cli.getParent() : cli;
    }
}
