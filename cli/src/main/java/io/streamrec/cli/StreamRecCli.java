package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.cli.chaos.ChaosCommand;
import io.streamrec.cli.cluster.ClusterCommands;
import io.streamrec.cli.cluster.FlinkRestClient;
import io.streamrec.cli.compare.CompareCommand;
import io.streamrec.cli.compare.PromoteCommand;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code bin/streamrec}: {@code demo}, {@code bench}, {@code recs USER}, {@code similar ITEM}, {@code produce}, {@code status},
 * {@code republish}, {@code retire}, {@code ui}, the cluster commands, {@code evaluate}, {@code export-model},
 * {@code bootstrap}, {@code backfill}, {@code chaos}, {@code compare} and {@code promote}. Commands that
 * talk to Kafka, Redis or Flink use the running local cluster's addresses unless given others
 * ({@link io.streamrec.cli.cluster.Endpoints}).
 * Job options ({@code --kafka.bootstrap}, {@code --redis.url}, {@code --model.dimension}, ...)
 * are passed through to the job; each command documents its own flags in {@link #usage()}.
 */
public final class StreamRecCli {

    private StreamRecCli() {}

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        Path home = Path.of(".").toAbsolutePath();
        if (args.size() >= 2 && args.get(0).equals("--home")) {
            home = Path.of(args.get(1));
            args = args.subList(2, args.size());
        }
        System.exit(run(home, args));
    }

    /**
     * Runs one command and returns its exit status: 0 done, 1 failed (cluster, Kafka or Redis
     * unreachable, job failed; one sentence on stderr), 2 usage error, 3 {@code status} found
     * something down.
     */
    static int run(Path home, List<String> args) throws Exception {
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help")) {
            System.out.println(usage());
            return 0;
        }
        String command = args.get(0);
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        try {
            switch (command) {
                case "demo":
                    return new DemoCommand(home, CommandArgs.parse(rest)).run();
                case "bench":
                    return new BenchCommand(home, CommandArgs.parse(rest)).run();
                case "recs":
                    return RecsCommand.run(home, CommandArgs.parse(rest));
                case "similar":
                    return SimilarCommand.run(home, CommandArgs.parse(rest));
                case "evaluate":
                    return new EvaluateCommand(CommandArgs.parse(rest)).run();
                case "produce":
                    return ProduceCommand.run(home, CommandArgs.parse(rest));
                case "status": return StatusCommand.run(home, CommandArgs.parse(rest));
                case "republish": return RepublishCommand.run(home, CommandArgs.parse(rest));
                case "retire": return RetireCommand.run(home, CommandArgs.parse(rest));
                case "ui": return UiCommand.run(home, CommandArgs.parse(rest));
                case "cluster": return ClusterCommands.cluster(home, rest);
                case "submit": return ClusterCommands.submit(home, rest);
                case "savepoint": return ClusterCommands.savepoint(home, rest);
                case "stop": return ClusterCommands.stop(home, rest);
                case "export-model": return ExportModelCommand.run(home, CommandArgs.parse(rest));
                case "bootstrap": return BootstrapCommand.run(CommandArgs.parse(rest));
                case "backfill": return BackfillCommand.run(home, rest);
                case "chaos": return ChaosCommand.run(home, rest);
                case "compare": return CompareCommand.run(home, CommandArgs.parse(rest));
                case "promote": return PromoteCommand.run(home, CommandArgs.parse(rest));
                default:
                    System.err.println("unknown command '" + command + "'\n\n" + usage());
                    return 2;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("streamrec " + command + ": " + e.getMessage());
            return 2;
        } catch (IllegalStateException | UncheckedIOException | FlinkRestClient.FlinkRestException e) {
            System.err.println("streamrec " + command + ": " + e.getMessage());
            return 1;
        }
    }

    static String usage() {
        return String.join("\n",
                "usage: bin/streamrec <command> [options]",
                "",
                "  demo [--events N] [--rate EVENTS_PER_S] [--users U] [--items I] [--movielens PATH] [--item-categories K]",
                "       [--kafka.bootstrap HOST:PORT] [--redis.url URL] [--parallelism P] [job options...]",
                "      Runs the job on a local Flink mini cluster (web UI printed at start) against a local Kafka",
                "      broker and Redis server started for you (or the ones given), streams generated",
                "      interactions (or a MovieLens file) into Kafka and shows progress. With --events N it",
                "      stops once N events are processed and visible in Redis, and prints a summary.",
                "  bench --events N [--users 5000] [--items 2000] [--out DIR] [--parallelism 2] [job options, e.g. --recs.index HNSW]",
                "      Pre-loads a fresh topic with N generated events, runs the job over it from the beginning (local",
                "      mini cluster, RocksDB) and reports sustained events/s, event->list p50/p95/p99, checkpoint size",
                "      and duration, TaskManager heap and scoring users/s; --out DIR writes DIR/results.json.",
                "  recs USER [--category C] [--redis.url URL] [--redis.prefix PREFIX] [--base rec:]",
                "      Prints USER's list from Redis (or the popular list when USER has none), by default under the prefix",
                "      applications read: the one the alias key rec:_active names (bin/streamrec promote), else rec:.",
                "      --category C: USER's list of category C (rec:USER:c:C, for the categories of --recs.categories).",
                "  similar ITEM [--redis.url URL] [--redis.prefix PREFIX] [--base rec:]",
                "      Prints ITEM's similar items from Redis (rec:_sim:ITEM: the items that score best for a user with",
                "      ITEM's vector), under the same prefix as recs.",
                "  produce --file PATH --format movielens|json|items [--shift-timestamps] [--force] [--kafka.bootstrap HOST:PORT]",
                "       [--topic interactions] [job options, e.g. --input.min-timestamp 0]",
                "      Checks the records against the job's rules (reports what it would reject), then loads them into",
                "      the topic. --shift-timestamps moves MovieLens' 1990s timestamps so that the newest is now.",
                "      --format items: item metadata ({\"item\":\"i7\",\"categories\":[\"shoes\"],\"available\":false,\"ts\":...}",
                "      a line) into the item topic (kafka.topic.items, default items).",
                "  status [--job ID] [--rest URL] [--kafka.bootstrap B] [--redis.url U]",
                "      One screen for the running job: input rate, rejections by reason, consumer lag, list",
                "      freshness, last checkpoint, Redis.",
                "  republish [--kafka.bootstrap HOST:PORT] [--topic interactions]",
                "      Asks the running job to write every user's list, the popular list and item meta to Redis again",
                "      (after Redis lost its data); the job keeps running.",
                "  retire ITEM [--undo] [--kafka.bootstrap HOST:PORT] [--topic interactions]",
                "      Takes an item out of every list and of the model's scoring (within one refresh interval after",
                "      the next checkpoint); --undo brings it back. The job keeps running.",
                "  ui [--port 8090] [--redis.url U] [--redis.prefix rec:] [--rest URL]",
                "      A web page: search a user's list (scores, version, updated, interactions), the popular list,",
                "      an item's stats, live quality with a chart over time, the job's state and checkpoints.",
                "  evaluate --dataset movielens:PATH|json:PATH [--protocol holdout|prequential] [--seeds 5] [--passes P]",
                "       [--out DIR] [--validation true] [--min-rating 5] [--limit N] [job options...]",
                "      Runs the real job on a local mini cluster over the data set and reports quality (P@10, R@10,",
                "      nDCG@10, MAP or prequential HR@10, nDCG@10) next to popular and random baselines (docs/QUALITY.md).",
                "  cluster start|stop|status [--taskmanagers 2] [--rest-port 8081] [--kafka.bootstrap B --redis.url U]",
                "      A Flink standalone cluster (1 JobManager, 2 TaskManagers) plus local Kafka and Redis: docs/OPERATIONS.md.",
                "  submit [--parallelism N] [--from-savepoint PATH|last] [--allow-non-restored-state] [--candidate NAME] [job options...]",
                "      --candidate NAME: a second deployment next to the live one on the same interactions, with its own Redis",
                "      prefix NAME:, consumer group, transactional ids, gradient and dead-letter topics (README, \"Trying a candidate model\").",
                "  savepoint [--job ID] [--dir DIR]        stop --savepoint [DIR] [--job ID] | stop --cancel",
                "  export-model --savepoint PATH|last --out DIR    users.csv, items.csv, metadata.json (docs/MODEL_EXPORT.md)",
                "  bootstrap --factors DIR --out SAVEPOINT [--max-parallelism 128]    a savepoint from such files",
                BackfillCommand.USAGE,
                ChaosCommand.USAGE,
                CompareCommand.USAGE,
                PromoteCommand.USAGE,
                "",
                "Kafka, Redis and Flink addresses default to those of the running local cluster (bin/streamrec cluster start).",
                "Job options: see README.md (\"Options\").");
    }
}
