package io.streamrec.cli.cluster;

import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.internal.RedisUrl;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import redis.clients.jedis.Jedis;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Where Kafka, Redis and the Flink REST API are for one command: the address given on the command
 * line, else the one of the local cluster ({@code bin/streamrec cluster start}) if it is running,
 * else the default. {@link #announce} says which was chosen and why; the {@code check*} methods fail
 * within seconds, with one sentence saying what to do, when nothing answers there.
 *
 * <p>The local cluster is the one in {@code --state-dir}, else in {@code $STREAMREC_STATE_DIR}, else
 * in {@code .streamrec/cluster} of the checkout.
 */
public final class Endpoints {

    /** Environment variable naming the local cluster's state directory (default {@code .streamrec/cluster}). */
    public static final String STATE_DIR_ENV = "STREAMREC_STATE_DIR";
    static final String DEFAULT_REST = "http://localhost:8081";
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final Path stateDir;
    private final Optional<LocalCluster> running;

    private Endpoints(Path stateDir, Optional<LocalCluster> running) {
        this.stateDir = stateDir;
        this.running = running;
    }

    /** The endpoints of the local cluster in {@code stateDir} (or {@link #STATE_DIR_ENV}, or the default), if it runs. */
    public static Endpoints of(Path home, Optional<String> stateDirFlag) {
        Path dir = stateDir(home, stateDirFlag);
        Optional<LocalCluster> cluster = LocalCluster.attach(dir).filter(LocalCluster::anyProcessAlive);
        return new Endpoints(dir, cluster);
    }

    static Path stateDir(Path home, Optional<String> flag) {
        return flag.or(() -> Optional.ofNullable(System.getenv(STATE_DIR_ENV)).filter(s -> !s.isBlank()))
                .map(Path::of)
                .orElse(home.resolve(".streamrec").resolve("cluster"))
                .toAbsolutePath().normalize();
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The local cluster, if one runs from the state directory. */
    public Optional<LocalCluster> localCluster() {
        return running;
    }

    /** One chosen address and where it came from. */
    public record Endpoint(String what, String address, String source) {
        @Override
        public String toString() {
            return what + " " + address + " (" + source + ")";
        }
    }

    public Endpoint kafka(Map<String, String> options) {
        return choose("Kafka", options.get(StreamRecOptions.KAFKA_BOOTSTRAP.key()), "--" + StreamRecOptions.KAFKA_BOOTSTRAP.key(),
                running.flatMap(LocalCluster::kafkaBootstrap), StreamRecOptions.KAFKA_BOOTSTRAP.defaultValue());
    }

    public Endpoint redis(Map<String, String> options) {
        return choose("Redis", options.get(StreamRecOptions.REDIS_URL.key()), "--" + StreamRecOptions.REDIS_URL.key(),
                running.flatMap(LocalCluster::redisUrl), StreamRecOptions.REDIS_URL.defaultValue());
    }

    public Endpoint flink(Optional<String> restFlag) {
        return choose("Flink", restFlag.orElse(null), "--rest", running.map(LocalCluster::restUrl), DEFAULT_REST);
    }

    private Endpoint choose(String what, String given, String flag, Optional<String> local, String defaultValue) {
        if (given != null) {
            return new Endpoint(what, given, flag);
        }
        if (local.isPresent()) {
            return new Endpoint(what, local.get(), "the local cluster's");
        }
        return new Endpoint(what, defaultValue, "default; no local cluster runs from " + stateDir);
    }

    /** Prints {@code using Kafka ... (source), Redis ... (source)} on one line. */
    public static void announce(PrintStream out, Endpoint... endpoints) {
        StringBuilder line = new StringBuilder("using");
        for (int i = 0; i < endpoints.length; i++) {
            line.append(i == 0 ? " " : ", ").append(endpoints[i]);
        }
        out.println(line);
    }

    // ------------------------------------------------------------------ reachability

    /**
     * Fails with one sentence unless a Kafka broker answers at {@code bootstrap} within
     * {@link #CHECK_TIMEOUT}.
     */
    public static void checkKafka(Endpoint kafka) {
        try (Admin admin = admin(kafka.address())) {
            admin.describeCluster().nodes().get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw unreachable(kafka, "--" + StreamRecOptions.KAFKA_BOOTSTRAP.key() + " HOST:PORT", e);
        }
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions unless it exists; returns true if it
     * was created. Checks that the broker answers first.
     */
    public static boolean ensureTopic(Endpoint kafka, String topic, int partitions) {
        checkKafka(kafka);
        try (Admin admin = admin(kafka.address())) {
            Set<String> existing = admin.listTopics().names().get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (existing.contains(topic)) {
                return false;
            }
            admin.createTopics(java.util.List.of(new NewTopic(topic, partitions, (short) 1))).all()
                    .get(CHECK_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
            awaitLeaders(admin, topic, System.currentTimeMillis() + CHECK_TIMEOUT.toMillis() * 2);
            return true;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic + " on Kafka at " + kafka.address()
                    + ": " + rootMessage(e), e);
        }
    }

    /**
     * Waits until every partition of a new topic has a leader, so the first records are not refused.
     * The broker that answers may not know the topic yet (its metadata lags the controller's), so
     * {@code UnknownTopicOrPartitionException} means "ask again" until the deadline.
     */
    private static void awaitLeaders(Admin admin, String topic, long deadline) throws Exception {
        while (true) {
            boolean ready;
            try {
                ready = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                        .get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                ready = false;
            }
            if (ready || System.currentTimeMillis() > deadline) {
                return;
            }
            Thread.sleep(100);
        }
    }

    /** True when {@code topic} exists on the broker, which must answer (see {@link #checkKafka}). */
    public static boolean topicExists(Endpoint kafka, String topic) {
        checkKafka(kafka);
        try (Admin admin = admin(kafka.address())) {
            return admin.listTopics().names().get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(topic);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list the topics on Kafka at " + kafka.address() + ": " + rootMessage(e), e);
        }
    }

    static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 2000L);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000L);
        return Admin.create(props);
    }

    /** Fails with one sentence unless Redis answers PING at the URL within {@link #CHECK_TIMEOUT}. */
    public static void checkRedis(Endpoint redis) {
        try {
            RedisUrl url = RedisUrl.parse(redis.address());
            try (Jedis jedis = new Jedis(url.hostAndPort(), url.clientConfig(CHECK_TIMEOUT, "streamrec-check"))) {
                jedis.ping();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + StreamRecOptions.REDIS_URL.key() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw unreachable(redis, "--" + StreamRecOptions.REDIS_URL.key() + " URL", e);
        }
    }

    /** Fails with one sentence unless the Flink REST API answers. */
    public static void checkFlink(Endpoint flink, FlinkRestClient rest) {
        try {
            rest.overview();
        } catch (RuntimeException e) {
            throw unreachable(flink, "--rest URL", e);
        }
    }

    private static IllegalStateException unreachable(Endpoint endpoint, String flag, Exception e) {
        String hint = endpoint.source().startsWith("default")
                ? "start the local cluster (bin/streamrec cluster start) or give " + flag
                : endpoint.source().startsWith("--") ? "is it running, and is " + endpoint.source() + " right?"
                : "is the local cluster still healthy? (bin/streamrec cluster status)";
        return new IllegalStateException("no " + endpoint.what() + " answers at " + endpoint.address()
                + " (" + endpoint.source() + ") within " + CHECK_TIMEOUT.toSeconds() + " s: " + hint
                + " [" + rootMessage(e) + "]", e);
    }

    static String rootMessage(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) {
                return "connection refused"; // the HTTP client's root cause would read ClosedChannelException
            }
        }
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
