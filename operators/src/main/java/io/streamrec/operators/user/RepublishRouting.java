package io.streamrec.operators.user;

import io.streamrec.operators.records.ItemDelta;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The republish requests a UserWorker subtask passes on, and how they reach every ItemServer
 * subtask: the gradient topic is keyed by item, so
 * the UserWorker that receives the request sends one marker per key group, each under a key that
 * falls into that group. Whatever the ItemServer's parallelism, every subtask owns at least one key
 * group and so receives the request (the job gives all keyed operators the same max parallelism).
 */
public final class RepublishRouting {

    private static final ConcurrentHashMap<Integer, List<String>> KEYS = new ConcurrentHashMap<>();

    /** Requests received since the last barrier (not state: a replay after a failure brings them again). */
    private final List<String> pending = new ArrayList<>();
    /** The request acted on last (each ItemServer subtask forwards it, so it comes several times). */
    private String lastActedOn;

    /** A request read from the input, to go out with the next barrier's deltas. */
    void request(String requestId) {
        pending.add(requestId);
    }

    /** The markers of the requests since the last barrier, which are then cleared. */
    List<ItemDelta> drain(int dim, int maxParallelism, String origin, long checkpointId, int sender) {
        List<ItemDelta> out = new ArrayList<>();
        for (String request : pending) {
            out.addAll(markers(request, dim, maxParallelism, origin, checkpointId, sender));
        }
        pending.clear();
        return out;
    }

    /** True the first time a request comes back from the ItemServers (act on it), false for its copies. */
    boolean firstTime(String requestId) {
        if (requestId.equals(lastActedOn)) {
            return false;
        }
        lastActedOn = requestId;
        return true;
    }

    /** One marker per key group of {@code maxParallelism}, stamped like the deltas of the same barrier. */
    public static List<ItemDelta> markers(String requestId, int dim, int maxParallelism,
                                   String origin, long checkpointId, int sender) {
        List<ItemDelta> markers = new ArrayList<>();
        for (String key : keysCoveringKeyGroups(maxParallelism)) {
            ItemDelta d = ItemDelta.republishMarker(key, dim, requestId);
            d.origin = origin;
            d.checkpointId = checkpointId;
            d.sender = sender;
            markers.add(d);
        }
        return markers;
    }

    /** For each key group 0..maxParallelism−1 a key that Flink assigns to it, in group order. */
    public static List<String> keysCoveringKeyGroups(int maxParallelism) {
        return KEYS.computeIfAbsent(maxParallelism, m -> {
            String[] byGroup = new String[m];
            int found = 0;
            for (long n = 0; found < m; n++) {
                String key = "_republish#" + n;
                int group = KeyGroupRangeAssignment.assignToKeyGroup(key, m);
                if (byGroup[group] == null) {
                    byGroup[group] = key;
                    found++;
                }
            }
            return List.of(byGroup);
        });
    }
}
