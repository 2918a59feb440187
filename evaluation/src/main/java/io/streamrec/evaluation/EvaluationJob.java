package io.streamrec.evaluation;

import io.streamrec.evaluation.data.PassTimeline;
import io.streamrec.job.InteractionCounts;
import io.streamrec.job.StreamRecJob;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.operators.evaluation.OnlineEvaluation;
import io.streamrec.operators.user.UserWorker;
import io.streamrec.operators.records.UserList;
import io.streamrec.testkit.Interaction;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import redis.clients.jedis.Jedis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model under evaluation: the real job graph ({@link StreamRecJob#build} with the production
 * operators) on a local mini cluster at parallelism 1, against the {@link LocalStack}'s Kafka and
 * Redis, one run per call with its own topics and key namespace. A run streams its events, waits
 * until every user's list in Redis counts all of them, and never hangs: it fails with a reason when
 * the job rejects records, stops, stalls, or runs out of time.
 */
final class EvaluationJob {

    static final String HITS_SINK_UID = "evaluation-online-hits";
    /** Similar items read per item (the job's default {@code recs.similar-n}). */
    static final int SIMILAR_N = 20;
    /** Two refresh intervals of the default: what a list due after the last move may wait. */
    private static final long SIMILAR_SETTLE_MS = 2_000;

    private final LocalStack stack;
    private final EvaluationSettings s;
    /** The zero-weight event type of the final refresh (holdout), or null. */
    private final String refreshType;
    private int runs;

    EvaluationJob(LocalStack stack, EvaluationSettings settings, String refreshType) {
        this.stack = stack;
        this.s = settings;
        this.refreshType = refreshType;
    }

    /**
     * Streams the training events through the job ({@code --passes} times, later passes with distinct
     * ids and shifted timestamps), gives every user one zero-weight event so that their final list is
     * scored with the final item vectors, and returns each user's top-K from Redis; puts each
     * training item's similar list ({@code {prefix}_sim:{item}}, once no list changes any more) into
     * {@code similar}.
     */
    Map<String, List<String>> trainAndRead(List<Interaction> train, long seed, Map<String, List<String>> similar)
            throws Exception {
        Map<String, String> values = jobOptions(seed, OnlineEvaluation.OFF);
        StreamRecOptions options = stack.namespace("eval" + (++runs) + "-s" + seed, values, 1);
        StreamExecutionEnvironment env = LocalStack.environment(1, s.checkpointMillis);
        StreamRecJob.configure(env, options);
        StreamRecJob.buildWithKafkaAndRedis(env, options);
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
                await(jedis, options, expected, job, "training");
                // one zero-weight event per user: their final list is scored with the final item vectors
                String trainRefreshType = refreshType(train);
                if (trainRefreshType != null) {
                    long refreshTs = timeline.end();
                    List<Map.Entry<String, String>> touches = new ArrayList<>();
                    anyItem.forEach((user, item) -> {
                        touches.add(new AbstractMap.SimpleEntry<>(user,
                                new Interaction("refresh-" + user, user, item, trainRefreshType, null, refreshTs).toJson()));
                        expected.merge(user, 1L, Long::sum);
                    });
                    stack.produce(topic, touches);
                    await(jedis, options, expected, job, "final refresh");
                } else {
                    System.out.println("  note: every event type occurs in the data; no final refresh (lists may be stale)");
                }
                System.out.printf("  trained on %,d events (%d pass%s) in %.1f s%n", records.size(), s.passes,
                        s.passes == 1 ? "" : "es", (System.currentTimeMillis() - t0) / 1000.0);
                Set<String> items = new HashSet<>();
                train.forEach(e -> items.add(e.item()));
                similar.putAll(settledSimilarLists(jedis, prefix, items));
                return LocalStack.lists(jedis, prefix, expected.keySet(), Evaluation.K);
            }
        } finally {
            cancel(job);
        }
    }

    /**
     * The items' similar lists once they have settled: lists follow the item vectors a refresh
     * interval and a checkpoint behind, so they are read when two reads {@link #SIMILAR_SETTLE_MS}
     * apart find the same versions (at most a minute).
     */
    private Map<String, List<String>> settledSimilarLists(Jedis jedis, String prefix, Set<String> items)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        long before = -1;
        while (true) {
            long versions = LocalStack.similarListVersions(jedis, prefix, items);
            if (versions == before || System.currentTimeMillis() > deadline) {
                return LocalStack.similarLists(jedis, prefix, items, SIMILAR_N);
            }
            before = versions;
            Thread.sleep(SIMILAR_SETTLE_MS + s.checkpointMillis);
        }
    }

    /**
     * Runs all events through the job with EXACT test-then-learn measurement, collected from its
     * {@link UserWorker#ONLINE_EVALUATION} side output; returns the rank of each event's item by
     * {@link HitFileSink#key} and puts every user's last list into {@code finalLists}.
     */
    Map<String, Integer> streamWithExactEvaluation(List<Interaction> events, long seed,
                                                   Map<String, List<String>> finalLists) throws Exception {
        Map<String, String> values = jobOptions(seed, OnlineEvaluation.EXACT);
        StreamRecOptions options = stack.namespace("eval" + (++runs) + "-preq-s" + seed, values, 1);
        Path hits = Files.createTempFile("streamrec-online-hits-", ".tsv");
        StreamExecutionEnvironment env = LocalStack.environment(1, s.checkpointMillis);
        StreamRecJob.configure(env, options);
        SingleOutputStreamOperator<UserList> userWorker = StreamRecJob.buildWithKafkaAndRedis(env, options);
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
                await(jedis, options, expected, job, "streaming");
                finalLists.putAll(LocalStack.lists(jedis, options.get(StreamRecOptions.REDIS_PREFIX), expected.keySet(),
                        Evaluation.K));
            }
            System.out.printf("  streamed %,d events in %.1f s%n", records.size(), (System.currentTimeMillis() - t0) / 1000.0);
        } finally {
            cancel(job);
        }
        Map<String, Integer> ranks = HitFileSink.read(hits);
        Files.deleteIfExists(hits);
        return ranks;
    }

    /**
     * The run's job options: the user's, plus what the protocol needs (top 10, parallelism 1, every
     * seen item excluded, the seed, the evaluation mode) and a zero weight for the type of the
     * final-refresh events, one that does not occur in the data ({@code view} for MovieLens).
     */
    private Map<String, String> jobOptions(long seed, OnlineEvaluation evaluation) {
        Map<String, String> values = new LinkedHashMap<>(s.jobOptions);
        values.put(StreamRecOptions.TOP_N.key(), Integer.toString(Evaluation.K));
        values.put(StreamRecOptions.PARALLELISM.key(), "1");
        values.putIfAbsent(StreamRecOptions.MAX_SEEN.key(), "100000");
        // retention, not the model: the holdout's passes lie on a compressed synthetic timeline on
        // which "90 days idle" means nothing, so users and items are kept unless --state.user-ttl or
        // --state.item-ttl is given
        values.putIfAbsent(StreamRecOptions.USER_TTL.key(), "0");
        values.putIfAbsent(StreamRecOptions.ITEM_TTL.key(), "0");
        values.putIfAbsent(StreamRecOptions.SEED.key(), Long.toString(seed));
        values.put(StreamRecOptions.ONLINE_EVALUATION.key(), evaluation.name());
        String weights = values.getOrDefault(StreamRecOptions.WEIGHTS.key(), "");
        if (refreshType != null && !weights.contains(refreshType + ":")) {
            values.put(StreamRecOptions.WEIGHTS.key(), weights.isEmpty() ? refreshType + ":0" : weights + "," + refreshType + ":0");
        }
        return values;
    }

    /** An event type that does not occur in the data, used with weight 0 for the final refresh; null if none. */
    static String refreshType(List<Interaction> events) {
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
    private void await(Jedis jedis, StreamRecOptions options, Map<String, Long> expected, JobClient job, String phase)
            throws Exception {
        String prefix = options.get(StreamRecOptions.REDIS_PREFIX);
        String deadLetters = options.get(StreamRecOptions.TOPIC_DEAD_LETTERS);
        long start = System.currentTimeMillis();
        long lastReport = start;
        long lastProgress = start;
        long applied = -1;
        while (true) {
            List<String> behind = InteractionCounts.usersBehind(jedis, prefix, expected);
            if (behind.isEmpty()) {
                return;
            }
            long now = System.currentTimeMillis();
            long appliedNow = InteractionCounts.applied(jedis, prefix, expected.keySet());
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
}
