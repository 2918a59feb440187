package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.modelexport.ModelBootstrap;
import io.streamrec.modelexport.ModelExport;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code bin/streamrec bootstrap --factors DIR --out SAVEPOINT [--max-parallelism 128]}: a savepoint
 * holding the UserWorker's and the ItemServer's state from factor files (docs/MODEL_EXPORT.md),
 * written by the State Processor API on a local Flink environment in this process.
 */
final class BootstrapCommand {
    private BootstrapCommand() {}

    static int run(CommandArgs args) throws Exception {
        String factors = args.take("factors", null);
        String out = args.take("out", null);
        long maxParallelism = args.takeLong("max-parallelism", StreamRecOptions.MAX_PARALLELISM.defaultValue());
        args.rejectUnknown(Set.of());
        if (factors == null || out == null) {
            throw new IllegalArgumentException("usage: bootstrap --factors DIR --out SAVEPOINT [--max-parallelism 128]");
        }
        String target = Path.of(out).toAbsolutePath().toString();
        quietLocalJobs();
        ModelBootstrap.Summary summary;
        try {
            summary = ModelBootstrap.bootstrap(ModelExport.localEnvironment(),
                    Path.of(factors).toAbsolutePath().toString(), target, (int) maxParallelism);
        } catch (Exception e) {
            throw userError(e);
        }
        System.out.printf("wrote savepoint %s: %d users, %d items, dimension %d, max parallelism %d%n",
                target, summary.users(), summary.items(), summary.dimension(), maxParallelism);
        System.out.printf("start the job from it with --model.dimension %d, for example:%n"
                + "  bin/streamrec submit --from-savepoint %s --model.dimension %d%n",
                summary.dimension(), target, summary.dimension());
        return 0;
    }

    /**
     * The per-job local cluster shuts down as soon as its job ends, after which the result fetcher
     * of {@code executeAndCollect} warns that it "might" have lost data although it reads the rest
     * from the job's final result (checked on 20,000 users: nothing lost); the JobMaster warns that a
     * batch job has no checkpointing. Neither is actionable here.
     */
    static void quietLocalJobs() {
        Configurator.setLevel("org.apache.flink.streaming.api.operators.collect", Level.ERROR);
        Configurator.setLevel("org.apache.flink.runtime.jobmaster.JobMaster", Level.ERROR);
    }

    /**
     * The message a user can act on: a bad file or argument surfaces deep in a job failure's cause
     * chain; anything else is passed on with its stack trace.
     */
    static Exception userError(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof FileNotFoundException
                    || t instanceof java.nio.file.NoSuchFileException) {
                return new IllegalArgumentException(t.getMessage(), e);
            }
        }
        return e;
    }
}
