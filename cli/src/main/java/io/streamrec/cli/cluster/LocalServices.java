package io.streamrec.cli.cluster;

import io.streamrec.job.JobTopics;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The process that holds the local Kafka broker and Redis server of {@code bin/streamrec cluster}:
 * the demo's in-process KRaft broker ({@link EmbeddedKafka}) and a {@code redis-server} child
 * ({@link RedisServerProcess}), kept alive until the process gets SIGTERM, when both are closed and
 * their data deleted. The default topics are created with {@link #PARTITIONS} partitions, enough for
 * every parallelism the local cluster offers.
 *
 * <p>Once both are up, their addresses are written to the file named by the only argument
 * ({@code kafka.bootstrap}, {@code redis.url}); the file appears atomically, complete.
 */
public final class LocalServices {

    static final int PARTITIONS = 4;

    private LocalServices() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: LocalServices ADDRESS_FILE");
            System.exit(2);
        }
        Path addresses = Path.of(args[0]);
        EmbeddedKafka kafka = EmbeddedKafka.start();
        RedisServerProcess redis = RedisServerProcess.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            redis.close();
            kafka.close();
            stopped.countDown();
        }, "local-services-shutdown"));

        StreamRecOptions defaults = StreamRecOptions.defaults();
        for (String topic : JobTopics.of(defaults)) {
            kafka.createTopic(topic, PARTITIONS);
        }
        publish(addresses, kafka.bootstrapServers(), redis.url());
        System.out.printf("Kafka %s, Redis %s%n", kafka.bootstrapServers(), redis.url());
        stopped.await();
    }

    private static void publish(Path file, String bootstrap, String redisUrl) throws IOException {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap", bootstrap);
        p.setProperty("redis.url", redisUrl);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "local Kafka and Redis of bin/streamrec cluster");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
