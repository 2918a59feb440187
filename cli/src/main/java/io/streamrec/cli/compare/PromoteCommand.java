package io.streamrec.cli.compare;

import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.RedisKeys;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/streamrec promote --prefix PREFIX [--base rec:] [--wait 2 min]}: makes {@code PREFIX}
 * the prefix applications read, by setting the alias key {@code {base}_active} to it in one
 * write, once no list would move backwards: every user with a list under the active prefix has
 * one under {@code PREFIX} that reflects at least the same newest event ({@code eventTs} of the
 * meta hashes), and so does each of their category lists (counted apart from the users). Until then it checks again every second, up to {@code --wait}, then refuses with
 * the numbers. The alias is set with {@code WATCH}/{@code MULTI}, so a concurrent promote of
 * another prefix makes this one fail instead of being overwritten silently.
 */
public final class PromoteCommand {

    public static final String USAGE = String.join("\n",
            "  promote --prefix PREFIX [--base rec:] [--wait 2 min] [--redis.url URL]",
            "      Makes PREFIX's lists the ones applications read (sets the alias key {base}_active to PREFIX) once",
            "      every user's list under the active prefix has a list under PREFIX that is at least as recent.");

    private PromoteCommand() {}

    public static int run(Path home, CommandArgs args) throws InterruptedException {
        Endpoints endpoints = Endpoints.of(home, args.take("state-dir"));
        Endpoints.Endpoint redisUrl = endpoints.redis(args.remainingOptions());
        args.take(StreamRecOptions.REDIS_URL.key(), null);
        String candidate = args.require("prefix");
        String base = args.take("base", StreamRecOptions.REDIS_PREFIX.defaultValue());
        Duration wait = CompareCommand.duration("wait", args.take("wait", "2 min"));
        args.rejectUnknown(Set.of());
        if (!args.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument '" + args.positional().get(0) + "'");
        }
        Endpoints.announce(System.err, redisUrl);
        Endpoints.checkRedis(redisUrl);
        String alias = RedisKeys.activeAlias(base);
        try (Jedis jedis = ActivePrefix.connect(redisUrl.address(), "streamrec-promote")) {
            String active = ActivePrefix.resolve(jedis, base);
            if (active.equals(candidate)) {
                System.out.println(candidate + " is already the active prefix (" + alias + ")");
                return 0;
            }
            if (!jedis.exists(RedisKeys.popularList(candidate)) && !jedis.exists(RedisKeys.metrics(candidate))) {
                throw new IllegalStateException("nothing written under " + candidate + " (no " + RedisKeys.popularList(candidate)
                        + "): is the candidate job running with --redis.prefix " + candidate + "?");
            }
            long deadline = System.nanoTime() + wait.toNanos();
            Coverage coverage = coverage(jedis, active, candidate);
            while (!coverage.complete()) {
                if (System.nanoTime() > deadline) {
                    Tally users = coverage.users();
                    Tally categories = coverage.categoryLists();
                    throw new IllegalStateException("not promoted: of " + users.lists() + " users with a list under " + active
                            + ", " + users.missing() + " have none under " + candidate + " and " + users.behind()
                            + " have an older one" + (categories.lists() == 0 ? "" : "; of their " + categories.lists()
                            + " category lists, " + categories.missing() + " have none there and " + categories.behind()
                            + " an older one") + " (after " + wait.toSeconds() + " s). Start the candidate with"
                            + " --kafka.start earliest" + (categories.missing() == 0 ? "" : " and the same --recs.categories")
                            + " so that it sees every user, let it catch up, and try again.");
                }
                Thread.sleep(1000);
                coverage = coverage(jedis, active, candidate);
            }
            jedis.watch(alias);
            if (!active.equals(ActivePrefix.resolve(jedis, base))) {
                jedis.unwatch();
                throw new IllegalStateException(alias + " changed while checking; run promote again");
            }
            Transaction transaction = jedis.multi();
            transaction.set(alias, candidate);
            if (transaction.exec() == null) {
                throw new IllegalStateException(alias + " changed while promoting; run promote again");
            }
            long categoryLists = coverage.categoryLists().lists();
            System.out.printf("Promoted: %s now names %s (was %s); each of the %d users with a list under %s%s has one under %s"
                    + " at least as recent. Applications reading through %s read %s from now on; the job writing %s may be"
                    + " stopped.%n", alias, candidate, active, coverage.users().lists(), active,
                    categoryLists == 0 ? "" : " (and each of their " + categoryLists + " category lists)", candidate, alias,
                    candidate, active);
        }
        return 0;
    }

    /** Lists of one kind under the active prefix, and how many of them the candidate lacks or has older. */
    record Tally(long lists, long missing, long behind) {
        boolean complete() {
            return missing == 0 && behind == 0;
        }

        Tally plus(boolean isMissing, boolean isBehind) {
            return new Tally(lists + 1, missing + (isMissing ? 1 : 0), behind + (isBehind ? 1 : 0));
        }
    }

    /**
     * Users' lists and their category lists ({@code {user}:c:{category}}, {@code recs.categories})
     * under the active prefix, tallied apart: both are checked (applications read category lists
     * through the alias too), but only the first are users.
     */
    record Coverage(Tally users, Tally categoryLists) {
        static final Tally NONE = new Tally(0, 0, 0);

        boolean complete() {
            return users.complete() && categoryLists.complete();
        }
    }

    static Coverage coverage(Jedis jedis, String active, String candidate) {
        Tally users = Coverage.NONE;
        Tally categoryLists = Coverage.NONE;
        ScanParams params = new ScanParams().match(escape(active) + "*" + RedisKeys.META_SUFFIX).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            cursor = page.getCursor();
            List<String> listIds = new ArrayList<>();
            for (String key : page.getResult()) {
                String id = key.substring(active.length(), key.length() - RedisKeys.META_SUFFIX.length());
                boolean nestedCandidate = candidate.startsWith(active) && key.startsWith(candidate);
                if (!id.isEmpty() && !id.startsWith("_") && !nestedCandidate) {
                    listIds.add(id);
                }
            }
            Pipeline pipeline = jedis.pipelined();
            List<Response<String>> activeTs = new ArrayList<>();
            List<Response<String>> candidateTs = new ArrayList<>();
            for (String id : listIds) {
                activeTs.add(pipeline.hget(RedisKeys.meta(RedisKeys.userList(active, id)), RedisKeys.FIELD_EVENT_TS));
                candidateTs.add(pipeline.hget(RedisKeys.meta(RedisKeys.userList(candidate, id)), RedisKeys.FIELD_EVENT_TS));
            }
            pipeline.sync();
            for (int i = 0; i < listIds.size(); i++) {
                String was = activeTs.get(i).get();
                if (was == null) {
                    continue; // deleted meanwhile (forget, expiry)
                }
                String now = candidateTs.get(i).get();
                boolean missing = now == null;
                boolean behind = !missing && Long.parseLong(now) < Long.parseLong(was);
                // user ids with ":c:" are dead letters (reserved_id): such a key is a category list
                if (listIds.get(i).contains(RedisKeys.CATEGORY)) {
                    categoryLists = categoryLists.plus(missing, behind);
                } else {
                    users = users.plus(missing, behind);
                }
            }
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return new Coverage(users, categoryLists);
    }

    /** A prefix as a literal in a SCAN MATCH pattern. */
    static String escape(String prefix) {
        return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
