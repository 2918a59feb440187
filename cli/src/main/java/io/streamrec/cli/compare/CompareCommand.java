package io.streamrec.cli.compare;

import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.cli.compare.CandidateComparison.Side;
import io.streamrec.cli.compare.CandidateComparison.Verdict;
import io.streamrec.cli.compare.CandidateComparison.Window;
import io.streamrec.cli.compare.QualityIntervals.Interval;
import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.operators.evaluation.EventTimeQuality.Bucket;
import io.streamrec.sinks.redis.RedisKeys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.util.TimeUtils;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/streamrec compare --live PREFIX --candidate PREFIX [--window 1 min] [--json]}: reads
 * both jobs' sums per bucket of event time ({@code {prefix}_metrics:windows}) and prints HR@10 and
 * MRR@10 per window with 95 % intervals, the differences and the verdict ({@link CandidateComparison}).
 */
public final class CompareCommand {

    /** The bucket length the job writes; windows are multiples of it. */
    static final long BUCKET_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    public static final String USAGE = String.join("\n",
            "  compare --live PREFIX --candidate PREFIX [--window 1 min] [--json] [--redis.url URL]",
            "      Both jobs' test-then-learn HR@10 and MRR@10 over the same events (windows of event time), with 95%",
            "      intervals, the differences (candidate - live) and which one wins. Covers the event time both jobs keep:",
            "      the newest recs.evaluation-retention (1 h by default; start both jobs with e.g. 24 h to compare a day).");

    private CompareCommand() {}

    public static int run(Path home, CommandArgs args) {
        Endpoints endpoints = Endpoints.of(home, args.take("state-dir"));
        Endpoints.Endpoint redisUrl = endpoints.redis(args.remainingOptions());
        args.take(StreamRecOptions.REDIS_URL.key(), null);
        String live = args.require("live");
        String candidate = args.require("candidate");
        Duration window = duration("window", args.take("window", "1 min"));
        boolean json = args.takeBoolean("json");
        args.rejectUnknown(Set.of());
        if (!args.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument '" + args.positional().get(0) + "'");
        }
        if (window.toMillis() < BUCKET_MILLIS || window.toMillis() % BUCKET_MILLIS != 0) {
            throw new IllegalArgumentException("--window must be a multiple of 10 s (the job's buckets), got " + window);
        }
        if (live.equals(candidate)) {
            throw new IllegalArgumentException("--live and --candidate are the same prefix " + live);
        }
        Endpoints.announce(System.err, redisUrl);
        Endpoints.checkRedis(redisUrl);
        CandidateComparison comparison;
        try (Jedis jedis = ActivePrefix.connect(redisUrl.address(), "streamrec-compare")) {
            comparison = CandidateComparison.of(buckets(jedis, live), buckets(jedis, candidate), window.toMillis());
        }
        if (comparison.windows().isEmpty()) {
            throw new IllegalStateException("no window of event time measured by both " + live + " and " + candidate
                    + " yet (" + RedisKeys.metricsWindows(live) + ", " + RedisKeys.metricsWindows(candidate)
                    + "): are both jobs running on the same interactions topic, with online evaluation on?");
        }
        if (json) {
            System.out.println(toJson(live, candidate, comparison));
        } else {
            print(System.out, live, candidate, comparison);
        }
        return 0;
    }

    static List<Bucket> buckets(Jedis jedis, String prefix) {
        Map<String, Double> members = new LinkedHashMap<>();
        for (Tuple t : jedis.zrangeWithScores(RedisKeys.metricsWindows(prefix), 0, -1)) {
            members.put(t.getElement(), t.getScore());
        }
        return Bucket.parse(members);
    }

