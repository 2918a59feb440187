package io.streamrec.cli;

import io.streamrec.cli.cluster.LocalCluster;
import io.streamrec.cli.cluster.LocalClusterExtension;
import io.streamrec.job.InteractionCounts;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.testkit.Interaction;
import io.streamrec.testkit.InteractionGenerator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.streamrec.cli.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12's three features through {@code bin/streamrec} on the real multi-process local cluster
 * ({@link LocalCluster}: a JobManager and two TaskManager JVMs, RocksDB, checkpoints every 2 s), a
 * real Kafka broker and redis-server: the live job submitted with {@code --recs.categories shoes},
 * a candidate with {@code submit --candidate dim2 --model.dimension 2}, an item catalogue loaded
 * with {@code produce --format items} and generated interactions with {@code produce}.
 *
 * <p>Checked with values: {@code similar} prints a full list; {@code recs --category shoes} and every
 * category list in Redis hold only shoes; both jobs count every event exactly once under their own
 * prefix (no cross-feeding) and each has its own lists; an item marked unavailable leaves every user,
 * category, similar and popular list of both jobs; {@code compare --json} finds both jobs evaluated
 * exactly the same events in every window (the users' first events make their lists; every later
 * event is measured by both), with intervals and a verdict; {@code promote} switches
 * {@code rec:_active} and {@code recs} reads through it. Both jobs are cancelled with
 * {@code stop --cancel --job ID}; the cluster's processes are gone after the test
 * ({@link LocalClusterExtension}).
 */
class ItemListsAndCandidateClusterITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LIVE = "rec:";
    private static final String CANDIDATE = "dim2:";
    private static final String SHOES = "shoes";
    private static final int USERS = 120;
    private static final int ITEMS = 60;
    private static final int EVENTS = 2400;
    private static final long BUCKET_MILLIS = 10_000;
    private static final Pattern RANKED = Pattern.compile("^\\s+(\\d+)\\. (\\S+)\\s+(-?[\\d.]+)$", Pattern.MULTILINE);

    @RegisterExtension
    static final LocalClusterExtension STACK = new LocalClusterExtension();

    @TempDir
    static Path work;

    @Test
    void similarCategoryAndCandidateListsWorkThroughTheCommandLine() throws Exception {
        CliRun live = cli("submit", "--parallelism", "2", "--recs.categories", SHOES);
        assertThat(live.out()).contains("Kafka " + STACK.kafka().bootstrapServers() + " (the local cluster's)")
                .contains("Submitted job");
        CliRun candidate = cli("submit", "--parallelism", "2", "--candidate", "dim2", "--model.dimension", "2",
                "--recs.categories", SHOES, "--kafka.start", "earliest");
        assertThat(candidate.out())
                .contains("Candidate dim2: Redis prefix dim2:, gradients item-gradients-dim2, group streamrec-dim2")
                .contains("Compare: bin/streamrec compare --live rec: --candidate dim2:");
        String liveJob = jobId(live);
        String candidateJob = jobId(candidate);
        assertThat(STACK.cluster().rest().activeJobs()).containsExactlyInAnyOrder(liveJob, candidateJob);

        long catalogueTs = System.currentTimeMillis() - 600_000;
        List<String> catalogue = IntStream.rangeClosed(1, ITEMS).mapToObj(i -> itemRecord("i" + i, true, catalogueTs)).toList();
        assertThat(cli("produce", "--file", write("items.jsonl", catalogue), "--format", "items").out())
                .contains("checked 60 records against the job's rules (options of job " + liveJob + "): 0 would be rejected")
                .contains("sent 60 records");

        // every user's first event, in one bucket of event time: it is never measured (no list yet), and
        // after it every user has a list in both jobs, so both measure every later event
        long start = (System.currentTimeMillis() - 300_000) / BUCKET_MILLIS * BUCKET_MILLIS;
        Counts counts = new Counts();
        List<String> first = new ArrayList<>();
        for (int u = 1; u <= USERS; u++) {
            first.add(counts.add(new Interaction("first-" + u, "u" + u, "i" + ((u - 1) % ITEMS + 1), "view", null,
                    start - 30_000)).toJson());
        }
        assertThat(cli("produce", "--file", write("first.jsonl", first)).out()).contains("sent 120 records");
        try (Jedis jedis = new Jedis(STACK.redis().url())) {
            for (String prefix : List.of(LIVE, CANDIDATE)) {
                await(() -> missingLists(jedis, prefix, counts).isEmpty(), 120,
                        () -> "every user's list and shoes list under " + prefix + "; missing "
                                + missingLists(jedis, prefix, counts));
            }

            // 2,400 generated events over a minute of event time: 6 buckets
            InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                    .users(USERS).items(ITEMS).seed(12).eventsPerSecond(EVENTS / 60.0).startTimestampMillis(start).build());
            Map<Long, Long> perBucket = new TreeMap<>();
            List<String> events = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                Interaction e = counts.add(generator.nextInteraction());
                perBucket.merge(e.ts() / BUCKET_MILLIS * BUCKET_MILLIS, 1L, Long::sum);
                events.add(e.toJson());
            }
            assertThat(cli("produce", "--file", write("events.jsonl", events)).out()).contains("sent 2,400 records");
            for (String prefix : List.of(LIVE, CANDIDATE)) {
                await(() -> InteractionCounts.mismatches(jedis, prefix, counts.perUser, counts.perItem).isEmpty(), 120,
                        () -> "every event counted once under " + prefix + "; wrong: "
                                + InteractionCounts.mismatches(jedis, prefix, counts.perUser, counts.perItem));
                await(() -> evaluated(jedis, prefix) == EVENTS, 60,
                        () -> "the " + EVENTS + " generated events measured under " + prefix + "; buckets hold "
                                + evaluated(jedis, prefix));
            }

            String item = mostInteracted(counts);
            CliRun similar = cli("similar", item);
            assertThat(similar.out()).startsWith("items similar to " + item + ": version ");
            List<String> similarItems = ranked(similar.out());
            assertThat(similarItems).as("similar items of %s (recs.similar-n 20)", item).hasSize(20).doesNotHaveDuplicates()
                    .doesNotContain(item).allMatch(i -> counts.perItem.containsKey(i));

            String user = "u1";
            CliRun inCategory = cli("recs", user, "--category", SHOES);
            assertThat(inCategory.out()).startsWith(user + " in shoes: version ")
                    .contains(counts.perUser.get(user) + " interactions");
            assertThat(ranked(inCategory.out())).isNotEmpty().allMatch(i -> categoryOf(i).equals(SHOES));
            for (String prefix : List.of(LIVE, CANDIDATE)) {
                for (String u : counts.perUser.keySet()) {
                    assertThat(jedis.zrange(RedisKeys.categoryList(prefix, u, SHOES), 0, -1))
                            .as("%s's shoes list under %s", u, prefix)
                            .isNotEmpty().allMatch(i -> categoryOf(i).equals(SHOES));
                }
                assertThat(jedis.zcard(RedisKeys.popularList(prefix))).as("popular list under " + prefix).isPositive();
                assertThat(jedis.zcard(RedisKeys.similarItems(prefix, item))).as("%s's similar list under %s", item, prefix)
                        .isEqualTo(20);
            }
            assertThat(jedis.keys(RedisKeys.categoryList(LIVE, "*", "hats"))).as("lists of a category not configured").isEmpty();
            assertThat(counts.perUser.keySet()).as("users whose dimension-2 list differs from the live one")
                    .anyMatch(u -> !jedis.zrevrange(RedisKeys.userList(LIVE, u), 0, -1)
                            .equals(jedis.zrevrange(RedisKeys.userList(CANDIDATE, u), 0, -1)));

            // the shoe in the most lists becomes unavailable: out of every list of both jobs (one item topic)
            String gone = mostListedShoe(jedis, counts);
            Map<String, List<String>> before = listsHolding(jedis, gone, counts);
            assertThat(before.get(LIVE)).as("lists of rec: holding " + gone)
                    .anyMatch(k -> k.matches("rec:u\\d+"))
                    .anyMatch(k -> k.matches("rec:u\\d+:c:shoes"))
                    .contains(RedisKeys.popularList(LIVE));
            long marked = System.nanoTime();
            assertThat(cli("produce", "--file", write("gone.jsonl", List.of(itemRecord(gone, false, catalogueTs + 1000))),
                    "--format", "items").out()).contains("sent 1 records");

            CliRun compare = cli("compare", "--live", LIVE, "--candidate", CANDIDATE, "--window", "10 s", "--json");
            assertSameEventsCompared(JSON.readTree(compare.out()), perBucket);

            await(() -> listsHolding(jedis, gone, counts).values().stream().allMatch(List::isEmpty), 120,
                    () -> "unavailable " + gone + " out of every list; it was in " + before + ", still in "
                            + listsHolding(jedis, gone, counts));
            System.out.printf("[figure] unavailable %s out of %d lists of both jobs after %.1f s%n", gone,
                    before.values().stream().mapToInt(List::size).sum(), (System.nanoTime() - marked) / 1e9);

            CliRun promote = cli("promote", "--prefix", CANDIDATE);
            assertThat(promote.out()).startsWith("Promoted: rec:_active now names dim2: (was rec:); each of the "
                    + USERS + " user lists, " + USERS + " category lists and " + ITEMS + " similar lists under rec: has one"
                    + " under dim2: at least as recent.");
            assertThat(jedis.get(RedisKeys.activeAlias(LIVE))).isEqualTo(CANDIDATE);
            CliRun recs = cli("recs", user);
            assertThat(recs.err()).contains("Reading prefix dim2: (named by rec:_active)");
            assertThat(ranked(recs.out())).isEqualTo(jedis.zrevrange(RedisKeys.userList(CANDIDATE, user), 0, -1));
            CliRun recsInCategory = cli("recs", user, "--category", SHOES);
            assertThat(ranked(recsInCategory.out()))
                    .isEqualTo(jedis.zrevrange(RedisKeys.categoryList(CANDIDATE, user, SHOES), 0, -1));
        }

        assertThat(cli("stop", "--cancel", "--job", candidateJob).out()).contains("Cancelled job " + candidateJob);
        assertThat(cli("stop", "--cancel", "--job", liveJob).out()).contains("Cancelled job " + liveJob);
        assertThat(STACK.cluster().rest().activeJobs()).isEmpty();
    }

    /**
     * The report of {@code compare --json}: every window of the generated events but the newest (not
     * yet passed), each with exactly the events sent in it as {@code n} for both jobs; intervals
     * around every figure; a verdict and the winner it names.
     */
    private static void assertSameEventsCompared(JsonNode report, Map<Long, Long> perBucket) {
        assertThat(report.path("live").asText()).isEqualTo(LIVE);
        assertThat(report.path("candidate").asText()).isEqualTo(CANDIDATE);
        TreeMap<Long, Long> closed = new TreeMap<>(perBucket);
        closed.remove(closed.lastKey());
        Map<Long, List<Long>> reported = new TreeMap<>();
        for (JsonNode w : report.path("windows")) {
            assertThat(w.path("end").asLong() - w.path("start").asLong()).isEqualTo(BUCKET_MILLIS);
            reported.put(w.path("start").asLong(),
                    List.of(w.path("live").path("n").asLong(), w.path("candidate").path("n").asLong()));
            for (String side : List.of("live", "candidate")) {
                assertInterval(w.path(side).path("hr10"), side + " HR@10 of window " + w.path("start"));
            }
        }
        Map<Long, List<Long>> expected = new TreeMap<>();
        closed.forEach((bucket, n) -> expected.put(bucket, List.of(n, n)));
        assertThat(reported).as("n (live, candidate) per window start: the events sent in it, measured by both")
                .hasSizeGreaterThanOrEqualTo(5).isEqualTo(expected);
        long n = closed.values().stream().mapToLong(Long::longValue).sum();
        for (String side : List.of("live", "candidate")) {
            JsonNode total = report.path("total").path(side);
            assertThat(total.path("n").asLong()).as(side + " evaluated").isEqualTo(n);
            assertThat(total.path("hits10").asLong()).isBetween(0L, n);
            assertInterval(total.path("hr10"), side + " HR@10");
            assertInterval(total.path("mrr10"), side + " MRR@10");
        }
        assertInterval(report.path("difference").path("hr10"), "HR@10 difference");
        assertInterval(report.path("difference").path("mrr10"), "MRR@10 difference");
        JsonNode paired = report.path("pairedWindows");
        assertThat(paired.path("candidateAhead").asInt() + paired.path("liveAhead").asInt() + paired.path("ties").asInt())
                .isEqualTo(expected.size());
        assertThat(paired.path("signTestP").asDouble()).isBetween(0.0, 1.0);
        String verdict = report.path("verdict").asText();
        assertThat(verdict).isIn("candidate", "live", "no_significant_difference", "mixed");
        assertThat(report.path("winner").asText()).isEqualTo(switch (verdict) {
            case "candidate" -> CANDIDATE;
            case "live" -> LIVE;
            default -> "none";
        });
        System.out.printf("[compare] verdict %s, HR@10 difference %s over %d events in %d windows%n", verdict,
                report.path("difference").path("hr10"), n, expected.size());
    }

    private static void assertInterval(JsonNode interval, String what) {
        double value = interval.path("value").asDouble(Double.NaN);
        assertThat(value).as(what).isBetween(interval.path("low").asDouble(), interval.path("high").asDouble());
        assertThat(interval.path("low").asDouble()).as(what + " interval").isLessThan(interval.path("high").asDouble());
    }

    /** Runs a command on this test's cluster (its state directory); it must succeed. */
    private static CliRun cli(String... args) throws Exception {
        String[] all = Stream.concat(Arrays.stream(args), Stream.of("--state-dir", STACK.cluster().stateDir().toString()))
                .toArray(String[]::new);
        if (args[0].equals("submit")) {
            all = Stream.concat(Arrays.stream(all), Stream.of("--jar", STACK.jobJar().toString())).toArray(String[]::new);
        }
        CliRun run = CliRun.of(work.resolve("home"), all);
        assertThat(run.exit()).as("exit status of %s: %s", String.join(" ", args), run.err()).isZero();
        return run;
    }

    private static String jobId(CliRun submit) {
        Matcher m = Pattern.compile("Submitted job ([0-9a-f]{32})").matcher(submit.out());
        assertThat(m.find()).as("a job id in: " + submit.out()).isTrue();
        return m.group(1);
    }

    private static String write(String name, List<String> lines) throws Exception {
        return Files.write(work.resolve(name), lines, StandardCharsets.UTF_8).toString();
    }

    /** The items of a list as {@code recs} and {@code similar} print it, in rank order. */
    private static List<String> ranked(String output) {
        List<String> items = new ArrayList<>();
        Matcher m = RANKED.matcher(output);
        while (m.find()) {
            assertThat(Integer.parseInt(m.group(1))).as("rank of " + m.group(2)).isEqualTo(items.size() + 1);
            items.add(m.group(2));
        }
        return items;
    }

    /** Even items are shoes, odd ones hats; only shoes is configured. */
    private static String categoryOf(String item) {
        return Integer.parseInt(item.substring(1)) % 2 == 0 ? SHOES : "hats";
    }

    private static String itemRecord(String item, boolean available, long ts) {
        return "{\"item\":\"" + item + "\",\"categories\":[\"" + categoryOf(item) + "\"],\"available\":" + available
                + ",\"ts\":" + ts + "}";
    }

    /** The events sent, per user and per item. */
    private static final class Counts {
        final Map<String, Long> perUser = new TreeMap<>();
        final Map<String, Long> perItem = new TreeMap<>();

        Interaction add(Interaction e) {
            perUser.merge(e.user(), 1L, Long::sum);
            perItem.merge(e.item(), 1L, Long::sum);
            return e;
        }
    }

    /** Users without a list or without a shoes list under {@code prefix}. */
    private static List<String> missingLists(Jedis jedis, String prefix, Counts counts) {
        return counts.perUser.keySet().stream().filter(u -> jedis.zcard(RedisKeys.userList(prefix, u)) == 0
                || jedis.zcard(RedisKeys.categoryList(prefix, u, SHOES)) == 0).toList();
    }

    /** Interactions measured in all buckets of event time under {@code prefix}. */
    private static long evaluated(Jedis jedis, String prefix) {
        return jedis.zrangeWithScores(RedisKeys.metricsWindows(prefix), 0, -1).stream()
                .filter(t -> t.getElement().endsWith(":n")).mapToLong(t -> (long) t.getScore()).sum();
    }

    private static String mostInteracted(Counts counts) {
        return counts.perItem.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** The shoe of the live popular list that is in the most live user and category lists. */
    private static String mostListedShoe(Jedis jedis, Counts counts) {
        Map<String, Integer> listed = new TreeMap<>();
        for (String u : counts.perUser.keySet()) {
            Stream.concat(jedis.zrange(RedisKeys.userList(LIVE, u), 0, -1).stream(),
                    jedis.zrange(RedisKeys.categoryList(LIVE, u, SHOES), 0, -1).stream())
                    .forEach(i -> listed.merge(i, 1, Integer::sum));
        }
        Set<String> popular = Set.copyOf(jedis.zrange(RedisKeys.popularList(LIVE), 0, -1));
        return listed.entrySet().stream().filter(e -> popular.contains(e.getKey()) && categoryOf(e.getKey()).equals(SHOES))
                .max(Map.Entry.comparingByValue()).orElseThrow(() -> new AssertionError("no shoe in the popular list " + popular))
                .getKey();
    }

    /** Per prefix, the keys of the lists holding {@code item}: user, shoes, similar and popular lists. */
    private static Map<String, List<String>> listsHolding(Jedis jedis, String item, Counts counts) {
        Map<String, List<String>> holding = new TreeMap<>();
        for (String prefix : List.of(LIVE, CANDIDATE)) {
            List<String> keys = new ArrayList<>();
            counts.perUser.keySet().forEach(u -> keys.addAll(List.of(RedisKeys.userList(prefix, u),
                    RedisKeys.categoryList(prefix, u, SHOES))));
            counts.perItem.keySet().forEach(i -> keys.add(RedisKeys.similarItems(prefix, i)));
            keys.add(RedisKeys.popularList(prefix));
            holding.put(prefix, keys.stream().filter(k -> jedis.zscore(k, item) != null).collect(Collectors.toList()));
        }
        return holding;
    }
}
