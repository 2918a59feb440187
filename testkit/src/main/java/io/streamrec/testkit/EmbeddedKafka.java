package io.streamrec.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka cluster (one KRaft process acting as broker and controller) running
 * inside this JVM, on free ports of 127.0.0.1, for tests and the demo.
 *
 * <p>The node is configured so that everything a single node can offer works, in particular
 * transactions and therefore Flink's exactly-once {@code KafkaSink}: internal topics have
 * replication factor 1 and min ISR 1, the first consumer-group rebalance is not delayed, and {@code
 * transaction.max.timeout.ms} is {@link #MAX_TRANSACTION_TIMEOUT} (15 minutes). A Flink {@code
 * KafkaSink} with {@code DeliveryGuarantee.EXACTLY_ONCE} must set its producer property {@code
 * transaction.timeout.ms} to at most that value, or the broker rejects {@code InitProducerId}.
 *
 * <p>Synthetic and replayed data sets carry event timestamps far in the past (MovieLens: 1997) or in
 * the future (a fast generator), so time-based retention is off and records with any timestamp are
 * accepted; otherwise the broker would silently delete old segments or reject future records.
 *
 * <p>Data lives in a temporary directory that {@link #close()} deletes. A JVM shutdown hook closes a
 * broker that was never closed (e.g. the demo stopped with Ctrl-C). Broker loggers ({@code kafka.*}
 * and the server-side {@code org.apache.kafka} packages) are raised to WARN when Log4j 2 is the
 * logging backend; client loggers are left alone.
 *
 * <p>Caveat: like a standalone broker, the node halts the JVM on an unrecoverable metadata fault.
 *
 * <p>Thread-safety: {@link #bootstrapServers()} and {@link #createTopic} may be called from any
 * thread; {@link #close()} is idempotent.
 *
 * <p>Its length is what one in-process node needs: the broker settings for transactions, a start
 * that retries on port races, the optional SASL listener, topic helpers and a clean shutdown, all
 * sharing the node's lifecycle.
 *
 * <p>Why it is long (over 400 lines): one broker's whole life cycle is here: the KRaft configuration,
 * formatting the log directory, start, the SASL variant, topic helpers and a clean stop; split, each
 * part would need the others' private state.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Upper bound for the {@code transaction.timeout.ms} of any producer using this broker. */
    public static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int START_ATTEMPTS = 3;
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String saslBootstrapServers;
    private String tlsBootstrapServers;
    private final Thread shutdownHook;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafka(Path dataDir, KafkaRaftServer server, String bootstrapServers, String saslBootstrapServers) {
        this.dataDir = dataDir;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.saslBootstrapServers = saslBootstrapServers;
        this.shutdownHook = new Thread(this::closeFromHook, "embedded-kafka-shutdown");
    }

    /**
     * Formats a fresh log directory, starts the node and returns once the broker is unfenced and
     * accepts client requests.
     */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /**
     * Like {@link #start()}, with some broker properties replaced, e.g. a short {@code
     * transaction.max.timeout.ms} and {@code
     * transaction.abort.timed.out.transaction.cleanup.interval.ms} to let transactions expire
     * within a test.
     */
    public static EmbeddedKafka start(Map<String, String> brokerOverrides) {
        return start(brokerOverrides, null);
    }

    /**
     * Like {@link #start()}, with a second listener that requires SASL/PLAIN authentication as
     * {@code user} with {@code password} ({@link #saslBootstrapServers()}); the plaintext listener
     * stays for the test's own set-up.
     */
    public static EmbeddedKafka startWithSaslPlain(String user, String password) {
        return start(Map.of(), new String[] {user, password});
    }

    /**
     * Like {@link #start()}, with a second listener that speaks only TLS, with the server key and
     * certificate in the PKCS12 {@code keyStore} ({@link #tlsBootstrapServers()}).
     */
    public static EmbeddedKafka startWithTls(Path keyStore, String storePassword) {
        return start(Map.of(
                "listener.name.ssl.ssl.keystore.location", keyStore.toString(),
                "listener.name.ssl.ssl.keystore.type", "PKCS12",
                "listener.name.ssl.ssl.keystore.password", storePassword,
                "listener.name.ssl.ssl.key.password", storePassword), null, true);
    }

    private static EmbeddedKafka start(Map<String, String> brokerOverrides, String[] saslUser) {
        return start(brokerOverrides, saslUser, false);
    }

    private static EmbeddedKafka start(Map<String, String> brokerOverrides, String[] saslUser, boolean tls) {
        BrokerLogging.quietBrokerLoggers();
        RuntimeException lastFailure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Path dataDir = createTempDir();
            try {
                EmbeddedKafka kafka = startOnce(dataDir, brokerOverrides, saslUser, tls);
                Runtime.getRuntime().addShutdownHook(kafka.shutdownHook);
                return kafka;
            } catch (RuntimeException e) {
                deleteRecursively(dataDir);
                lastFailure = e;
                if (!isBindFailure(e)) {
                    break;
                }
                // Another process took one of the free ports between probing and binding.
                LOG.warn("Embedded Kafka could not bind its ports (attempt {}), retrying", attempt);
            }
        }
        throw new IllegalStateException("Could not start the embedded Kafka broker", lastFailure);
    }

    private static EmbeddedKafka startOnce(Path dataDir, Map<String, String> brokerOverrides, String[] saslUser,
            boolean tls) {
        long startNanos = System.nanoTime();
        int brokerPort = freePort();
        // the OS may hand out a port it just handed out: the broker refuses two listeners on one port
        int controllerPort = freePortOtherThan(brokerPort);
        String logDir = dataDir.resolve("log").toString();
        Properties properties = brokerProperties(logDir, brokerPort, controllerPort);
        String saslBootstrap = null;
        if (saslUser != null) {
            int saslPort = freePortOtherThan(brokerPort, controllerPort);
            saslBootstrap = HOST + ":" + saslPort;
            properties.put("listeners", properties.get("listeners") + ",SASL_PLAINTEXT://" + saslBootstrap);
            properties.put("advertised.listeners", properties.get("advertised.listeners") + ",SASL_PLAINTEXT://" + saslBootstrap);
            properties.put("listener.security.protocol.map",
                    properties.get("listener.security.protocol.map") + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
            properties.put("sasl.enabled.mechanisms", "PLAIN");
            properties.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + saslUser[0]
                            + "=\"" + saslUser[1] + "\";");
        }
        String tlsBootstrap = null;
        if (tls) {
            tlsBootstrap = HOST + ":" + freePortOtherThan(brokerPort, controllerPort);
            properties.put("listeners", properties.get("listeners") + ",SSL://" + tlsBootstrap);
            properties.put("advertised.listeners", properties.get("advertised.listeners") + ",SSL://" + tlsBootstrap);
            properties.put("listener.security.protocol.map", properties.get("listener.security.protocol.map") + ",SSL:SSL");
        }
        properties.putAll(brokerOverrides);
        KafkaConfig config = KafkaConfig.fromProps(properties, false);
        format(logDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            // Returns once the controller is active and the broker has caught up and is unfenced.
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw e;
        }
        String bootstrap = HOST + ":" + brokerPort;
        LOG.info(
                "Embedded Kafka started at {} in {} ms (data in {})",
                bootstrap,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                dataDir);
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir, server, bootstrap, saslBootstrap);
        kafka.tlsBootstrapServers = tlsBootstrap;
        return kafka;
    }

    /**
     * The settings of this single-node KRaft broker+controller on 127.0.0.1 with the given log
     * directory and ports; also for a broker run as its own process ({@code kafka.Kafka}), which can
     * be stopped and started again on the same ports and data (the chaos soak does).
     */
    public static Properties brokerProperties(String logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir);

        // Everything replicated once, so that one node suffices, including for transactions.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("transaction.max.timeout.ms", String.valueOf(MAX_TRANSACTION_TIMEOUT.toMillis()));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");

        // Old (replayed) and future (generated) event timestamps are fine; never expire by time.
        p.put("log.retention.ms", "-1");
        p.put("log.message.timestamp.after.max.ms", String.valueOf(Long.MAX_VALUE));

        // Small footprint: the node shares 2 cores with a Flink MiniCluster.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("group.coordinator.threads", "1");
        p.put("share.coordinator.threads", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4L * 1024 * 1024));
        return p;
    }

    /** Formats a fresh KRaft log directory for {@link #brokerProperties}' node (a new cluster id). */
    public static void format(String logDir) {
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(org.apache.kafka.common.Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir)
                    .setDirectories(List.of(logDir))
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format Kafka log directory " + logDir, e);
        }
    }

    /** {@code host:port} of the broker's PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The TLS listener of {@link #startWithTls}; null when started without one. */
    public String tlsBootstrapServers() {
        return tlsBootstrapServers;
    }

    /** The SASL/PLAIN listener of {@link #startWithSaslPlain}; null when started without one. */
    public String saslBootstrapServers() {
        return saslBootstrapServers;
    }

    /**
     * Creates a topic with replication factor 1 and waits until every partition has a leader.
     * Idempotent: an existing topic with the same partition count is accepted.
     *
     * @throws IllegalStateException if the topic exists with a different number of partitions
     */
    public void createTopic(String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        Admin client = admin();
        try {
            client.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create topic " + name, e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not create topic " + name, e);
        }
        awaitLeaders(client, name, partitions);
    }

    private static void awaitLeaders(Admin client, String name, int partitions) {
        long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
        while (true) {
            try {
                TopicDescription description = client.describeTopics(List.of(name))
                        .allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .get(name);
                int actual = description.partitions().size();
                if (actual != partitions) {
                    throw new IllegalStateException("Topic " + name + " exists with " + actual
                            + " partitions, not " + partitions);
                }
                if (description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                // The broker's metadata cache may lag the controller by a moment.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("Could not describe topic " + name, e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for topic " + name, e);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Timed out describing topic " + name, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Partitions of topic " + name + " have no leader after " + TOPIC_READY_TIMEOUT);
            }
            sleep(20);
        }
    }

    private synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("Embedded Kafka is closed");
        }
        if (admin == null) {
            Map<String, Object> conf = new HashMap<>();
            conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            conf.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin");
            admin = Admin.create(conf);
        }
        return admin;
    }

    /** Stops the node, waits for its threads to end and deletes its data. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is the caller or will find us closed.
        }
        shutdown();
    }

    private void closeFromHook() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        shutdown();
    }

    private void shutdown() {
        Admin client;
        synchronized (this) {
            client = admin;
            admin = null;
        }
        if (client != null) {
            client.close(Duration.ofSeconds(5));
        }
        shutdownQuietly(server);
        deleteRecursively(dataDir);
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while stopping the embedded Kafka broker", e);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            if (t.getMessage() != null && t.getMessage().contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static int freePortOtherThan(int... taken) {
        while (true) {
            int port = freePort();
            if (java.util.Arrays.stream(taken).noneMatch(t -> t == port)) {
                return port;
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free local port", e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("streamrec-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary directory", e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete {}", root, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
