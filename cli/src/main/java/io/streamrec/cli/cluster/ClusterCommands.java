package io.streamrec.cli.cluster;

import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecJob;
import io.streamrec.cli.compare.CandidateDeployment;
import io.streamrec.job.JobTopics;
import io.streamrec.job.StreamRecOptions;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code bin/streamrec cluster start|stop|status}, {@code submit}, {@code savepoint} and
 * {@code stop}: thin command line glue over {@link LocalCluster} and {@link FlinkRestClient}. The
 * commands work against the local cluster's state directory, or any Flink cluster given with
 * {@code --rest http://host:8081} (then Kafka and Redis must be given as job options).
 *
 * <p>Long because it implements every cluster subcommand (start, stop, status, submit, savepoint,
 * stop with savepoint) with their flags and messages; one class per subcommand is open (issue 8).
 */
public final class ClusterCommands {

    static final Duration SAVEPOINT_TIMEOUT = Duration.ofMinutes(10);
    static final Duration RUNNING_TIMEOUT = Duration.ofMinutes(5);
    static final Duration CANCEL_TIMEOUT = Duration.ofMinutes(2);
    static final String LAST_JOB = "job.last";
    public static final String LAST_SAVEPOINT = "savepoint.last";

    private ClusterCommands() {}

    // ------------------------------------------------------------------ cluster start|stop|status

    public static int cluster(Path home, List<String> argv) {
        return reported("cluster", () -> clusterCommand(home, argv));
    }

    private static int clusterCommand(Path home, List<String> argv) {
        CommandArgs flags = CommandArgs.parse(argv);
        String action = flags.positional().isEmpty() ? "status" : flags.positional().get(0);
        Path stateDir = stateDir(home, flags);
        switch (action) {
            case "start": {
                LocalCluster.Settings settings = new LocalCluster.Settings(home).stateDir(stateDir)
                        .taskManagers(flags.takeInt("taskmanagers", 2))
                        .restPort(flags.takeInt("rest-port", 8081));
                Optional<String> kafka = flags.take("kafka.bootstrap");
                Optional<String> redis = flags.take("redis.url");
                if (kafka.isPresent() || redis.isPresent() || flags.takeBoolean("no-services")) {
                    settings.services(false);
                    kafka.ifPresent(settings::kafkaBootstrap);
                    redis.ifPresent(settings::redisUrl);
                }
                flags.rejectUnknown();
                long start = System.nanoTime();
                System.out.println("Starting a Flink standalone cluster (1 JobManager, " + settings.taskManagers
                        + " TaskManagers" + (settings.services ? ", local Kafka and Redis" : "") + ") ...");
                LocalCluster cluster = LocalCluster.start(settings);
                System.out.printf("Started in %.1f s.%n", seconds(start));
                printStatus(cluster);
                return 0;
            }
            case "stop": {
                flags.rejectUnknown();
                Optional<LocalCluster> cluster = LocalCluster.attach(stateDir);
                if (cluster.isEmpty() || !cluster.get().anyProcessAlive()) {
                    System.out.println("No cluster is running from " + stateDir);
                    return 0;
                }
                try {
                    List<String> jobs = cluster.get().rest().activeJobs();
                    if (!jobs.isEmpty()) {
                        System.out.println("note: stopping with running jobs " + jobs + "; their last retained checkpoint is in "
                                + stateDir.resolve("checkpoints") + " (use 'bin/streamrec stop --savepoint' first next time)");
                    }
                } catch (RuntimeException unreachable) {
                    // the JobManager is already gone: stop what is left
                }
                cluster.get().stop();
                System.out.println("Stopped the cluster in " + stateDir);
                return 0;
            }
            case "status": {
                flags.rejectUnknown();
                Optional<LocalCluster> cluster = LocalCluster.attach(stateDir);
                if (cluster.isEmpty()) {
                    System.out.println("No cluster was started from " + stateDir + " (bin/streamrec cluster start)");
                    return 3;
                }
                return printStatus(cluster.get()) ? 0 : 3;
            }
            default:
                throw new IllegalArgumentException("expected start, stop or status, got '" + action + "'");
        }
    }

    /** Prints processes, REST overview and jobs; false if some process or the REST API is down. */
    private static boolean printStatus(LocalCluster cluster) {
        boolean healthy = true;
        for (String name : cluster.processNames()) {
            boolean alive = cluster.isAlive(name);
            healthy &= alive || name.startsWith("taskmanager-");
            System.out.printf("  %-16s pid %-8s %s   log %s%n", name, cluster.pid(name).map(String::valueOf).orElse("-"),
                    alive ? "running" : "not running", cluster.logFile(name));
        }
        cluster.kafkaBootstrap().ifPresent(k -> System.out.println("  Kafka            " + k));
        cluster.redisUrl().ifPresent(r -> System.out.println("  Redis            " + r));
        Map<String, String> prometheus = cluster.prometheusEndpoints();
        if (!prometheus.isEmpty()) {
            System.out.println("  Prometheus       " + String.join("  ", prometheus.values()));
            System.out.println("                   scrape config: " + cluster.prometheusConfig()
                    + "; dashboard: k8s/grafana/streamrec-dashboard.json");
        }
        try {
            JsonNode overview = cluster.rest().overview();
            System.out.printf("  Flink %s web UI  %s   TaskManagers %d, slots %d (%d free)%n",
                    overview.path("flink-version").asText(), cluster.restUrl(), overview.path("taskmanagers").asInt(),
                    overview.path("slots-total").asInt(), overview.path("slots-available").asInt());
            for (JsonNode job : cluster.rest().jobsOverview().path("jobs")) {
                System.out.printf("  job %s  %-10s %s%n", job.path("jid").asText(), job.path("state").asText(),
                        job.path("name").asText());
            }
        } catch (RuntimeException e) {
            System.out.println("  REST API         unreachable at " + cluster.restUrl() + ": " + e.getMessage());
            healthy = false;
        }
        return healthy;
    }

    // ------------------------------------------------------------------ submit

    public static int submit(Path home, List<String> argv) {
        return reported("submit", () -> submitCommand(home, argv));
    }

    private static int submitCommand(Path home, List<String> argv) {
        submitJob(home, argv);
        return 0;
    }

    /**
     * What {@code bin/streamrec submit ARGS} does (checks, topics, upload, run, wait until every task
     * runs, messages), for commands built from it: returns the submission, with the job id the REST
     * API gave. Usage errors are IllegalArgumentException; operational failures IllegalStateException
     * or {@link FlinkRestClient.FlinkRestException}.
     */
    public static Submission submitJob(Path home, List<String> argv) {
        CommandArgs flags = CommandArgs.parse(argv);
        Endpoints endpoints = Endpoints.of(home, flags.take("state-dir"));
        Optional<LocalCluster> local = LocalCluster.attach(endpoints.stateDir());
        Endpoints.Endpoint flink = endpoints.flink(flags.take("rest"));
        String savepoint = flags.take("from-savepoint").orElse(null);
        if ("last".equals(savepoint)) {
            savepoint = local.flatMap(c -> c.remembered(LAST_SAVEPOINT))
                    .orElseThrow(() -> new IllegalArgumentException("--from-savepoint last: no savepoint taken yet"));
        }
        boolean allowNonRestored = flags.takeBoolean("allow-non-restored-state");
        Optional<String> candidate = flags.take("candidate");
        Path jar = flags.take("jar").map(Path::of).orElseGet(() -> defaultJobJar(home));
        if (!flags.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument '" + flags.positional().get(0) + "'");
        }

        // everything else is a job option; Kafka and Redis default to the local cluster's
        Map<String, String> jobOptions = new LinkedHashMap<>(flags.remainingOptions());
        if (candidate.isPresent()) {
            jobOptions = new LinkedHashMap<>(CandidateDeployment.options(candidate.get(), jobOptions));
        }
        Endpoints.Endpoint kafka = endpoints.kafka(jobOptions);
        Endpoints.Endpoint redis = endpoints.redis(jobOptions);
        jobOptions.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.address());
        jobOptions.put(StreamRecOptions.REDIS_URL.key(), redis.address());
        StreamRecOptions options = StreamRecOptions.fromMap(jobOptions); // fails fast, naming the option
        int parallelism = options.get(StreamRecOptions.PARALLELISM);

        Endpoints.announce(System.out, flink, kafka, redis);
        FlinkRestClient rest = new FlinkRestClient(flink.address());
        Endpoints.checkFlink(flink, rest);
        Endpoints.checkKafka(kafka); // the topics are checked from here, so Kafka must answer here
        try {
            Endpoints.checkRedis(redis);
        } catch (IllegalStateException unreachable) {
            if (!flink.source().startsWith("--")) {
                throw unreachable;
            }
            // a remote cluster (--rest) may reach a Redis that this machine cannot
            System.out.println("warning: " + unreachable.getMessage() + "; submitting anyway, since the cluster's "
                    + "TaskManagers may reach it");
        }
        refuseSharedIdentity(local, rest, jobOptions);
        ensureTopics(options, Math.max(LocalServices.PARTITIONS, parallelism));
        Submission submission = submit(rest, jar, jobOptions, parallelism, savepoint, allowNonRestored);
        Map<String, String> submitted = jobOptions;
        if (candidate.isEmpty()) {
            endpoints.localCluster().ifPresent(c -> {
                c.remember(LAST_JOB, submission.jobId());
                c.rememberJobOptions(submission.jobId(), submitted);
            });
        } else {
            // produce and submit's own checks keep the live job's remembered options; status and stop
            // take --job ID while both run
            System.out.printf("Candidate %s: Redis prefix %s, gradients %s, group %s. Compare: bin/streamrec compare"
                            + " --live %s --candidate %s (status and stop take --job ID while both run)%n", candidate.get(), options.get(StreamRecOptions.REDIS_PREFIX),
                    options.get(StreamRecOptions.TOPIC_GRADIENTS), options.get(StreamRecOptions.KAFKA_GROUP),
                    local.map(c -> c.lastJobOptions().getOrDefault(StreamRecOptions.REDIS_PREFIX.key(),
                            StreamRecOptions.REDIS_PREFIX.defaultValue())).orElse(StreamRecOptions.REDIS_PREFIX.defaultValue()),
                    options.get(StreamRecOptions.REDIS_PREFIX));
        }
        System.out.printf("Submitted job %s (parallelism %s)%s; all tasks running after %.1f s.%n",
                submission.jobId(), parallelism > 0 ? parallelism : "default",
                savepoint == null ? "" : " from " + savepoint, submission.seconds());
        System.out.println("Web UI: " + rest.baseUrl() + "#/job/running/" + submission.jobId() + "/overview");
        return submission;
    }

    /**
     * Refuses a submission that would share a Redis prefix, consumer group or transactional-id
     * prefix with the job this local cluster last started, while that job still runs: the two would
     * overwrite each other's lists, mix offsets, or abort each other's transactions.
     */
    private static void refuseSharedIdentity(Optional<LocalCluster> local, FlinkRestClient rest, Map<String, String> next) {
        if (local.isEmpty()) {
            return;
        }
        Optional<String> running = local.get().lastJobOptionsOf().filter(id -> rest.activeJobs().contains(id));
        if (running.isEmpty()) {
            return;
        }
        List<String> shared = CandidateDeployment.sharedIdentity(local.get().lastJobOptions(), next);
        if (!shared.isEmpty()) {
            throw new IllegalArgumentException("job " + running.get() + " is running with " + String.join(", ", shared)
                    + "; a second deployment needs its own (submit --candidate NAME derives them), or stop that job first");
        }
    }

    /** The outcome of {@link #submit(FlinkRestClient, Path, Map, int, String, boolean)}. */
    public record Submission(String jobId, double seconds) {}

    /**
     * Uploads the job jar, runs it with the given job options, and waits until every task runs;
     * the time includes restoring state from {@code savepoint} (null: a fresh start).
     */
    public static Submission submit(FlinkRestClient rest, Path jar, Map<String, String> jobOptions, int parallelism,
                                    String savepoint, boolean allowNonRestored) {
        List<String> programArgs = new ArrayList<>();
        jobOptions.forEach((k, v) -> {
            programArgs.add("--" + k);
            programArgs.add(v);
        });
        long start = System.nanoTime();
        String jarId = rest.uploadJar(jar);
        String jobId = rest.runJar(jarId, StreamRecJob.class.getName(), programArgs, parallelism, savepoint, allowNonRestored);
        awaitRunning(rest, jobId, RUNNING_TIMEOUT);
        return new Submission(jobId, seconds(start));
    }

    /** Waits until every subtask of the job is RUNNING; fails early if the job ends. */
    public static void awaitRunning(FlinkRestClient rest, String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!rest.allTasksRunning(jobId)) {
            String state = rest.jobState(jobId);
            if (Set.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                JsonNode last = rest.exceptions(jobId).path("exceptionHistory").path("entries").path(0);
                throw new IllegalStateException("job " + jobId + " is " + state + ": "
                        + last.path("stacktrace").asText("(no exception recorded)").lines().findFirst().orElse(""));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " not running after " + timeout + " (state " + state + ")");
            }
            sleep(200);
        }
    }

    private static void ensureTopics(StreamRecOptions options, int partitions) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.get(StreamRecOptions.KAFKA_BOOTSTRAP));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000"); // must not exceed the API timeout
        try (Admin admin = Admin.create(props)) {
            JobTopics.ensure(admin, options, partitions, 30_000);
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach Kafka at " + options.get(StreamRecOptions.KAFKA_BOOTSTRAP)
                    + " to check the topics: " + e.getMessage(), e);
        }
    }

    /** The shaded job jar in {@code home/job/target/}; fails naming the build command if there is none. */
    public static Path defaultJobJar(Path home) {
        Path target = home.resolve("job").resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-flink.jar")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no job jar in " + target + " (mvn -DskipTests install)"));
        } catch (IOException e) {
            throw new IllegalArgumentException("no job jar in " + target + " (mvn -DskipTests install)");
        }
    }

    // ------------------------------------------------------------------ savepoint, stop

    public static int savepoint(Path home, List<String> argv) {
        return reported("savepoint", () -> savepointCommand(home, argv));
    }

    private static int savepointCommand(Path home, List<String> argv) {
        CommandArgs flags = CommandArgs.parse(argv);
        Endpoints endpoints = Endpoints.of(home, flags.take("state-dir"));
        Optional<String> restFlag = flags.take("rest");
        Optional<String> jobFlag = flags.take("job");
        String dir = flags.take("dir").orElse(null);
        boolean whenCaughtUp = flags.takeBoolean("when-caught-up");
        flags.rejectUnknown();
        FlinkRestClient rest = restClient(restFlag, endpoints);
        String job = jobFlag.orElseGet(() -> theRunningJob(rest));
        Optional<LocalCluster> local = endpoints.localCluster();
        if (whenCaughtUp) {
            awaitCaughtUp(rest, job, RUNNING_TIMEOUT.multipliedBy(12));
        }
        long start = System.nanoTime();
        String path = rest.triggerSavepoint(job, dir, SAVEPOINT_TIMEOUT);
        local.ifPresent(c -> c.remember(LAST_SAVEPOINT, path));
        System.out.printf("Savepoint of job %s: %s%n  taken in %.1f s, %s; the job keeps running.%n",
                job, path, seconds(start), formatBytes(savepointBytes(path)));
        return 0;
    }

    public static int stop(Path home, List<String> argv) {
        return reported("stop", () -> stopCommand(home, argv));
    }

    private static int stopCommand(Path home, List<String> argv) {
        stopJob(home, argv);
        return 0;
    }

    /**
     * What {@code bin/streamrec stop ARGS} does, for commands built from it: returns the path of the
     * savepoint as the REST API reported it (empty after {@code --cancel}).
     */
    public static Optional<String> stopJob(Path home, List<String> argv) {
        CommandArgs flags = CommandArgs.parse(argv);
        Endpoints endpoints = Endpoints.of(home, flags.take("state-dir"));
        Optional<String> restFlag = flags.take("rest");
        Optional<String> jobFlag = flags.take("job");
        Optional<String> savepointFlag = flags.take("savepoint"); // --savepoint [DIR]
        boolean withSavepoint = savepointFlag.isPresent();
        boolean cancel = flags.takeBoolean("cancel");
        boolean drain = flags.takeBoolean("drain");
        String dir = savepointFlag.filter(v -> !v.equals("true")).or(() -> flags.take("dir")).orElse(null);
        boolean whenCaughtUp = flags.takeBoolean("when-caught-up");
        flags.rejectUnknown();
        if (withSavepoint == cancel) {
            throw new IllegalArgumentException("say --savepoint (stop with a savepoint to resume from) or --cancel (no savepoint)");
        }
        FlinkRestClient rest = restClient(restFlag, endpoints);
        String job = jobFlag.orElseGet(() -> theRunningJob(rest));
        Optional<LocalCluster> local = endpoints.localCluster();
        if (whenCaughtUp) {
            awaitCaughtUp(rest, job, RUNNING_TIMEOUT.multipliedBy(12));
        }
        if (cancel) {
            // "Cancelled" only once it is: until then the job holds its slots, group and prefix
            String state = rest.cancelAndAwait(job, CANCEL_TIMEOUT);
            System.out.println((state.equals("CANCELED") ? "Cancelled job " + job : "Job " + job + " ended " + state
                    + " before the cancel") + " (its last retained checkpoint can still be restored).");
            return Optional.empty();
        }
        long start = System.nanoTime();
        String path = rest.stopWithSavepoint(job, dir, drain, SAVEPOINT_TIMEOUT);
        local.ifPresent(c -> c.remember(LAST_SAVEPOINT, path));
        System.out.printf("Stopped job %s with savepoint %s%n  in %.1f s, %s. Resume: bin/streamrec submit --from-savepoint %s [--parallelism N]%n",
                job, path, seconds(start), formatBytes(savepointBytes(path)), path);
        return Optional.of(path);
    }

    /**
     * Waits until the interactions source has read everything in its topic: the sum of its
     * {@code pendingRecords} (records between the readers' positions and the partitions' ends) is 0
     * on two polls two seconds apart. For replays of a bounded history into the unbounded job.
     */
    public static void awaitCaughtUp(FlinkRestClient rest, String jobId, Duration timeout) {
        String source = null;
        for (JsonNode vertex : rest.job(jobId).path("vertices")) {
            if (vertex.path("name").asText().contains(io.streamrec.job.OperatorIds.NAME_INTERACTIONS_SOURCE)) {
                source = vertex.path("id").asText();
            }
        }
        if (source == null) {
            throw new IllegalStateException("job " + jobId + " has no '" + io.streamrec.job.OperatorIds.NAME_INTERACTIONS_SOURCE
                    + "' vertex");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int zeroes = 0;
        long lastPrinted = -2;
        while (zeroes < 2) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " did not catch up within " + timeout);
            }
            long pending = rest.vertexMetricSum(jobId, source, ".pendingRecords");
            zeroes = pending == 0 ? zeroes + 1 : 0;
            if (pending != lastPrinted && pending != 0) {
                System.out.println("  waiting for the interactions source to catch up: "
                        + (pending < 0 ? "no lag reported yet" : pending + " records behind"));
                lastPrinted = pending;
            }
            sleep(2000);
        }
    }

    private static String theRunningJob(FlinkRestClient rest) {
        List<String> active = rest.activeJobs();
        if (active.size() != 1) {
            throw new IllegalArgumentException(active.isEmpty() ? "no job is running on " + rest.baseUrl()
                    : "several jobs are running " + active + "; choose one with --job ID");
        }
        return active.get(0);
    }

    /**
     * Runs a command; an operational failure (cluster down, savepoint failed, job failed) is printed
     * as one message with exit status 1. Usage errors (IllegalArgumentException) go to the caller.
     */
    private static int reported(String command, java.util.function.IntSupplier body) {
        try {
            return body.getAsInt();
        } catch (IllegalArgumentException usage) {
            throw usage;
        } catch (IllegalStateException | FlinkRestClient.FlinkRestException | UncheckedIOException e) {
            System.err.println("streamrec " + command + ": " + e.getMessage());
            return 1;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Path stateDir(Path home, CommandArgs flags) {
        return Endpoints.stateDir(home, flags.take("state-dir"));
    }

    /** The Flink REST API of {@code --rest}, else of the running local cluster, checked; says which. */
    private static FlinkRestClient restClient(Optional<String> restFlag, Endpoints endpoints) {
        Endpoints.Endpoint flink = endpoints.flink(restFlag);
        Endpoints.announce(System.out, flink);
        FlinkRestClient rest = new FlinkRestClient(flink.address());
        Endpoints.checkFlink(flink, rest);
        return rest;
    }

    /** Bytes under a {@code file:} savepoint directory (-1 for other file systems). */
    public static long savepointBytes(String path) {
        if (!path.startsWith("file:")) {
            return -1;
        }
        try (Stream<Path> files = Files.walk(Path.of(URI.create(path.startsWith("file:///") ? path : "file://" + path.substring(5))))) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public static String formatBytes(long bytes) {
        if (bytes < 0) {
            return "size unknown";
        }
        return bytes >= 1 << 20 ? String.format("%.1f MiB", bytes / 1048576.0) : String.format("%.1f KiB", bytes / 1024.0);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
