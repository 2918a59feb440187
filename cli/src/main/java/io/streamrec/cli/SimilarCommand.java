package io.streamrec.cli;

import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.Recommendations;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.RedisRecommendations;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bin/streamrec similar ITEM}: an item's similar items from Redis ({@code {prefix}_sim:{item}}),
 * with the same Redis flags and local-cluster discovery as {@code recs}.
 */
final class SimilarCommand {
    private SimilarCommand() {}

    static int run(Path home, CommandArgs args) {
        if (args.positional().size() != 1) {
            throw new IllegalArgumentException("expected exactly one ITEM, e.g. bin/streamrec similar i42");
        }
        Endpoints endpoints = Endpoints.of(home, Optional.ofNullable(args.take("state-dir", null)));
        Endpoints.Endpoint redisUrl = endpoints.redis(args.remainingOptions());
        args.take(StreamRecOptions.REDIS_URL.key(), null);
        String prefix = args.take(StreamRecOptions.REDIS_PREFIX.key(), StreamRecOptions.REDIS_PREFIX.defaultValue());
        args.rejectUnknown(Set.of());
        Endpoints.announce(System.err, redisUrl);
        Endpoints.checkRedis(redisUrl);
        String item = args.positional().get(0);
        try (RedisRecommendations redis = RedisRecommendations.connect(redisUrl.address(), prefix)) {
            print(System.out, item, redis.similarTo(item, Integer.MAX_VALUE));
        }
        return 0;
    }

    static void print(PrintStream out, String item, Recommendations similar) {
        if (similar.items().isEmpty()) {
            out.printf("%s has no similar-items list (%s): the job writes one once the item has a vector, unless "
                    + "--recs.similar-n is 0%n", item, similar.key());
            return;
        }
        out.printf("items similar to %s: version %s, updated %s, %s interactions with it then%n", item,
                similar.version().isPresent() ? similar.version().getAsLong() : "?",
                similar.updatedMillis().isPresent() ? Instant.ofEpochMilli(similar.updatedMillis().getAsLong()) : "?",
                similar.meta().getOrDefault(RedisKeys.FIELD_INTERACTIONS, "?"));
        int rank = 1;
        for (Recommendations.ScoredItem neighbour : similar.items()) {
            out.printf("  %2d. %-20s %10.4f%n", rank++, neighbour.item(), neighbour.score());
        }
    }
}
