package io.streamrec.evaluation;

import io.streamrec.evaluation.data.Dataset;
import io.streamrec.evaluation.report.EvaluationReport;
import io.streamrec.job.CommandArgs;
import io.streamrec.testkit.Interaction;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

/**
 * {@code bin/streamrec evaluate}: measures recommendation quality by running the real job graph
 * (the production operators, on a local mini cluster at parallelism 1, with an embedded Kafka
 * broker and a Redis server) over a data set, and compares it with baselines on the same data:
 * {@link HoldoutProtocol} or {@link PrequentialProtocol}, flags in {@link EvaluationSettings}, the
 * job driven by {@link EvaluationJob}, files written by {@link EvaluationReport}
 * (docs/QUALITY.md).
 */
public final class Evaluation {

    /** Length of the lists evaluated. */
    public static final int K = 10;

    private Evaluation() {}

    /** Runs one evaluation with the flags of {@code args} (the rest are job options); returns the exit status. */
    public static int run(CommandArgs args) throws Exception {
        EvaluationSettings s = EvaluationSettings.parse(args);
        Dataset dataset = Dataset.load(s.dataset).head(s.limit);
        int catalogue = (int) dataset.events().stream().map(Interaction::item).distinct().count();
        if (s.minRating != null) {
            dataset = dataset.minRating(s.minRating);
        }
        if (dataset.events().size() < 10) {
            throw new IllegalArgumentException("--dataset has only " + dataset.events().size() + " events");
        }
        String refreshType = s.holdout() ? EvaluationJob.refreshType(dataset.events()) : null;
        // timestamps before 2000 are rejected by the job's input validation: move old data sets forward
        dataset = dataset.placedBetween(s.notBefore, System.currentTimeMillis());
        System.out.printf("evaluate: %s, %,d events, protocol %s%n", dataset.spec(), dataset.events().size(), s.protocol);

        long start = System.currentTimeMillis();
        ObjectNode results;
        try (LocalStack stack = LocalStack.start()) {
            EvaluationJob job = new EvaluationJob(stack, s, refreshType);
            results = s.holdout() ? new HoldoutProtocol(s, job, catalogue).run(dataset)
                    : new PrequentialProtocol(s, job, catalogue).run(dataset);
        }
        results.put("seconds", (System.currentTimeMillis() - start) / 1000.0);
        if (s.out != null) {
            EvaluationReport.write(Path.of(s.out), results);
        }
        return 0;
    }
}
