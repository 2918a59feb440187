package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.job.InteractionCounts;
import io.streamrec.job.StreamRecJob;
import io.streamrec.job.JobTopics;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.RedisRecommendations;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.InteractionGenerator;
import io.streamrec.testkit.MovieLensReader;
import io.streamrec.testkit.RedisServerProcess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bin/streamrec demo}: the whole product on one machine. Starts (or uses) Kafka and Redis,
 * runs the real job graph on a local Flink mini cluster with the web UI, streams interactions into
 * Kafka, shows progress, and with {@code --events N} stops after checking that every user's list in
 * Redis reflects all of their events, printing throughput, event-to-list latency and checkpoint
 * figures.
 *
 * <p>Long because it is the whole demo: flags, local services, the job, the paced producer, latency
 * probes, the progress line and the summaries; moving the probes and the summary out is open
 * (issue 8).
 */
final class DemoCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final CommandArgs args;

    private final Map<String, Long> expectedPerUser = new ConcurrentHashMap<>();
    private final AtomicLong produced = new AtomicLong();
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());

    static final String PROMETHEUS_FACTORY = "metrics.reporter.prom.factory.class";
    static final String PROMETHEUS_PORT = "metrics.reporter.prom.port";

    private final ProgressLine progress = ProgressLine.forStdout();
    private volatile long startedAt;
    private volatile long lastUsersWithLists;
    private volatile boolean summarized;
    private int prometheusPort = -1;
    private EmbeddedKafka kafka;
    private RedisServerProcess redisServer;
    private JobClient job;

    DemoCommand(Path home, CommandArgs args) {
        this.home = home;
        this.args = args;
    }

    int run() throws Exception {
        long events = args.takeLong("events", 0);
        long rate = args.takeLong("rate", 3000);
        int users = (int) args.takeLong("users", 5000);
        int items = (int) args.takeLong("items", 2000);
        long seed = args.takeLong("seed", 7);
        String movielens = args.take("movielens", null);
        int itemCategories = (int) args.takeLong("item-categories", 0);
        if (itemCategories < 0 || itemCategories > StreamRecOptions.MAX_CATEGORIES || (itemCategories > 0 && movielens != null)) {
            throw new IllegalArgumentException("--item-categories must be 0.." + StreamRecOptions.MAX_CATEGORIES
                    + ", for generated items only");
        }
        // every option is checked before anything starts: a typo must not cost a broker start-up
        StreamRecOptions.fromMap(args.remainingOptions());
        int parallelism = Integer.parseInt(args.peek(StreamRecOptions.PARALLELISM.key(), "2"));
        if (movielens != null && !java.nio.file.Files.isReadable(Path.of(movielens))) {
            throw new IllegalArgumentException("--movielens: cannot read " + Path.of(movielens).toAbsolutePath().normalize());
        }

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            interruptedSummary();
            shutdown();
        }, "streamrec-demo-shutdown"));

        Map<String, String> jobOptions = new LinkedHashMap<>(args.remainingOptions());
        String bootstrap = jobOptions.get(StreamRecOptions.KAFKA_BOOTSTRAP.key());
        if (bootstrap == null) {
            System.out.println("Starting a local Kafka broker (KRaft, in-process) ...");
            kafka = EmbeddedKafka.start();
            bootstrap = kafka.bootstrapServers();
        }
        String redisUrl = jobOptions.get(StreamRecOptions.REDIS_URL.key());
        if (redisUrl == null) {
            redisServer = RedisServerProcess.start();
            redisUrl = redisServer.url();
        }
        jobOptions.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), bootstrap);
        jobOptions.put(StreamRecOptions.REDIS_URL.key(), redisUrl);
        jobOptions.putIfAbsent(StreamRecOptions.PARALLELISM.key(), Integer.toString(parallelism));
        jobOptions.putIfAbsent(StreamRecOptions.KAFKA_START.key(), "earliest");
        if (movielens != null) {
            // MovieLens 100K is from 1997-98; MovieLens ratings count as plain interactions
            jobOptions.putIfAbsent(StreamRecOptions.MIN_TIMESTAMP.key(), "0");
            jobOptions.putIfAbsent(StreamRecOptions.RATING_MODE.key(), "IMPLICIT");
            // the demo replays seven months in minutes and waits for every user's list: keep every
            // user (with the default 90-day retention about half would expire at the end)
            jobOptions.putIfAbsent(StreamRecOptions.USER_TTL.key(), "0");
        }
        if (itemCategories > 0 && !jobOptions.containsKey(StreamRecOptions.CATEGORIES.key())) {
            List<String> named = new ArrayList<>();
            for (int c = 0; c < itemCategories; c++) {
                named.add("c" + c);
            }
            jobOptions.put(StreamRecOptions.CATEGORIES.key(), String.join(",", named));
        }
        StreamRecOptions options = StreamRecOptions.fromMap(jobOptions);
        String topic = options.get(StreamRecOptions.TOPIC_INTERACTIONS);
        createTopics(bootstrap, options, parallelism);
        if (itemCategories > 0) {
            sendCatalogue(bootstrap, options.get(StreamRecOptions.TOPIC_ITEMS), items, itemCategories);
        }
        System.out.printf("Kafka: %s   Redis: %s%n", bootstrap, redisUrl);

        int restPort = freePort(8081);
        Configuration conf = flinkConfiguration(home, parallelism, restPort);
        if (conf.containsKey(PROMETHEUS_FACTORY)) {
            // the mini cluster is one process: one port, printed at start
            prometheusPort = freePort(9249);
            conf.setString(PROMETHEUS_PORT, Integer.toString(prometheusPort));
        }
        job = startJob(conf, options, "StreamRec demo");
        System.out.printf("Flink web UI: http://localhost:%d   job %s%n", restPort, job.getJobID());
        if (prometheusPort > 0) {
            System.out.printf("Prometheus metrics: http://localhost:%d/metrics   recommendations page: bin/streamrec ui --redis.url %s --rest http://localhost:%d%n",
                    prometheusPort, redisUrl, restPort);
        }

        Iterator<String> source = movielens != null
                ? MovieLensReader.readJson(Path.of(movielens)).iterator()
                : generated(users, items, seed, rate);
        long limit = events > 0 ? events : Long.MAX_VALUE;
        String brokers = bootstrap;
        Thread producer = new Thread(() -> produce(brokers, topic, source, limit, rate), "streamrec-demo-producer");
        producer.setDaemon(true);
        long start = System.currentTimeMillis();
        producer.start();

        String prefix = options.get(StreamRecOptions.REDIS_PREFIX);
        startedAt = start;
        if (events == 0) {
            System.out.println("Streaming until Ctrl-C (a summary follows); --events N stops by itself.");
        }
        try (Jedis redis = jedis(redisUrl)) {
            long doneAt;
            try {
                doneAt = watch(redis, prefix, start, events);
            } catch (Exception e) {
                // Ctrl-C signals the whole process group: redis-server may die before the shutdown
                // hook (which prints the summary) has begun; the hook then sets stop
                long deadline = System.currentTimeMillis() + 2000;
                while (!stop.get() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                if (!stop.get()) {
                    throw e;
                }
                return 0;
            }
            progress.end();
            if (doneAt < 0) {
                System.err.println("the job stopped: " + job.getJobStatus().get());
                return 1;
            }
            if (doneAt > 0) {
                summarized = true;
                summary(redis, prefix, redisUrl, restPort, start, doneAt);
            }
        }
        shutdown();
        return 0;
    }

    /**
     * Starts the real job graph (Kafka in, Redis out, the gradient loop through Kafka) on a local
     * mini cluster with the web UI, configured by {@code conf}.
     */
    static JobClient startJob(Configuration conf, StreamRecOptions options, String name) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        StreamRecJob.configure(env, options);
        StreamRecJob.buildWithKafkaAndRedis(env, options);
        return env.executeAsync(name);
    }

    /**
     * Shows progress until a bounded run is done (returns the time), Ctrl-C (0) or the job stopped
     * by itself (-1). A terminal shows one line, rewritten every second; a pipe or a log gets a
     * line every 2 s. The rate is over the last ~2 s.
     */
    private long watch(Jedis redis, String prefix, long start, long events) throws Exception {
        long reportEvery = progress.inPlace() ? 1000 : 2000;
        long lastReport = System.currentTimeMillis();
        Deque<long[]> recent = new ArrayDeque<>(); // (time, events sent) of the last reports
        recent.add(new long[] {lastReport, 0});
        while (!stop.get()) {
            Thread.sleep(250);
            checkProbes(redis, prefix);
            long now = System.currentTimeMillis();
            if (now - lastReport >= reportEvery) {
                long sent = produced.get();
                recent.addLast(new long[] {now, sent});
                while (recent.size() > 2 && now - recent.peekFirst()[0] > 2500) {
                    recent.removeFirst();
                }
                long[] from = recent.peekFirst();
                double perSecond = now > from[0] ? (sent - from[1]) * 1000.0 / (now - from[0]) : 0;
                lastUsersWithLists = usersWithLists(redis, prefix);
                progress.update(String.format("%5.0f s  %,d events  %,.0f/s  lists %,d of %,d users  event->list p50 %s",
                        (now - start) / 1000.0, sent, perSecond, lastUsersWithLists, expectedPerUser.size(),
                        formatMillis(percentile(50))));
                lastReport = now;
            }
            if (!producing.get() && events > 0 && allListsCurrent(redis, prefix)) {
                return System.currentTimeMillis();
            }
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                return -1;
            }
        }
        return 0;
    }

    /** The summary of a run stopped with Ctrl-C (from the shutdown hook: Redis may be going away). */
    private void interruptedSummary() {
        if (summarized || startedAt == 0) {
            return;
        }
        summarized = true;
        progress.end();
        long n = produced.get();
        double seconds = (System.currentTimeMillis() - startedAt) / 1000.0;
        System.out.println();
        System.out.println("=== StreamRec demo summary (stopped) ===");
        System.out.printf("events sent             %,d in %.1f s  (%,.0f events/s)%n", n, seconds, n / Math.max(seconds, 0.001));
        System.out.printf("users with lists        %,d / %,d (at the last progress line)%n", lastUsersWithLists, expectedPerUser.size());
        System.out.printf("event -> list in Redis  p50 %s  p95 %s  max %s  (%d probes)%n",
                formatMillis(percentile(50)), formatMillis(percentile(95)), formatMillis(percentile(100)), latencies.size());
        System.out.flush();
    }

    private Iterator<String> generated(int users, int items, long seed, long rate) {
        // event time advances at the sending rate, so events are stamped about when they are sent
        InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(users).items(items).seed(seed).startTimestampMillis(System.currentTimeMillis())
                .eventsPerSecond(Math.max(1, rate)).build());
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public String next() {
                return generator.next();
            }
        };
    }

    /** Item metadata for the generated items i1..iN: item i in category c{(i - 1) mod k}, all available. */
    private static void sendCatalogue(String bootstrap, String topic, int items, int categories) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        long ts = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 1; i <= items; i++) {
                String item = "i" + i;
                producer.send(new ProducerRecord<>(topic, item, "{\"item\":\"" + item + "\",\"categories\":[\"c"
                        + ((i - 1) % categories) + "\"],\"available\":true,\"ts\":" + ts + "}"));
            }
            producer.flush();
        }
        System.out.printf("Item catalogue: %,d items in %d categories (c0..c%d) on topic %s; category lists: "
                + "bin/streamrec recs USER --category c0 --redis.url ...%n", items, categories, categories - 1, topic);
    }

    private void produce(String bootstrap, String topic, Iterator<String> source, long limit, long rate) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            long start = System.nanoTime();
            long lastProbe = 0;
            while (!stop.get() && produced.get() < limit && source.hasNext()) {
                String record = source.next();
                String user = userOf(record);
                producer.send(new ProducerRecord<>(topic, user, record));
                long n = produced.incrementAndGet();
                if (user != null) {
                    long expected = expectedPerUser.merge(user, 1L, Long::sum);
                    long now = System.currentTimeMillis();
                    if (now - lastProbe >= 250) {
                        producer.flush();
                        probes.add(new Probe(user, expected, System.currentTimeMillis()));
                        lastProbe = now;
                    }
                }
                long due = start + n * 1_000_000_000L / Math.max(1, rate);
                long sleep = due - System.nanoTime();
                if (sleep > 1_000_000) {
                    Thread.sleep(sleep / 1_000_000);
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producing.set(false);
        }
    }

    private static String userOf(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node.path("user").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    private void checkProbes(Jedis redis, String prefix) {
        for (Iterator<Probe> it = probes.iterator(); it.hasNext(); ) {
            Probe probe = it.next();
            String applied = redis.hget(RedisKeys.meta(RedisKeys.userList(prefix, probe.user)), RedisKeys.FIELD_INTERACTIONS);
            if (applied != null && Long.parseLong(applied) >= probe.expected) {
                latencies.add(System.currentTimeMillis() - probe.producedAt);
                it.remove();
            }
        }
    }

    private long usersWithLists(Jedis redis, String prefix) {
        List<String> users = new ArrayList<>(expectedPerUser.keySet());
        Pipeline pipeline = redis.pipelined();
        List<Response<Boolean>> exists = new ArrayList<>(users.size());
        for (String user : users) {
            exists.add(pipeline.exists(RedisKeys.meta(RedisKeys.userList(prefix, user))));
        }
        pipeline.sync();
        return exists.stream().filter(Response::get).count();
    }

    /** True when every user's list in Redis reflects all of that user's produced events. */
    private boolean allListsCurrent(Jedis redis, String prefix) {
        return InteractionCounts.usersBehind(redis, prefix, Map.copyOf(expectedPerUser)).isEmpty();
    }

    private void summary(Jedis redis, String prefix, String redisUrl, int restPort, long start, long doneAt)
            throws Exception {
        long n = produced.get();
        double seconds = (doneAt - start) / 1000.0;
        System.out.println();
        System.out.println("=== StreamRec demo summary ===");
        System.out.printf("events processed        %,d in %.1f s  (%,.0f events/s end to end)%n", n, seconds, n / seconds);
        System.out.printf("users with lists        %,d / %,d%n", usersWithLists(redis, prefix), expectedPerUser.size());
        System.out.printf("event -> list in Redis  p50 %s  p95 %s  max %s  (%d probes)%n",
                formatMillis(percentile(50)), formatMillis(percentile(95)), formatMillis(percentile(100)), latencies.size());
        System.out.println("checkpoints             " + checkpointSummary(restPort));
        System.out.println("online quality          " + onlineQuality(redis, prefix));
        System.out.println();
        try (RedisRecommendations recs = RedisRecommendations.connect(redisUrl, prefix)) {
            List<String> sample = new ArrayList<>(expectedPerUser.keySet());
            Collections.sort(sample);
            for (String user : sample.subList(0, Math.min(3, sample.size()))) {
                RecsCommand.print(System.out, user, recs.forUser(user, 5));
            }
            RecsCommand.print(System.out, RecsCommand.POPULAR, recs.popular(5));
        }
    }

    /** The job's own test-then-learn figures since its start ({@code _metrics}), in one phrase. */
    private static String onlineQuality(Jedis redis, String prefix) {
        Map<String, Double> figures = new LinkedHashMap<>();
        for (redis.clients.jedis.resps.Tuple t : redis.zrangeWithScores(RedisKeys.metrics(prefix), 0, -1)) {
            figures.put(t.getElement(), t.getScore());
        }
        String hr = figures.keySet().stream().filter(k -> k.startsWith("hr@") && k.endsWith(":total")).findFirst().orElse(null);
        if (hr == null) {
            return "(no figures yet: users interacted too rarely after getting a list)";
        }
        return String.format("hit rate @%s %.1f %%, MRR %.3f over %,.0f interactions (each measured against the user's list before it was learned)",
                hr.substring(3, hr.indexOf(':')), 100 * figures.get(hr), figures.getOrDefault("mrr:total", 0.0),
                figures.getOrDefault("evaluated:total", 0.0));
    }

    private String checkpointSummary(int restPort) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + "/jobs/" + job.getJobID() + "/checkpoints"))
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode root = JSON.readTree(response.body());
            JsonNode latest = root.path("latest").path("completed");
            JsonNode summary = root.path("summary");
            return String.format("%d completed; latest: state %s, duration %d ms; median duration %s ms",
                    root.path("counts").path("completed").asLong(),
                    formatBytes(latest.path("state_size").asLong(latest.path("checkpointed_size").asLong())),
                    latest.path("end_to_end_duration").asLong(),
                    summary.path("end_to_end_duration").path("p50").asText("?"));
        } catch (Exception e) {
            return "(unavailable: " + e.getMessage() + ")";
        }
    }

    private long percentile(int p) {
        List<Long> copy;
        synchronized (latencies) {
            copy = new ArrayList<>(latencies);
        }
        return percentile(copy, p);
    }

    /** The {@code p}-th percentile (nearest rank) of the values, or -1 when there are none; sorts {@code copy}. */
    static long percentile(List<Long> copy, int p) {
        if (copy.isEmpty()) {
            return -1;
        }
        Collections.sort(copy);
        int index = (int) Math.ceil(p / 100.0 * copy.size()) - 1;
        return copy.get(Math.max(0, Math.min(copy.size() - 1, index)));
    }

    static String formatMillis(long ms) {
        return ms < 0 ? "-" : String.format("%.2f s", ms / 1000.0);
    }

    static String formatBytes(long bytes) {
        return bytes >= 1 << 20 ? String.format("%.1f MiB", bytes / 1048576.0) : String.format("%.1f KiB", bytes / 1024.0);
    }

    /**
     * The Flink configuration of a local mini cluster with the web UI on {@code restPort}: the
     * project's flink-conf (RocksDB, checkpointing), with directories under {@code home/.streamrec}.
     */
    static Configuration flinkConfiguration(Path home, int parallelism, int restPort) {
        Configuration conf = GlobalConfiguration.loadConfiguration(home.resolve("flink-conf").toString());
        Path work = home.resolve(".streamrec");
        conf.setString("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        conf.setString("execution.checkpointing.savepoint-dir", work.resolve("savepoints").toUri().toString());
        conf.setString("rest.port", Integer.toString(restPort));
        conf.setString("rest.bind-port", Integer.toString(restPort));
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
        conf.setString("parallelism.default", Integer.toString(parallelism));
        // process sizes are for a real cluster (bin/streamrec cluster); a mini cluster ignores them
        conf.removeKey("taskmanager.memory.process.size");
        conf.removeKey("jobmanager.memory.process.size");
        return conf;
    }

    private static void createTopics(String bootstrap, StreamRecOptions options, int partitions) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            JobTopics.ensure(admin, options, partitions, 60_000);
        }
    }

    private static Jedis jedis(String url) {
        return new Jedis(URI.create(url));
    }

    static int freePort(int preferred) {
        try (ServerSocket socket = new ServerSocket(preferred)) {
            return preferred;
        } catch (IOException e) {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            } catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }

    private synchronized void shutdown() {
        stop.set(true);
        if (job != null) {
            try {
                job.cancel().get();
            } catch (Exception ignored) {
                // already finished
            }
            job = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (redisServer != null) {
            redisServer.close();
            redisServer = null;
        }
    }

    private record Probe(String user, long expected, long producedAt) {}
}
