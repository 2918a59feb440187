package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.cli.cluster.ClusterCommands;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/streamrec backfill bootstrap|repair}: backfill by replay on the cluster of
 * {@code bin/streamrec cluster start}, or on any cluster ({@code -- --rest URL} and explicit
 * {@code --kafka.bootstrap} / {@code --redis.url} job options). docs/OPERATIONS.md explains both
 * workflows; each step is one of the plain commands ({@code produce}, {@code submit},
 * {@code stop --savepoint --when-caught-up}, {@code export-model}, {@code bootstrap}), run in this
 * process. Savepoint paths are the ones the Flink REST API reports for the stop it was asked for.
 *
 * <p>A replay never shares the Kafka identities of the live job or of an earlier pass: each pass
 * has its own consumer group, transactional-id prefix and gradient topic, named after the run
 * ({@link #loopOptions}), so neither sees the other's gradients.
 */
final class BackfillCommand {

    static final String USAGE = String.join("\n",
            "  backfill bootstrap (--file HISTORY.jsonl | --topic TOPIC) [--from EPOCH_MS] [--passes N]",
            "           [--prefix bf:] [--parallelism 4] [--name NAME] [-- job options...]",
            "      Replays a history through the job (N passes, default " + io.streamrec.operators.model.ModelConfig.HISTORY_PASSES
                    + ") into a separate Redis prefix (or database, with",
            "      -- --redis.url redis://host:port/1), stops with a savepoint once the history is read, and",
            "      writes a model-only savepoint the live job starts from (printed at the end).",
            "  backfill repair --savepoint SAVEPOINT_AT_T (--since T_EPOCH_MS | --direct) [--prefix shadow:]",
            "           [--parallelism 2] [--name NAME] [-- job options, e.g. --model.learning-rate 0.03]",
            "      Starts a shadow job from the model of a savepoint taken at T, re-reading the live topic from",
            "      T (--kafka.start timestamp:T) with its own gradient loop, into a shadow Redis prefix. With",
            "      --direct it restores the savepoint itself instead (its Kafka offsets are T, exactly; all",
            "      state kept; the topics must stay the same). Either, as a new run, writes every list of the",
            "      savepoint at its restore (recs.refresh-on-restore NEW_RUN, the default).");

    private final Path home;
    private final BackfillFlags flags;
    private final Path work;

    private BackfillCommand(Path home, BackfillFlags flags) {
        this.home = home;
        this.flags = flags;
        this.work = home.resolve(".streamrec").resolve("backfill").resolve(flags.name());
    }

    static int run(Path home, List<String> argv) throws Exception {
        BackfillFlags flags;
        try {
            flags = BackfillFlags.parse(argv, LocalDateTime.now());
        } catch (BackfillFlags.UnknownMode e) {
            System.out.println("usage: bin/streamrec backfill bootstrap|repair ...\n\n" + USAGE);
            return 2;
        }
        BackfillCommand command = new BackfillCommand(home, flags);
        try {
            Files.createDirectories(command.work);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + command.work, e);
        }
        return flags.isBootstrap() ? command.bootstrap() : command.repair();
    }

    private int bootstrap() throws Exception {
        String topic = flags.topic();
        if (flags.file() != null) {
            topic = historyTopic(flags);
            log("loading " + flags.file() + " into topic " + topic);
            // produce finds the local cluster's Kafka itself and checks the history against the job's
            // rules: it gets the replay's --input.* and --kafka.bootstrap options too
            List<String> produce = new ArrayList<>(List.of("--file", flags.file(), "--format", "json", "--topic", topic));
            produce.addAll(flags.produceOptions());
            flags.jobOption("state-dir").ifPresent(dir -> produce.addAll(List.of("--state-dir", dir)));
            ProduceCommand.run(home, CommandArgs.parse(produce));
        }
        String current = null;
        for (int pass = 1; pass <= flags.passes(); pass++) {
            log("pass " + pass + "/" + flags.passes() + ": " + topic + " from " + kafkaStart(flags) + " into Redis prefix "
                    + flags.prefix());
            String jobId = ClusterCommands.submitJob(home, bootstrapSubmit(flags, topic, pass, current)).jobId();
            String savepoint = ClusterCommands.stopJob(home, stopArguments(flags, jobId))
                    .orElseThrow(() -> new IllegalStateException("the stop of job " + jobId + " reported no savepoint"));
            log("pass " + pass + " done: " + savepoint);
            // the next pass (and the live job) start from the model alone
            current = modelOnly(savepoint, "pass-" + pass);
        }
        log("model-only savepoint for the live job: " + current);
        System.out.println();
        System.out.println("Start the live job from it (new Redis prefix or database; the topic from now on):");
        System.out.println("  bin/streamrec submit --from-savepoint " + current
                + " --kafka.start latest --redis.prefix live: [--parallelism N]");
        return 0;
    }

    private int repair() throws Exception {
        if (flags.direct()) {
            // the savepoint's own source offsets are the rewind to T; its gradients stay tagged with the
            // live run, so the shadow never applies what the live job committed after T
            log("shadow job restoring " + flags.savepoint() + ", Redis prefix " + flags.prefix());
            ClusterCommands.submitJob(home, repairSubmit(flags, flags.savepoint()));
        } else {
            String model = modelOnly(flags.savepoint(), "model-at-T");
            log("shadow job from " + model + ", live topic from timestamp " + flags.since() + ", Redis prefix "
                    + flags.prefix());
            ClusterCommands.submitJob(home, repairSubmit(flags, model));
        }
        System.out.println();
        System.out.println("Compare " + flags.prefix() + "_metrics with the live prefix's _metrics (and lists) in Redis; "
                + "then switch readers to");
        System.out.println(flags.prefix() + ", or stop the live job and keep the shadow (docs/OPERATIONS.md, "
                + "'Repair or re-train').");
        return 0;
    }

    /**
     * Exports the model of a savepoint and writes a model-only savepoint from it (no Kafka offsets,
     * no dedup state: the next job reads its topics from where {@code --kafka.start} says); returns
     * the new savepoint's path.
     */
    private String modelOnly(String savepoint, String tag) throws Exception {
        Path dir = work.resolve(tag).toAbsolutePath();
        ExportModelCommand.run(home, CommandArgs.parse(List.of("--savepoint", savepoint, "--out", dir.resolve("factors").toString())));
        BootstrapCommand.run(CommandArgs.parse(List.of("--factors", dir.resolve("factors").toString(),
                "--out", dir.resolve("savepoint").toString())));
        return "file:" + dir.resolve("savepoint");
    }

    private void log(String message) {
        System.out.println("backfill [" + flags.name() + "] " + message);
    }

    // ------------------------------------------------------------------ the arguments of each step

    static String historyTopic(BackfillFlags flags) {
        return flags.file() != null ? flags.name() + "-history" : flags.topic();
    }

    static String kafkaStart(BackfillFlags flags) {
        return flags.from() == null ? "earliest" : "timestamp:" + flags.from();
    }

    /**
     * The Kafka identities of one pass ({@code tag}): its own consumer group, transactional ids and
     * gradient loop; one dead-letter topic for the whole run.
     */
    static List<String> loopOptions(BackfillFlags flags, String tag) {
        String run = flags.name() + "-" + tag;
        return List.of("--kafka.group", run, "--kafka.transactional-id-prefix", run,
                "--kafka.topic.gradients", run + "-gradients", "--kafka.topic.dead-letters", flags.name() + "-dlq");
    }

    /** {@code submit} of bootstrap pass {@code pass}, from the previous pass's model ({@code from}, null for the first). */
    static List<String> bootstrapSubmit(BackfillFlags flags, String topic, int pass, String from) {
        List<String> args = new ArrayList<>(List.of("--parallelism", String.valueOf(flags.parallelism())));
        if (from != null) {
            args.addAll(List.of("--from-savepoint", from));
        }
        args.addAll(List.of("--kafka.topic.interactions", topic, "--kafka.start", kafkaStart(flags)));
        args.addAll(loopOptions(flags, "p" + pass));
        args.addAll(List.of("--redis.prefix", flags.prefix()));
        args.addAll(flags.jobOptions());
        return args;
    }

    /**
     * {@code submit} of the shadow job: with {@code --direct} it restores the savepoint itself and keeps
     * the topics (only group and transactional ids are its own); else it starts from {@code model}, the
     * live topic from T, with its own loop. Both refresh every restored user's list.
     */
    static List<String> repairSubmit(BackfillFlags flags, String model) {
        List<String> args = new ArrayList<>(List.of("--parallelism", String.valueOf(flags.parallelism()),
                "--from-savepoint", model));
        if (flags.direct()) {
            String shadow = flags.name() + "-shadow";
            args.addAll(List.of("--kafka.group", shadow, "--kafka.transactional-id-prefix", shadow));
        } else {
            args.addAll(List.of("--kafka.start", "timestamp:" + flags.since()));
            args.addAll(loopOptions(flags, "shadow"));
        }
        args.addAll(List.of("--redis.prefix", flags.prefix()));
        args.addAll(flags.jobOptions());
        return args;
    }

    /**
     * {@code stop --savepoint --when-caught-up} of the job this run submitted, on the same cluster
     * ({@code --rest}, {@code --state-dir} of the job options).
     */
    static List<String> stopArguments(BackfillFlags flags, String jobId) {
        List<String> args = new ArrayList<>(List.of("--savepoint", "--when-caught-up", "--job", jobId));
        for (String key : List.of("rest", "state-dir")) {
            flags.jobOption(key).ifPresent(v -> args.addAll(List.of("--" + key, v)));
        }
        return args;
    }
}
