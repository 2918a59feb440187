package io.streamrec.cli.chaos;

import io.streamrec.cli.cluster.ClusterCommands;
import io.streamrec.cli.cluster.FlinkRestClient;
import io.streamrec.cli.cluster.LocalCluster;
import io.streamrec.job.JobTopics;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What the faults act on: a Kafka broker in its own JVM ({@link KafkaBrokerProcess}), a Redis
 * server with an append-only file (so that a stop/start keeps its data, as a Redis deployed with
 * persistence would), a {@link LocalCluster} (JobManager and TaskManager JVMs, as
 * {@code bin/streamrec cluster start} runs them) in {@code DIR/cluster}, and the job submitted to it
 * through the REST API as {@code bin/streamrec submit} does. Everything is the soak's own, on free
 * ports, and {@link #close()} stops all of it (so does a shutdown hook, when the soak is interrupted).
 */
final class ChaosEnvironment implements AutoCloseable {

    static final String PREFIX = "rec:";
    static final int PARTITIONS = 4;

    final KafkaBrokerProcess kafka;
    final RedisServerProcess redis;
    final LocalCluster cluster;
    final FlinkRestClient rest;
    final StreamRecOptions options;
    final String jobId;
    private final Thread shutdownHook = new Thread(this::stopAll, "chaos-shutdown");

    private ChaosEnvironment(KafkaBrokerProcess kafka, RedisServerProcess redis, LocalCluster cluster,
                             StreamRecOptions options, String jobId) {
        this.kafka = kafka;
        this.redis = redis;
        this.cluster = cluster;
        this.rest = cluster.rest();
        this.options = options;
        this.jobId = jobId;
        // Ctrl-C: the cluster's JVMs and the broker would outlive this one
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts Kafka, Redis and the cluster in {@code dir}, creates the topics and submits the job. */
    static ChaosEnvironment start(Path home, Path dir, ChaosSettings settings) {
        KafkaBrokerProcess kafka = null;
        RedisServerProcess redis = null;
        LocalCluster cluster = null;
        try {
            kafka = KafkaBrokerProcess.start(dir.resolve("kafka"));
            redis = RedisServerProcess.startDurable();
            LocalCluster.Settings clusterSettings = new LocalCluster.Settings(home)
                    .stateDir(dir.resolve("cluster"))
                    .restPort(0)
                    .taskManagers(settings.taskManagers())
                    .services(false)
                    .kafkaBootstrap(kafka.bootstrapServers())
                    .redisUrl(redis.url());
            settings.taskManagerMemory().ifPresent(m -> clusterSettings.flink("taskmanager.memory.process.size", m));
            cluster = LocalCluster.start(clusterSettings);

            Map<String, String> jobOptions = jobOptions(kafka.bootstrapServers(), redis.url(), settings);
            StreamRecOptions options = StreamRecOptions.fromMap(jobOptions);
            createTopics(kafka.bootstrapServers(), options);
            String jobId = ClusterCommands.submit(cluster.rest(), settings.jobJar(), jobOptions, settings.parallelism(),
                    null, false).jobId();
            return new ChaosEnvironment(kafka, redis, cluster, options, jobId);
        } catch (RuntimeException e) {
            stopQuietly(cluster, redis, kafka);
            throw e;
        }
    }

    static Map<String, String> jobOptions(String kafka, String redisUrl, ChaosSettings settings) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put(StreamRecOptions.KAFKA_BOOTSTRAP.key(), kafka);
        o.put(StreamRecOptions.REDIS_URL.key(), redisUrl);
        o.put(StreamRecOptions.REDIS_PREFIX.key(), PREFIX);
        o.put(StreamRecOptions.KAFKA_START.key(), "earliest");
        o.put(StreamRecOptions.PARALLELISM.key(), Integer.toString(settings.parallelism()));
        o.putAll(settings.jobOptions());
        return o;
    }

    private static void createTopics(String bootstrap, StreamRecOptions options) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        try (Admin admin = Admin.create(props)) {
            JobTopics.ensure(admin, options, PARTITIONS, 60_000);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the topics on the soak's Kafka at " + bootstrap + ": " + e, e);
        }
    }

    String topic() {
        return options.get(StreamRecOptions.TOPIC_INTERACTIONS);
    }

    /** The job's own checkpoint directory, {@code DIR/cluster/checkpoints/JOB_ID}. */
    Path checkpointDir() {
        return cluster.stateDir().resolve("checkpoints").resolve(jobId);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook stops everything
        }
        stopAll();
    }

    private void stopAll() {
        stopQuietly(cluster, redis, kafka);
    }

    /** Stops, in this order, what was started (null: not started). */
    private static void stopQuietly(LocalCluster cluster, RedisServerProcess redis, KafkaBrokerProcess kafka) {
        List<Runnable> stops = new ArrayList<>();
        Optional.ofNullable(cluster).ifPresent(c -> stops.add(c::stop));
        Optional.ofNullable(redis).ifPresent(r -> stops.add(r::close));
        Optional.ofNullable(kafka).ifPresent(k -> stops.add(k::close));
        stops.forEach(Runnable::run);
    }
}
