package io.streamrec.cli.cluster;

import io.streamrec.job.StreamRecOptions;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.Interaction;
import io.streamrec.testkit.InteractionGenerator;
import io.streamrec.testkit.InteractionProducer;
import io.streamrec.testkit.RedisServerProcess;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Plumbing of the cluster ITCases: input with known counts, job options, Redis checks, figures. */
public final class ClusterTestSupport {

    private ClusterTestSupport() {}

    /**
     * The cluster the ITCases run on: a JobManager and two TaskManager JVMs as
     * {@code bin/streamrec cluster start} starts them, in {@code stateDir}, on the given Kafka and
     * Redis, its REST API on a free port.
     */
    public static LocalCluster startCluster(Path stateDir, EmbeddedKafka kafka, RedisServerProcess redis) {
        return LocalCluster.start(new LocalCluster.Settings(home())
                .stateDir(stateDir)
                .restPort(0)
                .services(false)
                .kafkaBootstrap(kafka.bootstrapServers())
                .redisUrl(redis.url())
                .flink("taskmanager.memory.process.size", "1536m"));
    }

    /** The StreamRec checkout: the parent of the cli module, which is the tests' working directory. */
    public static Path home() {
        Path cli = Path.of("").toAbsolutePath();
        return cli.getFileName().toString().equals("cli") ? cli.getParent() : cli;
    }

