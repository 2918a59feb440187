package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.cli.ui.RecommendationsPage;
import io.streamrec.job.StreamRecOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/streamrec ui}: serves the recommendations page ({@link RecommendationsPage}) until
 * Ctrl-C. Redis and Flink default to the running local cluster's, like the other commands.
 */
final class UiCommand {
    private UiCommand() {}

    static int run(Path home, CommandArgs args) throws InterruptedException {
        Endpoints endpoints = Endpoints.of(home, Optional.ofNullable(args.take("state-dir", null)));
        Endpoints.Endpoint redis = endpoints.redis(args.remainingOptions());
        args.take(StreamRecOptions.REDIS_URL.key(), null);
        Endpoints.Endpoint flink = endpoints.flink(Optional.ofNullable(args.take("rest", null)));
        String prefix = args.take(StreamRecOptions.REDIS_PREFIX.key(), StreamRecOptions.REDIS_PREFIX.defaultValue());
        int port = (int) args.takeLong("port", 8090);
        String host = args.take("host", "localhost");
        args.rejectUnknown(Set.of());
        Endpoints.announce(System.err, redis, flink);
        Endpoints.checkRedis(redis);

        RecommendationsPage page = RecommendationsPage.start(host, port, redis.address(), prefix, flink.address(),
                Duration.ofSeconds(2));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            page.close();
            stopped.countDown();
        }, "streamrec-ui-shutdown"));
        System.out.println("Recommendations page: http://" + host + ":" + page.port() + "/   (Ctrl-C stops it)");
        stopped.await();
        return 0;
    }
}
