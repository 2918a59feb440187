package io.streamrec.operators.evaluation;

/** How the UserWorker measures its own quality on the incoming stream (test-then-learn). */
public enum OnlineEvaluation {
    /** No measurement. */
    OFF,
    /**
     * Against the last list emitted for the user, i.e. what an application read from Redis. Free:
     * the list is kept in the user's state. The default in production.
     */
    LAST_LIST,
    /**
     * Against a top-N computed from the current model right before learning (the prequential
     * protocol). Costs one scoring pass over all items per interaction: for evaluation runs.
     */
    EXACT
}