    /** Stops the cluster, then Redis and Kafka; what did not start (null) is skipped. */
    public static void stop(LocalCluster cluster, RedisServerProcess redis, EmbeddedKafka kafka) {
        if (cluster != null) {
            cluster.stop();
        }
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The shaded job jar: {@code -Dstreamrec.job.jar=...}, else the one {@code mvn package} built. */
    public static Path jobJar() {
        String given = System.getProperty("streamrec.job.jar");
        Path jar = given != null ? Path.of(given) : ClusterCommands.defaultJobJar(home());
        assertThat(jar).as("the job jar (built by the job module's package phase: run mvn verify)").isRegularFile();
        return jar;
    }

    record Topics(String interactions, String gradients, String deadLetters) {}

    static Topics topics(EmbeddedKafka kafka, String name) {
        Topics t = new Topics(name + "-interactions", name + "-gradients", name + "-dlq");
        kafka.createTopic(t.interactions, 4);
        kafka.createTopic(t.gradients, 4);
        kafka.createTopic(t.deadLetters, 1);
        return t;
    }

    static Map<String, String> jobOptions(EmbeddedKafka kafka, String redisUrl, Topics topics, String prefix, int parallelism) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka.bootstrapServers());
        o.put(StreamRecOptions.TOPIC_INTERACTIONS.key(), topics.interactions);
        o.put(StreamRecOptions.TOPIC_GRADIENTS.key(), topics.gradients);
        o.put(StreamRecOptions.TOPIC_DEAD_LETTERS.key(), topics.deadLetters);
        o.put(StreamRecOptions.KAFKA_GROUP.key(), "it-" + topics.interactions);
        o.put(StreamRecOptions.KAFKA_START.key(), "earliest");
        o.put(StreamRecOptions.TRANSACTIONAL_ID_PREFIX.key(), "it-" + topics.interactions);
        o.put(StreamRecOptions.REDIS_URL.key(), redisUrl);
        o.put(StreamRecOptions.REDIS_PREFIX.key(), prefix);
        o.put(StreamRecOptions.REFRESH_INTERVAL.key(), "200 ms");
        o.put(StreamRecOptions.DIMENSION.key(), "16");
        o.put(StreamRecOptions.PARALLELISM.key(), Integer.toString(parallelism));
        StreamRecOptions.fromMap(o); // valid
        return o;
    }

    /**
     * Generated interactions with the counts the job must end up with: each event is sent once,
     * and every tenth is followed by a re-send of an earlier event (possibly from before a
     * savepoint), which the job's de-duplication must drop.
     */
    static final class Traffic {
        private final InteractionGenerator generator;
        private final SplittableRandom random = new SplittableRandom(5);
        private final List<String> sent = new ArrayList<>();
        final Map<String, Long> perUser = new HashMap<>();
        final Map<String, Long> perItem = new HashMap<>();
        long duplicates;

        Traffic(int users, int items, long seed) {
            generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                    .users(users).items(items).seed(seed).startTimestampMillis(System.currentTimeMillis())
                    // event times stay within milliseconds of the start, so they are never ahead of the
                    // clock when the events are sent (freshness = visible - event time stays positive)
                    .eventsPerSecond(1_000_000).build());
        }

        /** The next {@code events} distinct events plus about 10% duplicates, counted. */
        synchronized List<String> next(int events) {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                Interaction e = generator.nextInteraction();
                String json = e.toJson();
                batch.add(json);
                sent.add(json);
                perUser.merge(e.user(), 1L, Long::sum);
                perItem.merge(e.item(), 1L, Long::sum);
                if (i % 10 == 9) {
                    batch.add(sent.get(random.nextInt(sent.size())));
                    duplicates++;
                }
            }
            return batch;
        }

        synchronized long events() {
            return sent.size();
        }
    }

    static void produce(EmbeddedKafka kafka, String topic, List<String> records, double perSecond) {
        try (InteractionProducer producer = new InteractionProducer(kafka.bootstrapServers())) {
            producer.send(topic, records.iterator(), perSecond);
        }
    }

    /** "key: expected X, found Y" for every user and item whose count in Redis differs. */
    static List<String> mismatches(Jedis jedis, String prefix, Traffic traffic) {
        Map<String, Long> perUser;
        Map<String, Long> perItem;
        synchronized (traffic) {
            perUser = new LinkedHashMap<>(traffic.perUser);
            perItem = new LinkedHashMap<>(traffic.perItem);
        }
        return io.streamrec.job.InteractionCounts.mismatches(jedis, prefix, perUser, perItem);
    }

    /** Users without a (non-empty) list in Redis. */
    static List<String> usersWithoutList(Jedis jedis, String prefix, Traffic traffic) {
        List<String> users;
        synchronized (traffic) {
            users = new ArrayList<>(traffic.perUser.keySet());
        }
        Pipeline p = jedis.pipelined();
        List<Response<Long>> sizes = new ArrayList<>();
        for (String u : users) {
            sizes.add(p.zcard(prefix + u));
        }
        p.sync();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            if (sizes.get(i).get() == 0) {
                missing.add(users.get(i));
            }
        }
        return missing;
    }

    /** Reads every user's list version and fails if one ever goes down (a list moved backwards). */
    static final class VersionMonitor {
        private final Map<String, Long> seen = new HashMap<>();

        void check(Jedis jedis, String prefix, Traffic traffic) {
            List<String> users;
            synchronized (traffic) {
                users = new ArrayList<>(traffic.perUser.keySet());
            }
            Pipeline p = jedis.pipelined();
            List<Response<String>> versions = new ArrayList<>();
            for (String u : users) {
                versions.add(p.hget(prefix + u + ":meta", "version"));
            }
            p.sync();
            for (int i = 0; i < users.size(); i++) {
                String v = versions.get(i).get();
                if (v != null) {
                    long version = Long.parseLong(v);
                    Long before = seen.put(users.get(i), version);
                    assertThat(version).as("list version of %s", users.get(i))
                            .isGreaterThanOrEqualTo(before == null ? 0 : before);
                }
            }
        }
    }

    public static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        await(condition, seconds, () -> what);
    }

    /** Polls {@code condition} until it holds; after {@code seconds} fails with {@code what}, made then (what is still missing). */
    public static void await(BooleanSupplier condition, int seconds, Supplier<String> what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        fail("timed out after " + seconds + " s waiting for " + what.get());
    }

    /** Prints a measured figure and appends it to target/cluster-figures.txt for the report. */
    static void figure(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println("[figure] " + line);
        try {
            Path file = Path.of("target", "cluster-figures.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, line + System.lineSeparator(),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            System.out.println("(cannot write figures file: " + e + ")");
        }
    }
}
