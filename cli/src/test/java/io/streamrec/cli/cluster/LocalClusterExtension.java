package io.streamrec.cli.cluster;

import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.apache.flink.util.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real stack a cluster ITCase class runs on: the shaded job jar (checked built), an in-process
 * Kafka broker, a redis-server process and the local cluster on them
 * ({@link ClusterTestSupport#startCluster}) in a temporary state directory, started before the
 * class's tests and stopped after them (cluster, then Redis, then Kafka); fails if a process of the
 * cluster outlives its stop. Register it as a static field with {@code @RegisterExtension}.
 */
public final class LocalClusterExtension implements BeforeAllCallback, AfterAllCallback {

    private Path stateDir;
    private Path jobJar;
    private EmbeddedKafka kafka;
    private RedisServerProcess redis;
    private LocalCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        jobJar = ClusterTestSupport.jobJar();
        kafka = EmbeddedKafka.start();
        redis = RedisServerProcess.start();
        try {
            stateDir = Files.createTempDirectory("streamrec-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cluster = ClusterTestSupport.startCluster(stateDir, kafka, redis);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ClusterTestSupport.stop(cluster, redis, kafka);
        if (cluster != null) {
            List<String> alive = cluster.processNames().stream().filter(cluster::isAlive).toList();
            if (!alive.isEmpty()) {
                throw new AssertionError("cluster processes alive after stop: " + alive);
            }
        }
        if (stateDir != null) {
            FileUtils.deleteDirectoryQuietly(stateDir.toFile());
        }
    }

    public Path jobJar() {
        return jobJar;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public RedisServerProcess redis() {
        return redis;
    }

    public LocalCluster cluster() {
        return cluster;
    }
}
