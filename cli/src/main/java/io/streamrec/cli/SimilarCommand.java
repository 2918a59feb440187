package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.sinks.redis.Recommendations;
import io.streamrec.sinks.redis.RedisKeys;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code bin/streamrec similar ITEM}: an item's similar items from Redis ({@code {prefix}_sim:{item}}),
 * with the same Redis flags, local-cluster discovery and active prefix ({@code rec:_active}, set by
 * {@code promote}) as {@code recs}.
 */
final class SimilarCommand {
    private SimilarCommand() {}

    static int run(Path home, CommandArgs args) {
        try (RecsCommand.Reader reader = RecsCommand.reader(home, args, "ITEM, e.g. bin/streamrec similar i42",
                "streamrec-similar")) {
            String item = args.positional().get(0);
            print(System.out, item, reader.redis().similarTo(item, Integer.MAX_VALUE));
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
