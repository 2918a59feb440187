package io.streamrec.operators.user;

import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.state.SavepointLayout;
import io.streamrec.operators.state.UserState;

import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.KeyContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Retiring and un-retiring items on the UserWorker side. A {@code retire} or {@code unretire}
 * control record becomes a marker that goes with the next barrier's deltas through the gradient
 * topic to the item's ItemServer (the owner of the flag, so it is exactly-once and survives
 * restarts); the ItemServer broadcasts the retirement to every UserWorker subtask, whose cache drops
 * the item ({@link ItemCache}) and which then refreshes, at the next refresh interval, every user
 * whose last list holds it ({@link #refreshListsWith}). Un-retiring brings the vector back through
 * an ordinary broadcast. Not thread-safe.
 */
final class Retirements {

    private record Request(String item, boolean retire) {}

    /** Requests since the last barrier (not state: a replay after a failure reads the records again). */
    private final List<Request> pending = new ArrayList<>();

    /** A control record read from the input. */
    void request(String item, boolean retire) {
        pending.add(new Request(item, retire));
    }

    /** The markers of the requests since the last barrier, stamped like that barrier's deltas; then cleared. */
    List<ItemDelta> drain(int dim, String origin, long checkpointId, int sender) {
        List<ItemDelta> out = new ArrayList<>(pending.size());
        for (Request r : pending) {
            ItemDelta d = ItemDelta.retirementMarker(r.item(), dim, r.retire());
            d.origin = origin;
            d.checkpointId = checkpointId;
            d.sender = sender;
            out.add(d);
        }
        pending.clear();
        return out;
    }

    /**
     * Asks for a refresh of every user of this subtask whose last list holds {@code item}: one pass
     * over the subtask's users per retired item. Returns how many were asked.
     */
    static long refreshListsWith(String item, KeyedStateBackend<String> backend, KeyContext keys, UserTimers timers,
                                 long now) throws Exception {
        Object previousKey = keys.getCurrentKey();
        long[] asked = {0};
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                SavepointLayout.userState(), (user, state) -> {
                    UserState s = state.value();
                    if (s != null && s.lastList != null && SeenItems.indexOf(s.lastList, item) >= 0) {
                        timers.requestRefresh(s, now);
                        state.update(s);
                        asked[0]++;
                    }
                });
        if (previousKey != null) {
            keys.setCurrentKey(previousKey);
        }
        return asked[0];
    }
}
