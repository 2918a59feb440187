package io.streamrec.operators;

import io.streamrec.operators.records.UserList;
import io.streamrec.operators.state.UserState;
import io.streamrec.operators.user.ItemCache;
import io.streamrec.operators.user.RefreshBatch;
import io.streamrec.operators.user.RefreshPacer;

import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

import java.util.List;

/**
 * The UserWorker's scoring of due refreshes: users wait in the {@link RefreshBatch} until it is full
 * or until the task thread is free again (a timer at "now" runs after the mails already queued, so
 * the refreshes due together are scored together), and at every barrier. Records the time spent
 * with the {@link RefreshPacer} and the refresh lags with the metrics.
 */
final class ListScoring {

    /** Receives each scored list, with the operator's key free to change. */
    interface Emitter {
        void emit(UserList list) throws Exception;
    }

    private final RefreshBatch batch;
    private final RefreshPacer pacer;
    private final UserWorkerMetrics metrics;
    private final ProcessingTimeService time;
    private final ItemCache cache;
    private final int batchSize;
    private final Emitter emitter;
    private boolean flushScheduled;

    ListScoring(RefreshBatch batch, RefreshPacer pacer, UserWorkerMetrics metrics, ProcessingTimeService time,
                ItemCache cache, int batchSize, Emitter emitter) {
        this.batch = batch;
        this.pacer = pacer;
        this.metrics = metrics;
        this.time = time;
        this.cache = cache;
        this.batchSize = batchSize;
        this.emitter = emitter;
    }

    /** Adds a due user (state {@code s}, already with the list's version) to the batch. */
    void add(String user, UserState s) throws Exception {
        batch.add(user, s, cache.rowsOf(s.seen));
        if (batch.size() >= batchSize) {
            scoreNow();
        } else if (!flushScheduled) {
            flushScheduled = true;
            time.registerTimer(time.getCurrentProcessingTime(), t -> {
                flushScheduled = false;
                scoreNow();
            });
        }
    }

    /** Drops a user's waiting refresh (the user is being deleted). */
    void remove(String user) {
        batch.remove(user);
    }

    /** The item's rank for the online evaluation ({@link RefreshBatch#onlineRank}), or null. */
    int[] onlineRank(OnlineEvaluation mode, UserState s, String item) {
        return batch.onlineRank(mode, s, item, cache);
    }

    /** Scores every waiting user and emits their lists. */
    void scoreNow() throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        long[] requested = batch.requestTimes();
        long started = System.nanoTime();
        List<UserList> lists = batch.score(cache.matrix(), time.getCurrentProcessingTime());
        long scored = time.getCurrentProcessingTime();
        pacer.recordScoring(scored, (System.nanoTime() - started) / 1e6);
        metrics.refreshed(requested, scored);
        for (UserList list : lists) {
            emitter.emit(list);
            metrics.listsEmitted.inc();
        }
    }
}
