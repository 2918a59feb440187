package io.streamrec.operators.user;

import io.streamrec.operators.evaluation.OnlineEvaluation;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.records.OnlineHit;
import io.streamrec.operators.records.UserList;
import io.streamrec.operators.state.UserState;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

import java.util.List;

/**
 * The UserWorker's scoring of due refreshes: users wait in the {@link RefreshBatch} until it is full
 * or until the task thread is free again (a timer at "now" runs after the mails already queued, so
 * the refreshes due together are scored together), and at every barrier. Emits the lists and keeps
 * each as the user's last list; records the time spent with the {@link RefreshPacer} and the
 * refresh lags with the metrics. With {@code recs.categories} a user's category lists are scored
 * and emitted with their list, and their items are remembered as hashes ({@link
 * UserState#categoryListItems}).
 */
final class ListScoring {

    private final RefreshBatch batch;
    private final RefreshPacer pacer;
    private final UserWorkerMetrics metrics;
    private final ProcessingTimeService time;
    private final ItemCache cache;
    private final int batchSize;
    private final KeyContext keys;
    private final ValueState<UserState> users;
    private final Output<StreamRecord<UserList>> output;
    private boolean flushScheduled;

    ListScoring(RefreshBatch batch, RefreshPacer pacer, UserWorkerMetrics metrics, ProcessingTimeService time,
                ItemCache cache, int batchSize, KeyContext keys, ValueState<UserState> users,
                Output<StreamRecord<UserList>> output) {
        this.batch = batch;
        this.pacer = pacer;
        this.metrics = metrics;
        this.time = time;
        this.cache = cache;
        this.batchSize = batchSize;
        this.keys = keys;
        this.users = users;
        this.output = output;
    }

    /** Adds a due user (state {@code s}, already with the list's version) to the batch. */
    void add(String user, UserState s) throws Exception {
        batch.add(user, s);
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

    /**
     * Drops a user's waiting refresh and emits the deletion of their list and category lists, with
     * {@code version} (the next one, so no earlier list overwrites it).
     */
    void delete(String user, long version, long now) {
        batch.remove(user);
        output.collect(new StreamRecord<>(UserList.forgotten(user, version, now)));
        for (String category : cache.catalog().categories()) {
            output.collect(new StreamRecord<>(UserList.forgotten(user, category, version, now)));
        }
    }

    private static int[] appendHashes(int[] hashes, String[] items) {
        int from = hashes == null ? 0 : hashes.length;
        int[] out = hashes == null ? new int[items.length] : java.util.Arrays.copyOf(hashes, from + items.length);
        for (int k = 0; k < items.length; k++) {
            out[from + k] = items[k].hashCode();
        }
        return out;
    }

    /**
     * The test-then-learn measurement of {@code event} against the user's list ({@link
     * RefreshBatch#onlineRank}), to {@link UserWorker#ONLINE_EVALUATION} and the metrics.
     */
    void measure(OnlineEvaluation mode, UserState s, Interaction event) {
        int[] ranked = batch.onlineRank(mode, s, event.item, cache);
        if (ranked != null) {
            OnlineHit hit = new OnlineHit(event.user, event.item, event.ts, ranked[0], ranked[1]);
            metrics.measured(hit);
            output.collect(UserWorker.ONLINE_EVALUATION, new StreamRecord<>(hit));
        }
    }

    /** Releases the kernel's resources (an index builder thread). */
    void close() throws Exception {
        batch.close();
    }

    /** Scores every waiting user and emits their lists. */
    void scoreNow() throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        long[] requested = batch.requestTimes();
        long started = System.nanoTime();
        int scoredUsers = batch.size();
        List<UserList> lists = batch.score(cache.matrix(), cache.catalog(), time.getCurrentProcessingTime());
        long scored = time.getCurrentProcessingTime();
        long elapsedNanos = System.nanoTime() - started;
        pacer.recordScoring(scored, elapsedNanos / 1e6);
        metrics.usersScored.inc(scoredUsers);
        metrics.scoringMicros.inc(elapsedNanos / 1000);
        metrics.refreshed(requested, scored);
        // the lists' users are not the current key: switch to each to remember its list
        Object previousKey = keys.getCurrentKey();
        for (int i = 0; i < lists.size(); ) {
            UserList list = lists.get(i++); // the user's list, then their category lists
            output.collect(new StreamRecord<>(list));
            metrics.listsEmitted.inc();
            int[] categoryItems = null;
            while (i < lists.size() && lists.get(i).category != null) {
                UserList inCategory = lists.get(i++);
                output.collect(new StreamRecord<>(inCategory));
                categoryItems = appendHashes(categoryItems, inCategory.items);
            }
            keys.setCurrentKey(list.user);
            UserState s = users.value();
            if (s != null) {
                s.lastList = list.items;
                s.categoryListItems = categoryItems;
                users.update(s);
            }
        }
        if (previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
    }
}
