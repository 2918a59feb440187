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
 * meta hashes). Until then it checks again every second, up to {@code --wait}, then refuses with
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
                    throw new IllegalStateException("not promoted: of " + coverage.users + " users with a list under " + active
                            + ", " + coverage.missing + " have none under " + candidate + " and " + coverage.behind
                            + " have an older one (after " + wait.toSeconds() + " s). Start the candidate with"
                            + " --kafka.start earliest so that it sees every user, let it catch up, and try again.");
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
            System.out.printf("Promoted: %s now names %s (was %s); each of the %d users with a list under %s has one under %s"
                    + " at least as recent. Applications reading through %s read %s from now on; the job writing %s may be"
                    + " stopped.%n", alias, candidate, active, coverage.users, active, candidate, alias, candidate, active);
        }
        return 0;
    }

    /** Users with a list under the active prefix, and how many of them the candidate lacks or has older. */
    record Coverage(long users, long missing, long behind) {
        boolean complete() {
            return missing == 0 && behind == 0;
        }
    }

    static Coverage coverage(Jedis jedis, String active, String candidate) {
        long users = 0, missing = 0, behind = 0;
        ScanParams params = new ScanParams().match(escape(active) + "*" + RedisKeys.META_SUFFIX).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            cursor = page.getCursor();
            List<String> userIds = new ArrayList<>();
            for (String key : page.getResult()) {
                String user = key.substring(active.length(), key.length() - RedisKeys.META_SUFFIX.length());
                boolean nestedCandidate = candidate.startsWith(active) && key.startsWith(candidate);
                if (!user.isEmpty() && !user.startsWith("_") && !nestedCandidate) {
                    userIds.add(user);
                }
            }
            Pipeline pipeline = jedis.pipelined();
            List<Response<String>> activeTs = new ArrayList<>();
            List<Response<String>> candidateTs = new ArrayList<>();
            for (String user : userIds) {
                activeTs.add(pipeline.hget(RedisKeys.meta(RedisKeys.userList(active, user)), RedisKeys.FIELD_EVENT_TS));
                candidateTs.add(pipeline.hget(RedisKeys.meta(RedisKeys.userList(candidate, user)), RedisKeys.FIELD_EVENT_TS));
            }
            pipeline.sync();
            for (int i = 0; i < userIds.size(); i++) {
                String was = activeTs.get(i).get();
                if (was == null) {
                    continue; // deleted meanwhile (forget, expiry)
                }
                users++;
                String now = candidateTs.get(i).get();
                if (now == null) {
                    missing++;
                } else if (Long.parseLong(now) < Long.parseLong(was)) {
                    behind++;
                }
            }
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return new Coverage(users, missing, behind);
    }

    /** A prefix as a literal in a SCAN MATCH pattern. */
    static String escape(String prefix) {
        return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