    static void print(PrintStream out, String live, String candidate, CandidateComparison c) {
        out.printf("live %s, candidate %s; %d windows of %s of event time, %s to %s UTC (only windows both jobs have passed)%n",
                live, candidate, c.windows().size(), Duration.ofMillis(c.windowMillis()).toString().substring(2).toLowerCase(),
                TIME.format(Instant.ofEpochMilli(c.windows().get(0).start())),
                TIME.format(Instant.ofEpochMilli(c.windows().get(c.windows().size() - 1).start() + c.windowMillis())));
        out.printf("%-19s | %-26s %-26s | %-26s %-26s | %-15s%n", "window start (UTC)",
                "HR@10 live [95% CI]", "HR@10 candidate", "MRR@10 live", "MRR@10 candidate", "n live / cand.");
        for (Window w : c.windows()) {
            row(out, TIME.format(Instant.ofEpochMilli(w.start())), w.live(), w.candidate());
        }
        row(out, "all windows", c.liveTotal(), c.candidateTotal());
        out.printf("difference candidate - live: HR@10 %s, MRR@10 %s%n",
                signed(c.hitRateDifference()), signed(c.mrrDifference()));
        out.printf("paired by window: the candidate's HR@10 higher in %d, lower in %d, equal in %d of %d windows"
                        + " (sign test p = %.4f)%n", c.paired().candidateAhead(), c.paired().liveAhead(), c.paired().ties(),
                c.windows().size(), c.paired().signTestP());
        out.println("verdict: " + sentence(c.verdict()));
    }

    private static void row(PrintStream out, String label, Side live, Side candidate) {
        out.printf("%-19s | %-26s %-26s | %-26s %-26s | %d / %d%n", label, interval(live.hitRate()),
                interval(candidate.hitRate()), interval(live.mrr()), interval(candidate.mrr()), live.n(), candidate.n());
    }

    static String sentence(Verdict verdict) {
        return switch (verdict) {
            case CANDIDATE -> "the candidate wins (a 95% interval of a difference lies above 0, none below)";
            case LIVE -> "the live job wins; the candidate is worse (a 95% interval of a difference lies below 0, none above)";
            case NO_SIGNIFICANT_DIFFERENCE -> "no significant difference (both 95% intervals of the differences contain 0)";
            case MIXED -> "mixed: one figure significantly better for the candidate, the other significantly worse";
        };
    }

    private static String interval(Interval i) {
        return String.format("%.4f [%.4f, %.4f]", i.value(), i.low(), i.high());
    }

    private static String signed(Interval i) {
        return String.format("%+.4f [%+.4f, %+.4f]", i.value(), i.low(), i.high());
    }

    static String toJson(String live, String candidate, CandidateComparison c) {
        ObjectNode root = JSON.createObjectNode();
        root.put("live", live);
        root.put("candidate", candidate);
        root.put("windowMillis", c.windowMillis());
        var windows = root.putArray("windows");
        for (Window w : c.windows()) {
            ObjectNode node = windows.addObject();
            node.put("start", w.start());
            node.put("end", w.start() + c.windowMillis());
            side(node.putObject("live"), w.live());
            side(node.putObject("candidate"), w.candidate());
        }
        ObjectNode total = root.putObject("total");
        side(total.putObject("live"), c.liveTotal());
        side(total.putObject("candidate"), c.candidateTotal());
        ObjectNode difference = root.putObject("difference");
        interval(difference.putObject("hr10"), c.hitRateDifference());
        interval(difference.putObject("mrr10"), c.mrrDifference());
        ObjectNode paired = root.putObject("pairedWindows");
        paired.put("candidateAhead", c.paired().candidateAhead());
        paired.put("liveAhead", c.paired().liveAhead());
        paired.put("ties", c.paired().ties());
        paired.put("signTestP", c.paired().signTestP());
        root.put("verdict", c.verdict().name().toLowerCase());
        root.put("winner", switch (c.verdict()) {
            case CANDIDATE -> candidate;
            case LIVE -> live;
            default -> "none";
        });
        return root.toPrettyString();
    }

    private static void side(ObjectNode node, Side side) {
        node.put("n", side.n());
        node.put("hits10", side.hits());
        interval(node.putObject("hr10"), side.hitRate());
        interval(node.putObject("mrr10"), side.mrr());
    }

    private static void interval(ObjectNode node, Interval i) {
        node.put("value", i.value());
        node.put("low", i.low());
        node.put("high", i.high());
    }

    static Duration duration(String flag, String value) {
        try {
            return TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + flag + ": not a duration: '" + value + "' (e.g. 1 min, 30 s)");
        }
    }
}
