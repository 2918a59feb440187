package io.streamrec.cli.compare;

import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.VersionedWrite;

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
 * write, once no list would go missing or move backwards ({@link #coverage}): every user's list
 * and category list under the active prefix has a counterpart under {@code PREFIX} that reflects
 * at least the same newest event ({@code eventTs} of the meta hashes), and every item's similar
 * list has one whose model has learned from at least the item's interactions the active list
 * reflects. Until then it checks again every second, up to {@code --wait}, then refuses with
 * the numbers. The alias is set with {@code WATCH}/{@code MULTI}, so a concurrent promote of
 * another prefix makes this one fail instead of being overwritten silently.
 */
public final class PromoteCommand {

    public static final String USAGE = String.join("\n",
            "  promote --prefix PREFIX [--base rec:] [--wait 2 min] [--redis.url URL]",
            "      Makes PREFIX's lists the ones applications read (sets the alias key {base}_active to PREFIX) once",
            "      every user's list, category list and similar-items list under the active prefix has one under PREFIX",
            "      that is at least as recent.");

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
                    throw new IllegalStateException("not promoted after " + wait.toSeconds() + " s: compared with " + active
                            + ", " + candidate + " lacks or has older lists; " + coverage + ". Start the candidate with"
                            + " --kafka.start earliest so that it sees every user and item, with the live job's"
                            + " recs.categories, let it catch up, and try again.");
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
            System.out.printf("Promoted: %s now names %s (was %s); each of the %d user lists, %d category lists and %d similar"
                    + " lists under %s has one under %s at least as recent. Applications reading through %s read %s from now"
                    + " on; the job writing %s may be stopped.%n", alias, candidate, active, coverage.users().lists(),
                    coverage.categoryLists().lists(), coverage.similarLists().lists(), active, candidate, alias, candidate, active);
        }
        return 0;
    }

    /** Lists of one kind under the active prefix, and how many of them the candidate lacks or has older. */
    record Count(long lists, long missing, long behind) {
        boolean complete() {
            return missing == 0 && behind == 0;
        }

        Count plus(Count other) {
            return new Count(lists + other.lists, missing + other.missing, behind + other.behind);
        }

        @Override
        public String toString() {
            return lists + " (" + missing + " missing, " + behind + " behind)";
        }
    }

    /** The lists under the active prefix by kind, each with what the candidate lacks or has older. */
    record Coverage(Count users, Count categoryLists, Count similarLists) {
        boolean complete() {
            return users.complete() && categoryLists.complete() && similarLists.complete();
        }

        @Override
        public String toString() {
            return "user lists " + users + ", category lists " + categoryLists + ", similar lists " + similarLists;
        }
    }

    /** How one list under the active prefix is matched under the candidate's. */
    private enum Kind { USER, CATEGORY, SIMILAR }

    /**
     * One {@code SCAN} over the meta hashes under the active prefix. A user's list ({@code {p}{user}})
     * and category list ({@code {p}{user}:c:{category}}; user ids never contain {@code :c:}) is
     * covered by the same key under the candidate with an {@code eventTs} at least the active one's.
     * A similar list ({@code {p}_sim:{item}}) is recomputed only when its item's vector has moved
     * past {@code recs.similar-threshold}, so two models' lists of an item reflect different
     * interaction counts however far both have read; it is covered by a similar list under the
     * candidate whose item has learned from at least the interactions the active list reflects
     * (the candidate's {@code _item:} meta against the active list's {@code interactions}). Other
     * keys starting with {@code _} (popular list, item stats, metrics) are no one's list.
     */
    static Coverage coverage(Jedis jedis, String active, String candidate) {
        Count[] counts = {new Count(0, 0, 0), new Count(0, 0, 0), new Count(0, 0, 0)};
        ScanParams params = new ScanParams().match(escape(active) + "*" + RedisKeys.META_SUFFIX).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            cursor = page.getCursor();
            List<String> names = new ArrayList<>();
            List<Kind> kinds = new ArrayList<>();
            for (String key : page.getResult()) {
                String name = key.substring(active.length(), key.length() - RedisKeys.META_SUFFIX.length());
                boolean nestedCandidate = candidate.startsWith(active) && key.startsWith(candidate);
                Kind kind = nestedCandidate || name.isEmpty() ? null
                        : name.startsWith(RedisKeys.SIMILAR) ? Kind.SIMILAR
                        : name.startsWith("_") ? null
                        : name.contains(RedisKeys.CATEGORY) ? Kind.CATEGORY : Kind.USER;
                if (kind != null) {
                    names.add(name);
                    kinds.add(kind);
                }
            }
            Pipeline pipeline = jedis.pipelined();
            List<Response<String>> activeMark = new ArrayList<>();
            List<Response<String>> candidateList = new ArrayList<>();
            List<Response<String>> candidateMark = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (kinds.get(i) == Kind.SIMILAR) {
                    String item = name.substring(RedisKeys.SIMILAR.length());
                    activeMark.add(pipeline.hget(RedisKeys.meta(active + name), RedisKeys.FIELD_INTERACTIONS));
                    candidateList.add(pipeline.hget(RedisKeys.meta(candidate + name), VersionedWrite.VERSION_FIELD));
                    candidateMark.add(pipeline.hget(RedisKeys.meta(RedisKeys.item(candidate, item)), RedisKeys.FIELD_INTERACTIONS));
                } else {
                    activeMark.add(pipeline.hget(RedisKeys.meta(active + name), RedisKeys.FIELD_EVENT_TS));
                    Response<String> ts = pipeline.hget(RedisKeys.meta(candidate + name), RedisKeys.FIELD_EVENT_TS);
                    candidateList.add(ts);
                    candidateMark.add(ts);
                }
            }
            pipeline.sync();
            for (int i = 0; i < names.size(); i++) {
                String was = activeMark.get(i).get();
                if (was == null) {
                    continue; // deleted meanwhile (forget, expiry)
                }
                String now = candidateMark.get(i).get();
                boolean missing = candidateList.get(i).get() == null;
                boolean behind = !missing && (now == null || Long.parseLong(now) < Long.parseLong(was));
                int k = kinds.get(i).ordinal();
                counts[k] = counts[k].plus(new Count(1, missing ? 1 : 0, behind ? 1 : 0));
            }
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return new Coverage(counts[Kind.USER.ordinal()], counts[Kind.CATEGORY.ordinal()], counts[Kind.SIMILAR.ordinal()]);
    }

    /** A prefix as a literal in a SCAN MATCH pattern. */
    static String escape(String prefix) {
        return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
