package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.cli.compare.ActivePrefix;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.Recommendations;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.RedisRecommendations;

import redis.clients.jedis.Jedis;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bin/streamrec recs USER [--category C]}: a user's list from Redis, falling back to the popular
 * list; with {@code --category} their list of that category ({@code recs.categories}). Without
 * {@code --redis.prefix} it reads the prefix applications read: the one the alias key
 * {@code rec:_active} names ({@code bin/streamrec promote}), else {@code rec:}.
 */
final class RecsCommand {
    private RecsCommand() {}

    static int run(Path home, CommandArgs args) {
        Optional<String> category = args.take("category");
        try (Reader reader = reader(home, args, "USER, e.g. bin/streamrec recs u42", "streamrec-recs")) {
            if (category.isPresent()) {
                String user = args.positional().get(0);
                Recommendations inCategory = reader.redis().forUserInCategory(user, category.get(), Integer.MAX_VALUE);
                if (inCategory.items().isEmpty() && inCategory.version().isEmpty()) {
                    System.out.printf("%s has no list of category %s (%s): the job writes one for the categories of"
                            + " --recs.categories, once the user has a list%n", user, category.get(), inCategory.key());
                    return 0;
                }
                print(System.out, user + " in " + category.get(), inCategory);
                return 0;
            }
            Recommendations recs = reader.redis().forUser(args.positional().get(0));
            print(System.out, args.positional().get(0), recs);
            if (recs.popularFallback() && recs.items().isEmpty()) {
                System.out.println("No lists under the prefix " + reader.prefix() + " yet: is a job running, and does it accept"
                        + " its input? bin/streamrec status shows its input and rejections.");
            }
        }
        return 0;
    }

    /** A Redis reader and the prefix it reads. */
    record Reader(RedisRecommendations redis, String prefix) implements AutoCloseable {
        @Override
        public void close() {
            redis.close();
        }
    }

    /**
     * The Redis reader of a command with one positional argument ({@code recs}, {@code similar}):
     * {@code --redis.url} or the local cluster's Redis, checked reachable; {@code --redis.prefix}, or
     * else the prefix applications read (the one the alias {@code {base}_active} names, else the base).
     */
    static Reader reader(Path home, CommandArgs args, String expected, String clientName) {
        if (args.positional().size() != 1) {
            throw new IllegalArgumentException("expected exactly one " + expected);
        }
        Endpoints endpoints = Endpoints.of(home, Optional.ofNullable(args.take("state-dir", null)));
        Endpoints.Endpoint redisUrl = endpoints.redis(args.remainingOptions());
        args.take(StreamRecOptions.REDIS_URL.key(), null);
        Optional<String> prefixFlag = args.take(StreamRecOptions.REDIS_PREFIX.key());
        String base = args.take("base", StreamRecOptions.REDIS_PREFIX.defaultValue());
        args.rejectUnknown(Set.of());
        Endpoints.announce(System.err, redisUrl);
        Endpoints.checkRedis(redisUrl);
        String prefix;
        if (prefixFlag.isPresent()) {
            prefix = prefixFlag.get();
        } else {
            // what applications read: the prefix the alias names ({base}_active, set by promote), else the base
            try (Jedis jedis = ActivePrefix.connect(redisUrl.address(), clientName)) {
                prefix = ActivePrefix.resolve(jedis, base);
            }
            if (!prefix.equals(base)) {
                System.err.println("Reading prefix " + prefix + " (named by " + RedisKeys.activeAlias(base) + ")");
            }
        }
        return new Reader(RedisRecommendations.connect(redisUrl.address(), prefix), prefix);
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
