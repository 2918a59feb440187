package io.streamrec.cli;

import io.streamrec.evaluation.Evaluation;
import io.streamrec.job.CommandArgs;

/**
 * {@code bin/streamrec evaluate}: offline evaluation of the real job over a data set, next to
 * baselines. The protocols, baselines, metrics and reports are the {@code evaluation} module's
 * ({@link Evaluation}); this command only hands its flags over.
 */
final class EvaluateCommand {

    private final CommandArgs args;

    EvaluateCommand(CommandArgs args) {
        this.args = args;
    }

    int run() throws Exception {
        return Evaluation.run(args);
    }
}
