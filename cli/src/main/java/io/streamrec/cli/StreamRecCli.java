package io.streamrec.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code bin/streamrec}: {@code demo}, {@code recs USER}, {@code produce}.
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
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help")) {
            System.out.println(usage());
            return;
        }
        String command = args.get(0);
        List<String> rest = new ArrayList<>(args.subList(1, args.size()));
        int status;
        try {
            switch (command) {
                case "demo":
                    status = new DemoCommand(home, CliArgs.parse(rest)).run();
                    break;
                case "recs":
                    status = RecsCommand.run(CliArgs.parse(rest));
                    break;
                case "evaluate":
                    status = new EvaluateCommand(CliArgs.parse(rest)).run();
                    break;
                case "produce":
                    status = ProduceCommand.run(CliArgs.parse(rest));
                    break;
                case "cluster": status = io.streamrec.cli.cluster.ClusterCommands.cluster(home, rest); break;
                case "submit": status = io.streamrec.cli.cluster.ClusterCommands.submit(home, rest); break;
                case "savepoint": status = io.streamrec.cli.cluster.ClusterCommands.savepoint(home, rest); break;
                case "stop": status = io.streamrec.cli.cluster.ClusterCommands.stop(home, rest); break;
                case "export-model": status = ExportModelCommand.run(CliArgs.parse(rest)); break;
                case "bootstrap": status = BootstrapCommand.run(CliArgs.parse(rest)); break;
                default:
                    System.err.println("unknown command '" + command + "'\n\n" + usage());
                    status = 2;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("streamrec " + command + ": " + e.getMessage());
            status = 2;
        }
        System.exit(status);
    }

    static String usage() {
        return String.join("\n",
                "usage: bin/streamrec <command> [options]",
                "",
                "  demo [--events N] [--rate EVENTS_PER_S] [--users U] [--items I] [--movielens PATH]",
                "       [--kafka.bootstrap HOST:PORT] [--redis.url URL] [--parallelism P] [job options...]",
                "      Runs the job on a local Flink mini cluster (web UI printed at start) against a local Kafka",
                "      broker and Redis server started for you (or the ones given), streams generated",
                "      interactions (or a MovieLens file) into Kafka and shows progress. With --events N it",
                "      stops once N events are processed and visible in Redis, and prints a summary.",
                "  recs USER [--redis.url URL] [--redis.prefix rec:]",
                "      Prints USER's list from Redis (or the popular list when USER has none).",
                "  produce --file PATH --format movielens|json [--kafka.bootstrap HOST:PORT] [--topic interactions]",
                "      Loads a file of interactions into the topic.",
                "  evaluate --dataset movielens:PATH|json:PATH [--protocol holdout|prequential] [--seeds 5] [--passes P]",
                "       [--out DIR] [--validation true] [--min-rating 5] [--limit N] [job options...]",
                "      Runs the real job on a local mini cluster over the data set and reports quality (P@10, R@10,",
                "      nDCG@10, MAP or prequential HR@10, nDCG@10) next to popular and random baselines (docs/QUALITY.md).",
                "  cluster start|stop|status [--taskmanagers 2] [--rest-port 8081] [--kafka.bootstrap B --redis.url U]",
                "      A Flink standalone cluster (1 JobManager, 2 TaskManagers) plus local Kafka and Redis: docs/OPERATIONS.md.",
                "  submit [--parallelism N] [--from-savepoint PATH|last] [--allow-non-restored-state] [job options...]",
                "  savepoint [--job ID] [--dir DIR]        stop --savepoint [DIR] [--job ID] | stop --cancel",
                "  export-model --savepoint PATH --out DIR    users.csv, items.csv, metadata.json (docs/MODEL_EXPORT.md)",
                "  bootstrap --factors DIR --out SAVEPOINT [--max-parallelism 128]    a savepoint from such files",
                "",
                "Job options: see README.md (\"Options\").");
    }
}
