package io.streamrec.cli;

import io.streamrec.cli.cluster.FlinkRestClient;
import io.streamrec.evaluation.LocalStack;
import io.streamrec.job.CommandArgs;
import io.streamrec.job.InteractionCounts;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.testkit.Interaction;
import io.streamrec.testkit.InteractionGenerator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * {@code bin/streamrec bench}: the whole job's throughput and freshness with the producer out of the
 * measurement. Pre-loads a fresh topic with N generated events, then runs the job over it from the
 * beginning (local mini cluster with the project's flink-conf: RocksDB, parallelism 2 unless given)
 * and reports, once every user's list in Redis counts all of their events:
 *
 * <ul>
 *   <li>{@code events_per_s}: N over the time from all of the job's tasks running (the sources
 *       start reading) to the last list visible in Redis (sustained, end to end, start-up included);
 *   <li>{@code latency_ms}: event → list for about 2,000 probe events, from when the job had read
 *       as many records as precede the probe in the topic (its read count, the validator's counters
 *       read in-process every {@value #POLL_MS} ms through {@link BenchMetrics}; partitions are read
 *       at nearly the same pace)
 *       to when the user's list meta in Redis counted the probe; p50, p95, p99;
 *   <li>{@code savepoint_bytes}: the size of a savepoint taken at the end, in the canonical
 *       format: the model's state itself, whatever RocksDB has not compacted yet (the checkpoint
 *       size below counts those files too, so it moves with compaction timing; this is the one to
 *       compare across parallelisms); -1 if the savepoint failed;
 *   <li>{@code checkpoint_bytes} and duration: the latest completed checkpoint's size, and the
 *       median and largest end-to-end durations;
 *   <li>{@code heap_bytes}: the largest heap use seen during the run in this JVM, which the mini
 *       cluster's TaskManager shares with this command, the Kafka broker and the JobManager (an
 *       upper bound);
 *   <li>{@code scoring_users_per_s}: users scored per second of scoring time, per UserWorker thread
 *       (the {@code usersScored} and {@code scoringMicros} metrics);
 *   <li>{@code bounded_queries}, {@code bounded_accepted_share}: top-N queries tried against the
 *       hot set of the exact pruning, and the share it answered alone ({@code boundedQueries},
 *       {@code boundedAccepted}).
 * </ul>
 *
 * With {@code --out DIR} the figures go to {@code DIR/results.json} as well.
 *
 * <p>Why it is long (about 450 lines): the pre-load with its probes, the watch loop (with its
 * samples of the tasks' time), the results and their printing belong to one measurement and read
 * best together; the in-process metric reporter, which also gathers the task-time gauges, already
 * lives apart ({@link BenchMetrics}).
 */
final class BenchCommand {

    static final long POLL_MS = 200;
    private static final int PROBES = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final CommandArgs args;

    BenchCommand(Path home, CommandArgs args) {
        this.home = home;
        this.args = args;
    }

    /** A probe: the {@code expected}-th event of {@code user}, preceded by {@code position} records in the topic. */
    private record Probe(String user, long expected, long position) {}

    int run() throws Exception {
        int users = (int) args.takeLong("users", 5_000);
        int items = (int) args.takeLong("items", 2_000);
        long events = args.takeLong("events", 0);
        long seed = args.takeLong("seed", 7);
        long timeoutSeconds = args.takeLong("timeout", 3_600);
        String out = args.take("out", null);
        if (events <= 0) {
            throw new IllegalArgumentException("--events N is required (N > 0): the number of events to pre-load");
        }
        Map<String, String> jobOptions = new LinkedHashMap<>(args.remainingOptions());
        StreamRecOptions.fromMap(jobOptions); // typos fail before anything starts
        int parallelism = Integer.parseInt(jobOptions.getOrDefault(StreamRecOptions.PARALLELISM.key(), "2"));
        jobOptions.putIfAbsent(StreamRecOptions.PARALLELISM.key(), Integer.toString(parallelism));

        try (LocalStack stack = LocalStack.start()) {
            StreamRecOptions options = stack.namespace("bench", jobOptions, parallelism);
            String topic = options.get(StreamRecOptions.TOPIC_INTERACTIONS);
            String prefix = options.get(StreamRecOptions.REDIS_PREFIX);

            System.out.printf("Pre-loading %,d events (%,d users, %,d items) into %s ...%n", events, users, items, topic);
            Map<String, Long> expectedPerUser = new HashMap<>();
            List<Probe> probes = new ArrayList<>();
            long loadStart = System.currentTimeMillis();
            stack.produce(topic, generated(users, items, seed, events, expectedPerUser, probes));
            System.out.printf("Pre-loaded in %.1f s; starting the job from the beginning of the topic.%n",
                    (System.currentTimeMillis() - loadStart) / 1000.0);

            int restPort = DemoCommand.freePort(8081);
            Configuration conf = DemoCommand.flinkConfiguration(home, parallelism, restPort);
            BenchMetrics.addTo(conf);
            JobClient job = DemoCommand.startJob(conf, options, "StreamRec bench");
            try (Jedis redis = stack.jedis()) {
                FlinkRestClient rest = new FlinkRestClient("http://localhost:" + restPort);
                Run run = new Run(rest, job.getJobID().toHexString(), redis, prefix, expectedPerUser, probes, events);
                if (!run.watch(timeoutSeconds * 1000)) {
                    System.err.println("the job stopped or the bench timed out: " + job.getJobStatus().get());
                    return 1;
                }
                ObjectNode results = run.results(users, items, parallelism, options);
                results.put("savepoint_bytes", savepointBytes(rest, job.getJobID().toHexString()));
                print(results);
                if (out != null) {
                    Path dir = Path.of(out);
                    Files.createDirectories(dir);
                    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("results.json").toFile(), results);
                    System.out.println("results: " + dir.resolve("results.json"));
                }
            } finally {
                job.cancel().get();
                awaitTerminal(job, Duration.ofSeconds(30));
            }
        }
        return 0;
    }

    /**
     * Waits until the cancelled job has stopped, at most {@code limit}: the local stack stops Redis
     * and Kafka when the command returns, and a sink still committing then only logs retries.
     */
    private static void awaitTerminal(JobClient job, Duration limit) throws InterruptedException {
        try {
            job.getJobExecutionResult().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // cancelled (the usual ending), failed, gone with its mini cluster, or still stopping
        }
    }

    /** N generated events as (user, json) records; counts each user's events and picks the probes. */
    private static Iterable<Map.Entry<String, String>> generated(int users, int items, long seed, long events,
                                                                  Map<String, Long> expectedPerUser, List<Probe> probes) {
        // event times end about now (at 100k events/s of event time): none in the future, all within the TTLs
        double rate = 100_000;
        InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(users).items(items).seed(seed).eventsPerSecond(rate)
                .startTimestampMillis(System.currentTimeMillis() - (long) (events * 1000 / rate) - 1000).build());
        long probeEvery = Math.max(1, events / PROBES);
        return () -> new Iterator<>() {
            private long position;

            @Override
            public boolean hasNext() {
                return position < events;
            }

            @Override
            public Map.Entry<String, String> next() {
                Interaction event = generator.nextInteraction();
                long expected = expectedPerUser.merge(event.user(), 1L, Long::sum);
                if (position % probeEvery == probeEvery - 1) {
                    probes.add(new Probe(event.user(), expected, position));
                }
                position++;
                return new AbstractMap.SimpleImmutableEntry<>(event.user(), event.toJson());
            }
        };
    }

    /** One bench run's polling: read counts, probes, heap and the end condition. */
    private static final class Run {
        private final FlinkRestClient rest;
        private final String jobId;
        private final Jedis redis;
        private final String prefix;
        private final Map<String, Long> expectedPerUser;
        private final List<Probe> pending;
        private final long events;
        /** (wall-clock ms, records read by the job) samples, increasing. */
        private final List<long[]> readTimeline = new ArrayList<>();
        /** (probe, wall-clock ms when its list counted it): latencies are computed at the end, when every read time is known. */
        private final List<Map.Entry<Probe, Long>> visible = new ArrayList<>();
        private long lastListCheck;
        private long startedAt = -1;
        private long allReadAt = -1;
        private long doneAt = -1;
        private long maxHeap = -1;
        /** Sums of {@link BenchMetrics#taskTimeShares()} over samples taken while the job read its backlog. */
        private final Map<String, double[]> taskTimeSums = new TreeMap<>();
        private int taskTimeSamples;

        Run(FlinkRestClient rest, String jobId, Jedis redis, String prefix, Map<String, Long> expectedPerUser,
            List<Probe> probes, long events) {
            this.rest = rest;
            this.jobId = jobId;
            this.redis = redis;
            this.prefix = prefix;
            this.expectedPerUser = expectedPerUser;
            this.pending = new ArrayList<>(probes);
            this.events = events;
        }

        /** Polls until every user's list counts all of their events (true), or the job ends or time runs out (false). */
        boolean watch(long timeoutMs) throws Exception {
            long deadline = System.currentTimeMillis() + timeoutMs;
            ProgressLine progress = ProgressLine.forStdout();
            long lastProgress = 0;
            while (System.currentTimeMillis() < deadline) {
                Thread.sleep(POLL_MS);
                long now = System.currentTimeMillis();
                if (!rest.jobState(jobId).equals("RUNNING")) {
                    if (rest.jobState(jobId).equals("FAILED") || rest.jobState(jobId).equals("CANCELED")) {
                        progress.end();
                        return false;
                    }
                    continue;
                }
                if (startedAt < 0) {
                    if (!rest.allTasksRunning(jobId)) {
                        continue;
                    }
                    // the run's clock starts when every task runs: the sources start reading then
                    startedAt = now;
                    readTimeline.add(new long[] {now, 0});
                }
                long read = recordsRead();
                if (read > 0) {
                    readTimeline.add(new long[] {now, read});
                    if (read >= events && allReadAt < 0) {
                        allReadAt = now;
                    }
                }
                checkProbes(now);
                maxHeap = Math.max(maxHeap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                if (now - lastProgress >= 2000) {
                    if (read > 0 && allReadAt < 0) {
                        sampleTaskTimes();
                    }
                    progress.update(String.format("%5.0f s  %,d of %,d events read  %,d probes waiting",
                            startedAt < 0 ? 0 : (now - startedAt) / 1000.0, Math.max(read, 0), events, pending.size()));
                    lastProgress = now;
                }
                if (allReadAt > 0 && pending.isEmpty() && now - lastListCheck >= 1000) {
                    lastListCheck = now;
                    if (InteractionCounts.usersBehind(redis, prefix, expectedPerUser).isEmpty()) {
                        doneAt = now;
                        progress.end();
                        return true;
                    }
                }
            }
            progress.end();
            return false;
        }

        private void sampleTaskTimes() {
            BenchMetrics.taskTimeShares().forEach((task, shares) -> {
                double[] sums = taskTimeSums.computeIfAbsent(task, t -> new double[3]);
                for (int i = 0; i < 3; i++) {
                    sums[i] += shares[i];
                }
            });
            taskTimeSamples++;
        }

        /** Records the validator has read (valid and rejected), summed over its subtasks; -1 before it reports. */
        private static long recordsRead() {
            return (long) BenchMetrics.sum(id -> id.endsWith(".interactionsValid") || id.endsWith(".interactionsRejected"));
        }

        private void checkProbes(long now) {
            if (pending.isEmpty()) {
                return;
            }
            Pipeline pipeline = redis.pipelined();
            List<Response<String>> applied = new ArrayList<>(pending.size());
            for (Probe p : pending) {
                applied.add(pipeline.hget(RedisKeys.meta(RedisKeys.userList(prefix, p.user())), RedisKeys.FIELD_INTERACTIONS));
            }
            pipeline.sync();
            List<Probe> still = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                Probe p = pending.get(i);
                String value = applied.get(i).get();
                if (value != null && Long.parseLong(value) >= p.expected()) {
                    visible.add(new AbstractMap.SimpleImmutableEntry<>(p, now));
                } else {
                    still.add(p);
                }
            }
            pending.clear();
            pending.addAll(still);
        }

        /** When the job's read count first reached {@code count} (interpolated between samples), or -1 if not yet. */
        private long readAt(long count) {
            long[] previous = null;
            for (long[] sample : readTimeline) {
                if (sample[1] >= count) {
                    if (previous == null || sample[1] == previous[1]) {
                        return sample[0];
                    }
                    double f = (count - previous[1]) / (double) (sample[1] - previous[1]);
                    return previous[0] + Math.round(f * (sample[0] - previous[0]));
                }
                previous = sample;
            }
            return -1;
        }

        ObjectNode results(int users, int items, int parallelism, StreamRecOptions options) {
            double seconds = Math.max(0.001, (doneAt - startedAt) / 1000.0);
            ObjectNode r = JSON.createObjectNode();
            r.put("users", users);
            r.put("items", items);
            r.put("events", events);
            r.put("parallelism", parallelism);
            r.put("index", options.get(StreamRecOptions.INDEX).name());
            r.put("dimension", options.get(StreamRecOptions.DIMENSION));
            r.put("events_counted", expectedPerUser.values().stream().mapToLong(Long::longValue).sum());
            r.put("seconds", seconds);
            r.put("events_per_s", events / seconds);
            r.put("read_seconds", Math.max(0.001, (allReadAt - startedAt) / 1000.0));
            List<Long> latencies = new ArrayList<>();
            for (Map.Entry<Probe, Long> v : visible) {
                long readAt = readAt(v.getKey().position() + 1);
                latencies.add(Math.max(0, v.getValue() - (readAt > 0 ? readAt : startedAt)));
            }
            ObjectNode latency = r.putObject("latency_ms");
            latency.put("p50", DemoCommand.percentile(new ArrayList<>(latencies), 50));
            latency.put("p95", DemoCommand.percentile(new ArrayList<>(latencies), 95));
            latency.put("p99", DemoCommand.percentile(new ArrayList<>(latencies), 99));
            latency.put("max", DemoCommand.percentile(new ArrayList<>(latencies), 100));
            latency.put("probes", latencies.size());
            JsonNode checkpoints = rest.checkpoints(jobId);
            JsonNode latest = checkpoints.path("latest").path("completed");
            r.put("checkpoints_completed", checkpoints.path("counts").path("completed").asLong());
            r.put("checkpoint_bytes", latest.path("state_size").asLong(latest.path("checkpointed_size").asLong()));
            r.put("checkpoint_duration_ms_p50", checkpoints.path("summary").path("end_to_end_duration").path("p50").asDouble());
            r.put("checkpoint_duration_ms_max", checkpoints.path("summary").path("end_to_end_duration").path("max").asLong());
            r.put("heap_bytes", maxHeap);
            double scored = Math.max(0, BenchMetrics.sum(id -> id.endsWith(".usersScored")));
            double micros = BenchMetrics.sum(id -> id.endsWith(".scoringMicros"));
            r.put("users_scored", (long) scored);
            // summed over subtasks: each has a graph
            r.put("indexed_items", (long) Math.max(0, BenchMetrics.sum(id -> id.endsWith(".indexedItems"))));
            // the gradient loop: item deltas dropped unconfirmed after 10 checkpoints (lagging confirmations)
            r.put("deltas_expired", (long) Math.max(0, BenchMetrics.sum(id -> id.endsWith(".itemDeltasExpired"))));
            // every UserWorker subtask holds a replica of the whole model's items: their mean is its size
            r.put("cached_items", Math.round(Math.max(0, BenchMetrics.sum(id -> id.endsWith(".cachedItems")))
                    / r.path("parallelism").asDouble(1)));
            r.put("scoring_users_per_s", micros > 0 ? scored / (micros / 1e6) : 0);
            // the exact pruning of BoundedTopNKernel: queries (users and similar-item lists) tried
            // against the hot set, and those answered by it alone
            double bounded = Math.max(0, BenchMetrics.sum(id -> id.endsWith(".boundedQueries")));
            double accepted = Math.max(0, BenchMetrics.sum(id -> id.endsWith(".boundedAccepted")));
            r.put("bounded_queries", (long) bounded);
            r.put("bounded_accepted_share", bounded > 0 ? accepted / bounded : 0);
            // where each task's threads spent their time while the job read its backlog (Flink's
            // busy, back-pressured and idle time; means over subtasks and over samples every 2 s)
            if (taskTimeSamples == 0) {
                sampleTaskTimes(); // a backlog read within the first 2 s: the times since
            }
            ObjectNode tasks = r.putObject("task_time");
            taskTimeSums.forEach((task, sums) -> {
                ObjectNode t = tasks.putObject(task);
                t.put("busy", sums[0] / taskTimeSamples);
                t.put("back_pressured", sums[1] / taskTimeSamples);
                t.put("idle", sums[2] / taskTimeSamples);
            });
            return r;
        }
    }

    /** Takes a savepoint of the running job into a temporary directory and returns its size (deleted after); -1 on failure. */
    private static long savepointBytes(FlinkRestClient rest, String jobId) throws IOException {
        Path dir = Files.createTempDirectory("streamrec-bench-savepoint");
        try {
            String location = rest.triggerSavepoint(jobId, dir.toUri().toString(), Duration.ofMinutes(5));
            try (Stream<Path> files = Files.walk(Path.of(URI.create(location)))) {
                return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            }
        } catch (RuntimeException e) {
            System.err.println("bench: the savepoint at the end failed (" + e.getMessage() + "); savepoint_bytes is -1");
            return -1;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void print(ObjectNode r) {
        JsonNode latency = r.path("latency_ms");
        System.out.println();
        System.out.println("=== StreamRec bench ===");
        System.out.printf("setup                   %,d users, %,d items, %,d events, parallelism %d, index %s, dim %d%n",
                r.path("users").asLong(), r.path("items").asLong(), r.path("events").asLong(),
                r.path("parallelism").asInt(), r.path("index").asText(), r.path("dimension").asInt());
        System.out.printf("sustained               %,.0f events/s (%.1f s from the job's tasks running to the last list in Redis; all read after %.1f s)%n",
                r.path("events_per_s").asDouble(), r.path("seconds").asDouble(), r.path("read_seconds").asDouble());
        System.out.printf("event -> list in Redis  p50 %s  p95 %s  p99 %s  (%d probes)%n",
                DemoCommand.formatMillis(latency.path("p50").asLong()), DemoCommand.formatMillis(latency.path("p95").asLong()),
                DemoCommand.formatMillis(latency.path("p99").asLong()), latency.path("probes").asInt());
        System.out.printf("checkpoints             %d completed; latest %s; duration median %.0f ms, max %d ms%n",
                r.path("checkpoints_completed").asLong(), DemoCommand.formatBytes(r.path("checkpoint_bytes").asLong()),
                r.path("checkpoint_duration_ms_p50").asDouble(), r.path("checkpoint_duration_ms_max").asLong());
        System.out.printf("savepoint at the end    %s (canonical format: the state itself)%n",
                DemoCommand.formatBytes(r.path("savepoint_bytes").asLong()));
        System.out.printf("heap (TaskManager JVM)  %s at most%n", DemoCommand.formatBytes(r.path("heap_bytes").asLong()));
        System.out.printf("scoring                 %,.0f users/s per UserWorker thread (%,d users scored; %,d items in each replica; HNSW graphs hold %,d items)%n",
                r.path("scoring_users_per_s").asDouble(), r.path("users_scored").asLong(), r.path("cached_items").asLong(),
                r.path("indexed_items").asLong());
        System.out.printf("gradient loop           %,d item deltas dropped unconfirmed after 10 checkpoints%n",
                r.path("deltas_expired").asLong());
        if (r.path("bounded_queries").asLong() == 0) {
            System.out.println("pruning                 not tried (the catalogue is too small for the hot set to pay)");
        } else {
            System.out.printf("pruning                 %.1f%% of %,d queries tried against the hot set answered by it alone%n",
                    100 * r.path("bounded_accepted_share").asDouble(), r.path("bounded_queries").asLong());
        }
        System.out.println("task time while reading the backlog (busy / back-pressured / idle, mean over subtasks):");
        r.path("task_time").fields().forEachRemaining(t -> System.out.printf("  %3.0f%% / %3.0f%% / %3.0f%%  %s%n",
                100 * t.getValue().path("busy").asDouble(), 100 * t.getValue().path("back_pressured").asDouble(),
                100 * t.getValue().path("idle").asDouble(), t.getKey()));
    }
}
