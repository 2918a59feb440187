package io.streamrec.cli;

import io.streamrec.cli.evaluation.Dataset;
import io.streamrec.cli.evaluation.EvaluationReport;
import io.streamrec.cli.evaluation.HitFileSink;
import io.streamrec.cli.evaluation.PassTimeline;
import io.streamrec.cli.evaluation.Stats;
import io.streamrec.job.StreamRecJob;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.operators.OnlineEvaluation;
import io.streamrec.operators.UserWorker;
import io.streamrec.operators.evaluation.ListDiversity;
import io.streamrec.operators.evaluation.OnlinePopularity;
import io.streamrec.operators.evaluation.PrequentialTally;
import io.streamrec.operators.evaluation.RankingMetrics;
import io.streamrec.operators.evaluation.StratifiedSplit;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.UserList;
import io.streamrec.testkit.Interaction;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code bin/streamrec evaluate}: measures recommendation quality by running the real job graph
 * (the production operators, on a local mini cluster at parallelism 1, with an embedded Kafka
 * broker and a Redis server) over a data set, and compares it with baselines on the same data.
 *
 * <ul>
 *   <li>{@code holdout}: seeded 75/25 split stratified by item (or user); the training part is
 *       streamed in timestamp order ({@code --passes} times, later passes with distinct ids and
 *       shifted timestamps); once every user's list reflects all of their training events, each
 *       user gets one zero-weight event so that the final list is scored with the final item
 *       vectors; the top 10 are read from Redis and scored against the test part (P@10, R@10,
 *       nDCG@10, MAP), next to most-popular and random lists on the same split.</li>
 *   <li>{@code prequential}: all events in time order with exact test-then-learn measurement
 *       ({@code recs.online-evaluation EXACT}); the job's measurements are collected from its
 *       {@link UserWorker#ONLINE_EVALUATION} side output; after a warm-up, HR@10 and nDCG@10
 *       overall and per window, next to an online time-decayed most-popular baseline (and
 *       all-time popular and random) computed here from the same stream.</li>
 * </ul>
 * With {@code --validation} the holdout evaluates on a validation split carved out of the training
 * part (same stratification), for tuning without touching the test part. Files are written by
 * {@link EvaluationReport}.
 *
 * <p>Over 400 lines because it still holds both protocols, their baselines and the job driving; the
 * split into protocol classes in an evaluation module of its own is the open part of issue 8.
 */
final class EvaluateCommand {

    static final int K = 10;
    static final String HITS_SINK_UID = "evaluation-online-hits";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> HOLDOUT_KEYS = EvaluationReport.HOLDOUT_KEYS;

    private final CliArgs args;
    private int runs;

    EvaluateCommand(CliArgs args) {
        this.args = args;
    }

    int run() throws Exception {
        String datasetSpec = args.take("dataset", null);
        if (datasetSpec == null) {
            throw new IllegalArgumentException("--dataset movielens:PATH (or json:PATH) is required");
        }
        String protocol = args.take("protocol", "holdout");
        if (!protocol.equals("holdout") && !protocol.equals("prequential")) {
            throw new IllegalArgumentException("--protocol must be holdout or prequential, got '" + protocol + "'");
        }
        Settings s = new Settings();
        s.seeds = (int) args.takeLong("seeds", protocol.equals("holdout") ? 5 : 1);
        s.firstSeed = args.takeLong("seed", 1);
        s.passes = (int) args.takeLong("passes", protocol.equals("holdout") ? ModelConfig.HISTORY_PASSES : 1);
        s.limit = (int) args.takeLong("limit", 0);
        s.validation = Boolean.parseBoolean(args.take("validation", "false"));
        s.ratio = Double.parseDouble(args.take("split-ratio", "0.75"));
        s.splitBy = args.take("split-by", "item");
        s.warmup = Double.parseDouble(args.take("warmup", "0.2"));
        s.windows = (int) args.takeLong("windows", 20);
        s.checkpointMillis = args.takeLong("checkpoint-interval-ms", 1000);
        s.timeoutSeconds = args.takeLong("timeout-s", 3600);
        s.stallSeconds = args.takeLong("stall-timeout-s", 120);
        String minRating = args.take("min-rating", null);
        String out = args.take("out", null);
        String halfLife = args.take("baseline-half-life-days", null);
        if (!s.splitBy.equals("item") && !s.splitBy.equals("user")) {
            throw new IllegalArgumentException("--split-by must be item or user");
        }
        if (s.passes < 1 || s.seeds < 1) {
            throw new IllegalArgumentException("--passes and --seeds must be at least 1");
        }
        s.jobOptions = new LinkedHashMap<>(args.remainingOptions());
        StreamRecOptions parsed = StreamRecOptions.fromMap(s.jobOptions); // fail fast on bad job options
        s.notBefore = parsed.get(StreamRecOptions.MIN_TIMESTAMP);
        s.halfLifeDays = halfLife != null ? Double.parseDouble(halfLife)
                : parsed.get(StreamRecOptions.POPULARITY_HALF_LIFE_DAYS);

        Dataset dataset = Dataset.load(datasetSpec).head(s.limit);
        s.catalogue = (int) dataset.events().stream().map(Interaction::item).distinct().count();
        if (minRating != null) {
            dataset = dataset.minRating(Double.parseDouble(minRating));
        }
        if (dataset.events().size() < 10) {
            throw new IllegalArgumentException("--dataset has only " + dataset.events().size() + " events");
        }
        s.refreshType = protocol.equals("holdout") ? refreshType(dataset.events()) : null;
        // timestamps before 2000 are rejected by the job's input validation: move old data sets forward
        dataset = dataset.placedBetween(s.notBefore, System.currentTimeMillis());
        System.out.printf("evaluate: %s, %,d events, protocol %s%n", dataset.spec(), dataset.events().size(), protocol);

        long start = System.currentTimeMillis();
        ObjectNode results;
        try (LocalStack stack = LocalStack.start()) {
            results = protocol.equals("holdout") ? holdout(stack, dataset, s) : prequential(stack, dataset, s);
        }
        results.put("seconds", (System.currentTimeMillis() - start) / 1000.0);
        if (out != null) {
            EvaluationReport.write(Path.of(out), results);
        }
        return 0;
    }

    // ------------------------------------------------------------------ holdout

    private ObjectNode holdout(LocalStack stack, Dataset dataset, Settings s) throws Exception {
        Function<Interaction, String> group = s.splitBy.equals("item") ? Interaction::item : Interaction::user;
        Map<String, List<Double>> model = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> baselines = new LinkedHashMap<>();
        ArrayNode perSeed = JSON.createArrayNode();
        int users = 0;
        for (int i = 0; i < s.seeds; i++) {
            long seed = s.firstSeed + i;
            StratifiedSplit.Split<Interaction> split = StratifiedSplit.split(dataset.events(), group, s.ratio, seed);
            if (s.validation) {
                split = StratifiedSplit.split(split.train(), group, s.ratio, seed + 7919);
            }
            List<Interaction> train = split.train();
            Map<String, Set<String>> relevant = itemsByUser(split.test());
            Map<String, Set<String>> seen = itemsByUser(train);

            Map<String, List<String>> lists = trainAndRead(stack, train, s, seed);
            Map<String, List<String>> popLists = popularLists(train, seen);
            Map<String, List<String>> rndLists = randomLists(train, seen, seed);
            RankingMetrics.Result m = RankingMetrics.evaluate(lists, relevant, K);
            RankingMetrics.Result pop = RankingMetrics.evaluate(popLists, relevant, K);
            RankingMetrics.Result rnd = RankingMetrics.evaluate(rndLists, relevant, K);
            double[] mDiv = diversity(lists, s, seed);
            double[] popDiv = diversity(popLists, s, seed);
            double[] rndDiv = diversity(rndLists, s, seed);
            users = m.users();

            ObjectNode row = perSeed.addObject();
            row.put("seed", seed);
            row.put("train", train.size());
            row.put("test", split.test().size());
            row.put("users", m.users());
            row.set("metrics", holdoutNode(m, mDiv));
            ObjectNode b = row.putObject("baselines");
            b.set("popular", holdoutNode(pop, popDiv));
            b.set("random", holdoutNode(rnd, rndDiv));
            collect(model, m, mDiv);
            collect(baselines.computeIfAbsent("popular", k -> new LinkedHashMap<>()), pop, popDiv);
            collect(baselines.computeIfAbsent("random", k -> new LinkedHashMap<>()), rnd, rndDiv);
            System.out.printf("seed %d: StreamRec P@10 %.4f nDCG@10 %.4f coverage@10 %.3f | popular %.4f %.4f %.3f"
                            + " | random %.4f %.4f  (%d users)%n", seed, m.precision(), m.ndcg(), mDiv[0],
                    pop.precision(), pop.ndcg(), popDiv[0], rnd.precision(), rnd.ndcg(), m.users());
        }

        ObjectNode root = header("holdout", dataset, s);
        ObjectNode split = root.putObject("split");
        split.put("by", s.splitBy);
        split.put("ratio", s.ratio);
        split.put("evaluated_on", s.validation ? "validation (carved from training)" : "test");
        root.put("users", users);
        root.set("metrics", means(model));
        ObjectNode b = root.putObject("baselines");
        ObjectNode spread = root.putObject("spread");
        spread.set("metrics", sds(model));
        ObjectNode bs = spread.putObject("baselines");
        baselines.forEach((name, values) -> {
            b.set(name, means(values));
            bs.set(name, sds(values));
        });
        root.set("per_seed", perSeed);

        System.out.println();
        System.out.printf("%-12s %-18s %-18s %-18s %-18s %-18s %-18s%n", "", "P@10", "R@10", "nDCG@10", "MAP",
                "coverage@10", "jaccard@10");
        printRow("StreamRec", model, HOLDOUT_KEYS);
        baselines.forEach((name, values) -> printRow(name, values, HOLDOUT_KEYS));
        return root;
    }

    /** Streams the training events through the job and returns each user's top-K from Redis. */
    private Map<String, List<String>> trainAndRead(LocalStack stack, List<Interaction> train, Settings s, long seed)
            throws Exception {
        Map<String, String> values = jobOptions(s, seed, OnlineEvaluation.OFF);
        StreamRecOptions options = stack.namespace("eval" + (++runs) + "-s" + seed, values, 1);
        StreamExecutionEnvironment env = LocalStack.environment(1, s.checkpointMillis);
        StreamRecJob.configure(env, options);
        buildJob(env, options);
        JobClient job = env.executeAsync("StreamRec evaluate (holdout, seed " + seed + ")");
        try {
            PassTimeline timeline = PassTimeline.of(train.get(0).ts(), train.get(train.size() - 1).ts(), s.passes,
                    s.notBefore, System.currentTimeMillis());
            if (timeline.compressed()) {
                System.out.printf("  note: %d passes over this history do not fit between input.min-timestamp and now;"
                        + " event times are compressed (order kept)%n", s.passes);
            }
            List<Map.Entry<String, String>> records = new ArrayList<>(train.size() * s.passes);
            Map<String, Long> expected = new HashMap<>();
            Map<String, String> anyItem = new LinkedHashMap<>();
            for (int p = 0; p < s.passes; p++) {
                for (Interaction e : train) {
                    String id = p == 0 ? e.id() : e.id() + "#p" + (p + 1);
                    Interaction shifted = new Interaction(id, e.user(), e.item(), e.type(), e.value(), timeline.at(p, e.ts()));
                    records.add(new AbstractMap.SimpleEntry<>(e.user(), shifted.toJson()));
                    expected.merge(e.user(), 1L, Long::sum);
                    anyItem.putIfAbsent(e.user(), e.item());
                }
            }
            String topic = options.get(StreamRecOptions.TOPIC_INTERACTIONS);
            String prefix = options.get(StreamRecOptions.REDIS_PREFIX);
            long t0 = System.currentTimeMillis();
            stack.produce(topic, records);
            try (Jedis jedis = stack.jedis()) {
                await(stack, jedis, options, expected, job, s, "training");
                // one zero-weight event per user: their final list is scored with the final item vectors
                String refreshType = refreshType(train);
                if (refreshType != null) {
                    long refreshTs = timeline.end();
                    List<Map.Entry<String, String>> touches = new ArrayList<>();
                    anyItem.forEach((user, item) -> {
                        touches.add(new AbstractMap.SimpleEntry<>(user,
                                new Interaction("refresh-" + user, user, item, refreshType, null, refreshTs).toJson()));
                        expected.merge(user, 1L, Long::sum);
                    });
                    stack.produce(topic, touches);
                    await(stack, jedis, options, expected, job, s, "final refresh");
                } else {
                    System.out.println("  note: every event type occurs in the data; no final refresh (lists may be stale)");
                }
                System.out.printf("  trained on %,d events (%d pass%s) in %.1f s%n", records.size(), s.passes,
                        s.passes == 1 ? "" : "es", (System.currentTimeMillis() - t0) / 1000.0);
                return LocalStack.lists(jedis, prefix, expected.keySet(), K);
            }
        } finally {
            cancel(job);
        }
    }

    private Map<String, List<String>> popularLists(List<Interaction> train, Map<String, Set<String>> seen) {
        OnlinePopularity counts = OnlinePopularity.withHalfLifeDays(Double.POSITIVE_INFINITY);
        for (Interaction e : train) {
            counts.add(e.item(), e.ts(), 1);
        }
        Map<String, List<String>> lists = new HashMap<>();
        seen.forEach((user, items) -> lists.put(user, Arrays.asList(counts.topN(K, items))));
        return lists;
    }

    private Map<String, List<String>> randomLists(List<Interaction> train, Map<String, Set<String>> seen, long seed) {
        List<String> catalog = new ArrayList<>(new LinkedHashSet<>(train.stream().map(Interaction::item).toList()));
        Random random = new Random(seed);
        Map<String, List<String>> lists = new LinkedHashMap<>();
        seen.forEach((user, items) -> lists.put(user, sample(catalog, items, random)));
        return lists;
    }

    private static List<String> sample(List<String> catalog, Set<String> excluded, Random random) {
        List<String> out = new ArrayList<>(K);
        int available = catalog.size() - excluded.size();
        int attempts = 0;
        while (out.size() < Math.min(K, available) && attempts++ < 100 * K) {
            String item = catalog.get(random.nextInt(catalog.size()));
            if (!excluded.contains(item) && !out.contains(item)) {
                out.add(item);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ prequential

    private ObjectNode prequential(LocalStack stack, Dataset dataset, Settings s) throws Exception {
        List<Interaction> events = dataset.events();
        long seed = s.firstSeed;
        Map<String, List<String>> finalLists = new HashMap<>();
        Map<String, Integer> ranks = streamWithExactEvaluation(stack, events, s, seed, finalLists);

        int warm = (int) Math.floor(s.warmup * events.size());
        int windowEvents = Math.max(1, (int) Math.ceil((events.size() - warm) / (double) s.windows));
        PrequentialTally model = new PrequentialTally(K, windowEvents);
        PrequentialTally popular = new PrequentialTally(K, windowEvents);
        PrequentialTally allTime = new PrequentialTally(K, windowEvents);
        PrequentialTally random = new PrequentialTally(K, windowEvents);
        OnlinePopularity decayed = OnlinePopularity.withHalfLifeDays(s.halfLifeDays);
        OnlinePopularity counts = OnlinePopularity.withHalfLifeDays(Double.POSITIVE_INFINITY);
        Map<String, Set<String>> seen = new HashMap<>();
        List<String> catalog = new ArrayList<>();
        Set<String> inCatalog = new HashSet<>();
        Random rnd = new Random(seed);
        int unmeasured = 0;
        for (int i = 0; i < events.size(); i++) {
            Interaction e = events.get(i);
            Set<String> userSeen = seen.computeIfAbsent(e.user(), u -> new HashSet<>());
            if (i >= warm) {
                Integer rank = ranks.get(HitFileSink.key(e.user(), e.item(), e.ts()));
                if (rank == null) {
                    unmeasured++;
                }
                model.record(rank == null ? -1 : rank, e.ts());
                popular.record(indexOf(decayed.topN(K, userSeen), e.item()), e.ts());
                allTime.record(indexOf(counts.topN(K, userSeen), e.item()), e.ts());
                random.record(sample(catalog, userSeen, rnd).indexOf(e.item()), e.ts());
            }
            decayed.add(e.item(), e.ts(), 1);
            counts.add(e.item(), e.ts(), 1);
            userSeen.add(e.item());
            if (inCatalog.add(e.item())) {
                catalog.add(e.item());
            }
        }
        if (unmeasured > 0) {
            System.out.printf("  note: %d evaluated events had no measurement from the job (counted as misses)%n", unmeasured);
        }
        // personalisation at the end of the stream: every user's last list, and the popular list they would see
        Map<String, List<String>> popularFinal = new HashMap<>();
        seen.forEach((user, items) -> popularFinal.put(user, Arrays.asList(decayed.topN(K, items))));
        double[] modelDiv = diversity(finalLists, s, seed);
        double[] popularDiv = diversity(popularFinal, s, seed);

        ObjectNode root = header("prequential", dataset, s);
        root.put("events", events.size());
        root.put("warmup_events", warm);
        root.put("evaluated", model.events());
        root.put("unmeasured", unmeasured);
        root.put("popular_half_life_days", s.halfLifeDays);
        root.set("metrics", prequentialNode(model, modelDiv));
        ObjectNode b = root.putObject("baselines");
        b.set("popular", prequentialNode(popular, popularDiv));
        b.set("popular_alltime", prequentialNode(allTime, null));
        b.set("random", prequentialNode(random, null));
        ArrayNode windows = root.putArray("windows");
        for (int w = 0; w < model.windows().size(); w++) {
            PrequentialTally.Window mw = model.windows().get(w);
            ObjectNode n = windows.addObject();
            n.put("index", w);
            n.put("first_ts", mw.firstTs);
            n.put("last_ts", mw.lastTs);
            n.put("events", mw.events);
            n.put("hr@10", mw.hitRate());
            n.put("ndcg@10", mw.ndcg());
            n.put("popular_hr@10", popular.windows().get(w).hitRate());
            n.put("popular_alltime_hr@10", allTime.windows().get(w).hitRate());
            n.put("random_hr@10", random.windows().get(w).hitRate());
        }

        System.out.println();
        System.out.printf("%-18s %-10s %-10s%n", "", "HR@10", "nDCG@10");
        printPrequential("StreamRec", model);
        printPrequential("popular (decayed)", popular);
        printPrequential("popular (all-time)", allTime);
        printPrequential("random", random);
        System.out.printf("StreamRec / stronger popular: %.2fx; coverage@10 %.3f (popular %.3f), jaccard@10 %.3f (popular %.3f)%n",
                model.hitRate() / Math.max(1e-12, Math.max(popular.hitRate(), allTime.hitRate())),
                modelDiv[0], popularDiv[0], modelDiv[1], popularDiv[1]);
        return root;
    }

    /** Runs all events through the job with EXACT test-then-learn; returns ranks by event. */
    private Map<String, Integer> streamWithExactEvaluation(LocalStack stack, List<Interaction> events, Settings s,
                                                           long seed, Map<String, List<String>> finalLists)
            throws Exception {
        Map<String, String> values = jobOptions(s, seed, OnlineEvaluation.EXACT);
        StreamRecOptions options = stack.namespace("eval" + (++runs) + "-preq-s" + seed, values, 1);
        Path hits = Files.createTempFile("streamrec-online-hits-", ".tsv");
        StreamExecutionEnvironment env = LocalStack.environment(1, s.checkpointMillis);
        StreamRecJob.configure(env, options);
        SingleOutputStreamOperator<UserList> userWorker = buildJob(env, options);
        userWorker.getSideOutput(UserWorker.ONLINE_EVALUATION)
                .sinkTo(new HitFileSink(hits)).uid(HITS_SINK_UID).name("Evaluation: online hits -> file")
                .setParallelism(1);
        JobClient job = env.executeAsync("StreamRec evaluate (prequential)");
        try {
            List<Map.Entry<String, String>> records = new ArrayList<>(events.size());
            Map<String, Long> expected = new HashMap<>();
            for (Interaction e : events) {
                records.add(new AbstractMap.SimpleEntry<>(e.user(), e.toJson()));
                expected.merge(e.user(), 1L, Long::sum);
            }
            long t0 = System.currentTimeMillis();
            stack.produce(options.get(StreamRecOptions.TOPIC_INTERACTIONS), records);
            try (Jedis jedis = stack.jedis()) {
                await(stack, jedis, options, expected, job, s, "streaming");
                finalLists.putAll(LocalStack.lists(jedis, options.get(StreamRecOptions.REDIS_PREFIX), expected.keySet(), K));
            }
            System.out.printf("  streamed %,d events in %.1f s%n", records.size(), (System.currentTimeMillis() - t0) / 1000.0);
        } finally {
            cancel(job);
        }
        Map<String, Integer> ranks = HitFileSink.read(hits);
        Files.deleteIfExists(hits);
        return ranks;
    }

    // ------------------------------------------------------------------ shared

    private static SingleOutputStreamOperator<UserList> buildJob(StreamExecutionEnvironment env, StreamRecOptions options) {
        return StreamRecJob.build(env, options,
                StreamRecJob.interactionsSource(options),
                StreamRecJob.gradientsSource(options, System.currentTimeMillis()),
                StreamRecJob.deadLetterSink(options),
                StreamRecJob.gradientsSink(options),
                StreamRecJob.redisSink(options));
    }

    /**
     * The run's job options: the user's, plus what the protocol needs (top 10, parallelism 1, every
     * seen item excluded, the seed, the evaluation mode) and a zero weight for the type of the
     * final-refresh events, one that does not occur in the data ({@code view} for MovieLens).
     */
    private static Map<String, String> jobOptions(Settings s, long seed, OnlineEvaluation evaluation) {
        Map<String, String> values = new LinkedHashMap<>(s.jobOptions);
        values.put(StreamRecOptions.TOP_N.key(), Integer.toString(K));
        values.put(StreamRecOptions.PARALLELISM.key(), "1");
        values.putIfAbsent(StreamRecOptions.MAX_SEEN.key(), "100000");
        values.putIfAbsent(StreamRecOptions.SEED.key(), Long.toString(seed));
        values.put(StreamRecOptions.ONLINE_EVALUATION.key(), evaluation.name());
        String refresh = s.refreshType;
        String weights = values.getOrDefault(StreamRecOptions.WEIGHTS.key(), "");
        if (refresh != null && !weights.contains(refresh + ":")) {
            values.put(StreamRecOptions.WEIGHTS.key(), weights.isEmpty() ? refresh + ":0" : weights + "," + refresh + ":0");
        }
        return values;
    }

    /** An event type that does not occur in the data, used with weight 0 for the final refresh; null if none. */
    private static String refreshType(List<Interaction> events) {
        Set<String> present = new HashSet<>();
        for (Interaction e : events) {
            present.add(e.type());
        }
        for (String type : List.of("view", "click", "cart", "like", "purchase")) {
            if (!present.contains(type)) {
                return type;
            }
        }
        return null;
    }

    /**
     * Waits until every user's list in Redis counts their expected interactions. Fails with a reason
     * instead of waiting forever: when the job rejected records (the reasons and an example of each,
     * from its dead-letter topic), when the job stopped, when no interaction was applied for
     * {@code --stall-timeout-s}, or after {@code --timeout-s}.
     */
    private static void await(LocalStack stack, Jedis jedis, StreamRecOptions options, Map<String, Long> expected,
                              JobClient job, Settings s, String phase) throws Exception {
        String prefix = options.get(StreamRecOptions.REDIS_PREFIX);
        String deadLetters = options.get(StreamRecOptions.TOPIC_DEAD_LETTERS);
        long start = System.currentTimeMillis();
        long lastReport = start;
        long lastProgress = start;
        long applied = -1;
        while (true) {
            List<String> behind = LocalStack.usersBehind(jedis, prefix, expected);
            if (behind.isEmpty()) {
                return;
            }
            long now = System.currentTimeMillis();
            long appliedNow = LocalStack.appliedInteractions(jedis, prefix, expected.keySet());
            if (appliedNow != applied) {
                applied = appliedNow;
                lastProgress = now;
            }
            String why = null;
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                why = "the job stopped (" + job.getJobStatus().get() + ")";
            } else if (now - lastProgress > s.stallSeconds * 1000) {
                why = "no interaction was applied for " + s.stallSeconds + " s (--stall-timeout-s)";
            } else if (now - start > s.timeoutSeconds * 1000) {
                why = "not done after " + s.timeoutSeconds + " s (--timeout-s)";
            }
            if (why == null && now - lastReport > 15_000) {
                Map<String, String> rejected = stack.deadLetters(deadLetters);
                if (!rejected.isEmpty()) {
                    why = "the job rejected records of this run";
                }
                System.out.printf("  %s: %,d of %,d users' lists not yet current (%,d interactions applied)%n",
                        phase, behind.size(), expected.size(), applied);
                lastReport = now;
            }
            if (why != null) {
                throw new IllegalStateException(phase + ": " + why + "; " + behind.size() + " of " + expected.size()
                        + " users' lists are behind. " + describe(stack.deadLetters(deadLetters)));
            }
            Thread.sleep(300);
        }
    }

    private static String describe(Map<String, String> rejected) {
        if (rejected.isEmpty()) {
            return "The dead-letter topic is empty.";
        }
        StringBuilder sb = new StringBuilder("Rejected by the job's input validation (dead-letter topic):");
        rejected.forEach((reason, detail) -> sb.append("\n    ").append(reason).append(": ").append(detail));
        return sb.toString();
    }

    private static void cancel(JobClient job) {
        try {
            job.cancel().get();
        } catch (Exception ignored) {
            // already finished
        }
    }

    private static Map<String, Set<String>> itemsByUser(List<Interaction> events) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (Interaction e : events) {
            out.computeIfAbsent(e.user(), u -> new HashSet<>()).add(e.item());
        }
        return out;
    }

    private static int indexOf(String[] list, String item) {
        for (int i = 0; i < list.length; i++) {
            if (list[i].equals(item)) {
                return i;
            }
        }
        return -1;
    }

    private static void collect(Map<String, List<Double>> into, RankingMetrics.Result r, double[] diversity) {
        holdoutNode(r, diversity).fields().forEachRemaining(e ->
                into.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue().asDouble()));
    }

    /** Catalogue coverage@K and mean pairwise Jaccard@K of the lists ({@link ListDiversity}). */
    private static double[] diversity(Map<String, List<String>> lists, Settings s, long seed) {
        return new double[] {ListDiversity.coverage(lists, K, s.catalogue), ListDiversity.meanJaccard(lists, K, seed)};
    }

    private static ObjectNode holdoutNode(RankingMetrics.Result r, double[] diversity) {
        ObjectNode n = JSON.createObjectNode();
        n.put("precision@10", r.precision());
        n.put("recall@10", r.recall());
        n.put("ndcg@10", r.ndcg());
        n.put("map", r.map());
        n.put("coverage@10", diversity[0]);
        n.put("jaccard@10", diversity[1]);
        return n;
    }

    private static ObjectNode prequentialNode(PrequentialTally t, double[] diversity) {
        ObjectNode n = JSON.createObjectNode();
        n.put("hr@10", t.hitRate());
        n.put("ndcg@10", t.ndcg());
        if (diversity != null) {
            n.put("coverage@10", diversity[0]);
            n.put("jaccard@10", diversity[1]);
        }
        return n;
    }

    private static ObjectNode means(Map<String, List<Double>> values) {
        ObjectNode n = JSON.createObjectNode();
        values.forEach((k, v) -> n.put(k, Stats.of(v).mean()));
        return n;
    }

    private static ObjectNode sds(Map<String, List<Double>> values) {
        ObjectNode n = JSON.createObjectNode();
        values.forEach((k, v) -> n.put(k, Stats.of(v).sd()));
        return n;
    }

    private ObjectNode header(String protocol, Dataset dataset, Settings s) {
        ObjectNode root = JSON.createObjectNode();
        root.put("protocol", protocol);
        root.put("dataset", dataset.spec());
        root.put("k", K);
        ArrayNode seeds = root.putArray("seeds");
        for (int i = 0; i < (protocol.equals("holdout") ? s.seeds : 1); i++) {
            seeds.add(s.firstSeed + i);
        }
        root.put("passes", s.passes);
        ObjectNode options = root.putObject("options");
        s.jobOptions.forEach(options::put);
        return root;
    }

    private static void printRow(String name, Map<String, List<Double>> values, List<String> keys) {
        StringBuilder sb = new StringBuilder(String.format("%-12s", name));
        for (String k : keys) {
            sb.append(String.format(" %-18s", Stats.of(values.get(k))));
        }
        System.out.println(sb);
    }

    private static void printPrequential(String name, PrequentialTally t) {
        System.out.printf("%-18s %-10.4f %-10.4f%n", name, t.hitRate(), t.ndcg());
    }

    private static final class Settings {
        int seeds;
        long firstSeed;
        int passes;
        int limit;
        boolean validation;
        double ratio;
        String splitBy;
        double warmup;
        int windows;
        long checkpointMillis;
        long timeoutSeconds;
        long stallSeconds;
        long notBefore;
        int catalogue;
        double halfLifeDays;
        String refreshType;
        Map<String, String> jobOptions;
    }
}
