package io.streamrec.sinks.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps, per key, only the writes that can still matter, in the order they must be applied: the
 * newest write (equal versions keep the first, as the Lua guard in Redis does), preceded by the
 * first deletion of the key when a write follows a deletion (a deleted key starts again, whatever
 * the new write's version, so both must reach Redis, deletion first). Used by the writer between
 * checkpoints and by the committer across the checkpoints it commits at once. Not thread-safe.
 */
final class WriteCoalescer {

    private final Map<String, VersionedWrite> newest = new LinkedHashMap<>();
    private final Map<String, VersionedWrite> deletionsFirst = new LinkedHashMap<>();

    /** Adds a write; returns true when it replaced or dropped an earlier one of the same key. */
    boolean add(VersionedWrite write) {
        VersionedWrite previous = newest.putIfAbsent(write.key(), write);
        if (previous == null) {
            return false;
        }
        if (previous.isDeletion() && !write.isDeletion()) {
            // the first deletion is the one that meets what Redis holds now
            deletionsFirst.putIfAbsent(write.key(), previous);
            newest.put(write.key(), write);
        } else if (write.version() > previous.version()) {
            newest.put(write.key(), write);
        }
        return true;
    }

    /** Keys with a write waiting. */
    int size() {
        return newest.size();
    }

    /** The writes to apply, in order, and forgets them. */
    List<VersionedWrite> drain() {
        List<VersionedWrite> out = new ArrayList<>(deletionsFirst.size() + newest.size());
        out.addAll(deletionsFirst.values());
        out.addAll(newest.values());
        deletionsFirst.clear();
        newest.clear();
        return out;
    }
}
