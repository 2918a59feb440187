package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.operators.model.ModelConfig;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The flags of {@code bin/streamrec backfill bootstrap|repair}, checked before anything runs
 * ({@link CommandArgs}). Every backfill flag takes a value ({@code --flag VALUE} or
 * {@code --flag=VALUE}) except {@code --direct}; everything after {@code --} is passed to each
 * {@code submit} as job (and submit) options.
 *
 * @param mode        {@code bootstrap} or {@code repair}
 * @param file        bootstrap: a JSON-lines history to load into the topic {@code NAME-history}, or null
 * @param topic       bootstrap: a topic that already holds the history, or null
 * @param from        bootstrap: read the history from this epoch ms (null: from the earliest offset)
 * @param passes      bootstrap: passes over the history ({@link ModelConfig#HISTORY_PASSES} by default)
 * @param prefix      the Redis prefix of the replay ({@code bf:} / {@code shadow:} by default)
 * @param parallelism of the replay's job (4 / 2 by default)
 * @param name        the run's name: Kafka identities and the work directory (mode and local time by default)
 * @param savepoint   repair: the savepoint taken at T
 * @param since       repair: T in epoch ms, for the model-only restore (null with {@code direct})
 * @param direct      repair: restore the savepoint itself instead of its model only
 * @param jobOptions  the arguments after {@code --}, in order
 */
record BackfillFlags(String mode, String file, String topic, Long from, int passes, String prefix, int parallelism,
                     String name, String savepoint, Long since, boolean direct, List<String> jobOptions) {

    static final String BOOTSTRAP = "bootstrap";
    static final String REPAIR = "repair";
    /** The backfill flags that take a value. */
    private static final Set<String> VALUE_FLAGS =
            Set.of("file", "topic", "from", "passes", "prefix", "parallelism", "name", "savepoint", "since");
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /**
     * Parses {@code MODE [flags] [-- job options]}; {@code now} names an unnamed run. Unknown flags,
     * missing values and missing required flags are IllegalArgumentException naming the flag;
     * an unknown or missing mode is {@link UnknownMode} (the caller prints the usage).
     */
    static BackfillFlags parse(List<String> argv, LocalDateTime now) {
        if (argv.isEmpty() || !(argv.get(0).equals(BOOTSTRAP) || argv.get(0).equals(REPAIR))) {
            throw new UnknownMode(argv.isEmpty() ? "" : argv.get(0));
        }
        String mode = argv.get(0);
        CommandArgs args = CommandArgs.parse(argv.subList(1, argv.size()));
        if (!args.positional().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument '" + args.positional().get(0) + "' (job options go after --)");
        }
        boolean direct = args.takeBoolean("direct");
        try {
            args.rejectUnknown(VALUE_FLAGS);
        } catch (IllegalArgumentException unknown) {
            throw new IllegalArgumentException(unknown.getMessage()
                    + " (job options go after --; bin/streamrec help lists the backfill flags)");
        }
        args.requireValues();
        boolean bootstrap = mode.equals(BOOTSTRAP);
        String file = args.take("file", null);
        String topic = args.take("topic", null);
        Long from = args.has("from") ? args.takeLong("from", 0) : null;
        int passes = atLeastOne("passes", args.takeInt("passes", ModelConfig.HISTORY_PASSES));
        String prefix = args.take("prefix", bootstrap ? "bf:" : "shadow:");
        int parallelism = atLeastOne("parallelism", args.takeInt("parallelism", bootstrap ? 4 : 2));
        String name = args.take("name", mode + "-" + now.format(NAME_TIME));
        String savepoint = args.take("savepoint", null);
        Long since = args.has("since") ? args.takeLong("since", 0) : null;
        if (bootstrap && file == null && topic == null) {
            throw new IllegalArgumentException("bootstrap needs --file HISTORY.jsonl or --topic TOPIC");
        }
        if (!bootstrap && savepoint == null) {
            throw new IllegalArgumentException("repair needs --savepoint SAVEPOINT_AT_T");
        }
        if (!bootstrap && since == null && !direct) {
            throw new IllegalArgumentException("repair needs --since T_EPOCH_MS (model-only restore) or --direct");
        }
        return new BackfillFlags(mode, file, topic, from, passes, prefix, parallelism, name, savepoint, since, direct,
                args.afterSeparator());
    }

    boolean isBootstrap() {
        return mode.equals(BOOTSTRAP);
    }

    /** The value of a job option given after {@code --} ({@code --key VALUE} or {@code --key=VALUE}). */
    Optional<String> jobOption(String key) {
        return CommandArgs.parse(jobOptions).take(key);
    }

    /**
     * The job options that matter to {@code produce}: the input rules ({@code --input.*}) and the
     * broker ({@code --kafka.bootstrap}), as {@code --key value} pairs.
     */
    List<String> produceOptions() {
        List<String> options = new ArrayList<>();
        CommandArgs.parse(jobOptions).remainingOptions().forEach((key, value) -> {
            if (key.startsWith("input.") || key.equals("kafka.bootstrap")) {
                options.add("--" + key);
                options.add(value);
            }
        });
        return options;
    }

    private static int atLeastOne(String flag, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("--" + flag + " must be at least 1, got " + value);
        }
        return value;
    }

    /** No mode, or not one of {@code bootstrap} and {@code repair}. */
    static final class UnknownMode extends IllegalArgumentException {
        UnknownMode(String given) {
            super(given.isEmpty() ? "expected bootstrap or repair" : "expected bootstrap or repair, got '" + given + "'");
        }
    }
}
