package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.modelexport.ModelExport;
import io.streamrec.modelexport.ModelMetadata;

import io.streamrec.cli.cluster.ClusterCommands;
import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.cli.cluster.LocalCluster;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bin/streamrec export-model --savepoint PATH --out DIR}: the model in a savepoint as
 * {@code users.csv}, {@code items.csv} and {@code metadata.json} (docs/MODEL_EXPORT.md). Runs the
 * State Processor API on a local Flink environment in this process; the savepoint is only read.
 */
final class ExportModelCommand {
    private ExportModelCommand() {}

    static int run(Path home, CommandArgs args) throws Exception {
        String savepoint = args.take("savepoint", null);
        Optional<String> stateDir = Optional.ofNullable(args.take("state-dir", null));
        if ("last".equals(savepoint)) {
            // the last savepoint a command took on the local cluster
            Path dir = Endpoints.of(home, stateDir).stateDir();
            savepoint = LocalCluster.attach(dir).flatMap(c -> c.remembered(ClusterCommands.LAST_SAVEPOINT))
                    .orElseThrow(() -> new IllegalArgumentException("--savepoint last: no savepoint was taken on the local cluster in "
                            + dir));
            System.out.println("using savepoint " + savepoint + " (the last one taken on the local cluster)");
        }
        String out = args.take("out", null);
        args.rejectUnknown(Set.of());
        if (savepoint == null || out == null) {
            throw new IllegalArgumentException("usage: export-model --savepoint PATH|last --out DIR");
        }
        BootstrapCommand.quietLocalJobs();
        ModelMetadata meta;
        try {
            meta = ModelExport.export(ModelExport.localEnvironment(), savepoint, Path.of(out).toAbsolutePath());
        } catch (Exception e) {
            throw BootstrapCommand.userError(e);
        }
        System.out.printf("exported %d users and %d items (dimension %d, checkpoint %d, max parallelism %d) to %s%n",
                meta.users, meta.items, meta.dimension, meta.savepointCheckpointId, meta.maxParallelism,
                Path.of(out).toAbsolutePath());
        System.out.printf("  interactions: %d over the users, %d over the items%n", meta.userInteractions, meta.itemInteractions);
        return 0;
    }
}
