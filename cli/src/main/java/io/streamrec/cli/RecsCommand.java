package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.Recommendations;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.RedisRecommendations;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** {@code bin/streamrec recs USER}: a user's list from Redis, falling back to the popular list. */
final class RecsCommand {
    private RecsCommand() {}

    static int run(Path home, CommandArgs args) {
        String prefix = args.remainingOptions().getOrDefault(StreamRecOptions.REDIS_PREFIX.key(), StreamRecOptions.REDIS_PREFIX.defaultValue());
        try (RedisRecommendations redis = reader(home, args, "USER, e.g. bin/streamrec recs u42")) {
            Recommendations recs = redis.forUser(args.positional().get(0));
            print(System.out, args.positional().get(0), recs);
            if (recs.popularFallback() && recs.items().isEmpty()) {
                System.out.println("No lists under the prefix " + prefix + " yet: is a job running, and does it accept its input?"
                        + " bin/streamrec status shows its input and rejections.");
            }
        }
        return 0;
    }

    /**
     * The Redis reader of a command with one positional argument ({@code recs}, {@code similar}):
     * {@code --redis.url} or the local cluster's Redis, {@code --redis.prefix}; checked reachable.
     */
    static RedisRecommendations reader(Path home, CommandArgs args, String expected) {
        if (args.positional().size() != 1) {
            throw new IllegalArgumentException("expected exactly one " + expected);
        }
        Endpoints endpoints = Endpoints.of(home, Optional.ofNullable(args.take("state-dir", null)));
        Endpoints.Endpoint redisUrl = endpoints.redis(args.remainingOptions());
        args.take(StreamRecOptions.REDIS_URL.key(), null);
        String prefix = args.take(StreamRecOptions.REDIS_PREFIX.key(), StreamRecOptions.REDIS_PREFIX.defaultValue());
        args.rejectUnknown(Set.of());
        Endpoints.announce(System.err, redisUrl);
        Endpoints.checkRedis(redisUrl);
        return RedisRecommendations.connect(redisUrl.address(), prefix);
    }

    static final String POPULAR = "(popular)";

    static void print(PrintStream out, String user, Recommendations recs) {
        if (recs.popularFallback()) {
            out.printf(user.equals(POPULAR) ? "most popular items:%n" : "%s has no list yet; most popular items:%n", user);
        } else {
            out.printf("%s: version %s, updated %s, %s interactions%n", user,
                    recs.version().isPresent() ? recs.version().getAsLong() : "?",
                    recs.updatedMillis().isPresent() ? Instant.ofEpochMilli(recs.updatedMillis().getAsLong()) : "?",
                    recs.meta().getOrDefault(RedisKeys.FIELD_INTERACTIONS, "?"));
        }
        int rank = 1;
        for (Recommendations.ScoredItem item : recs.items()) {
            out.printf("  %2d. %-20s %10.4f%n", rank++, item.item(), item.score());
        }
        if (recs.items().isEmpty()) {
            out.println("  (empty)");
        }
    }
}
