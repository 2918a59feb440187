package io.streamrec.evaluation;

import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.operators.model.ModelConfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flags of {@code bin/streamrec evaluate}, checked before anything starts; every other flag is
 * a job option, validated by {@link StreamRecOptions} here too. Defaults depend on the protocol:
 * {@code holdout} runs 5 seeds of {@link ModelConfig#HISTORY_PASSES} passes, {@code prequential}
 * one seed of one pass.
 */
public final class EvaluationSettings {

    public static final String HOLDOUT = "holdout";
    public static final String PREQUENTIAL = "prequential";

    final String dataset;
    final String protocol;
    final int seeds;
    final long firstSeed;
    final int passes;
    final int limit;
    final boolean validation;
    final double ratio;
    final String splitBy;
    final double warmup;
    final int windows;
    final long checkpointMillis;
    final long timeoutSeconds;
    final long stallSeconds;
    final Double minRating;
    final String out;
    /** The earliest event time the job accepts ({@code input.min-timestamp}). */
    final long notBefore;
    /** Half-life of the time-decayed popularity baseline of the prequential protocol. */
    final double halfLifeDays;
    /** The job options given, in order. */
    final Map<String, String> jobOptions;

    private EvaluationSettings(CommandArgs args) {
        String datasetSpec = args.take("dataset", null);
        if (datasetSpec == null) {
            throw new IllegalArgumentException("--dataset movielens:PATH (or json:PATH) is required");
        }
        dataset = datasetSpec;
        protocol = args.take("protocol", HOLDOUT);
        if (!protocol.equals(HOLDOUT) && !protocol.equals(PREQUENTIAL)) {
            throw new IllegalArgumentException("--protocol must be holdout or prequential, got '" + protocol + "'");
        }
        boolean holdout = protocol.equals(HOLDOUT);
        seeds = (int) args.takeLong("seeds", holdout ? 5 : 1);
        firstSeed = args.takeLong("seed", 1);
        passes = (int) args.takeLong("passes", holdout ? ModelConfig.HISTORY_PASSES : 1);
        limit = (int) args.takeLong("limit", 0);
        validation = Boolean.parseBoolean(args.take("validation", "false"));
        ratio = Double.parseDouble(args.take("split-ratio", "0.75"));
        splitBy = args.take("split-by", "item");
        warmup = Double.parseDouble(args.take("warmup", "0.2"));
        windows = (int) args.takeLong("windows", 20);
        checkpointMillis = args.takeLong("checkpoint-interval-ms", 1000);
        timeoutSeconds = args.takeLong("timeout-s", 3600);
        stallSeconds = args.takeLong("stall-timeout-s", 120);
        String minRatingFlag = args.take("min-rating", null);
        out = args.take("out", null);
        String halfLife = args.take("baseline-half-life-days", null);
        if (!splitBy.equals("item") && !splitBy.equals("user")) {
            throw new IllegalArgumentException("--split-by must be item or user");
        }
        if (passes < 1 || seeds < 1) {
            throw new IllegalArgumentException("--passes and --seeds must be at least 1");
        }
        jobOptions = Collections.unmodifiableMap(new LinkedHashMap<>(args.remainingOptions()));
        StreamRecOptions parsed = StreamRecOptions.fromMap(jobOptions); // fail fast on bad job options
        notBefore = parsed.get(StreamRecOptions.MIN_TIMESTAMP);
        halfLifeDays = halfLife != null ? Double.parseDouble(halfLife) : parsed.get(StreamRecOptions.POPULARITY_HALF_LIFE_DAYS);
        minRating = minRatingFlag != null ? Double.parseDouble(minRatingFlag) : null;
    }

    /** Takes the evaluate flags out of {@code args}; what is left are job options. */
    public static EvaluationSettings parse(CommandArgs args) {
        return new EvaluationSettings(args);
    }

    boolean holdout() {
        return protocol.equals(HOLDOUT);
    }
}
