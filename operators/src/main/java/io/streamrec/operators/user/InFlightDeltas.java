package io.streamrec.operators.user;

import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemDeltaSerde;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A UserWorker subtask's item deltas that were sent to the ItemServers and are not confirmed yet
 * ({@link ItemCache}), kept two ways: per item, for adding them to the ItemServers' broadcasts, and
 * per checkpoint that sent them (a flight), for the checkpoint of the operator.
 *
 * <p><b>Why flights.</b> At a million users every event's negatives touch items all over the
 * catalogue, and about 130k deltas per subtask are in flight at any time, each in two or three
 * checkpoints before it is confirmed. Building the list of all of them and copying each one's bytes
 * into chunks at every checkpoint, and sweeping every item's list at every flush for deltas too old
 * to wait for, were 20% of the UserWorker's thread in a profile. Now a flight is encoded into chunks
 * once, at its first checkpoint ({@link ItemDeltaSerde#chunks}); later checkpoints write the same
 * chunks again with a bit set of the deltas confirmed (or dropped) since, which the restore skips.
 * So a restore gets exactly the deltas that were unconfirmed at its checkpoint, as before. A flight
 * leaves when all of its deltas are done; deltas that wait longer than {@link #MAX_CHECKPOINTS}
 * checkpoints (refused by the ItemServer) are dropped with their flight.
 *
 * <p><b>Layout.</b> One raw operator state partition per chunk: {@link #WITH_DONE_SET} (int), the
 * chunk's length (int) and bytes, then the length (int) and bytes of {@link BitSet#toByteArray} of
 * the done positions in the chunk. Releases before this one wrote the length and the chunk only
 * (read as nothing done). Not thread-safe.
 */
final class InFlightDeltas {

    /** A delta never confirmed (refused by the ItemServer) is dropped after this many checkpoints. */
    static final int MAX_CHECKPOINTS = 10;
    /** First int of a partition in this layout; a chunk's length, in the layout before, is positive. */
    static final int WITH_DONE_SET = -1;

    /** One delta in flight: where it sits in its flight. */
    static final class Entry {
        final ItemDelta delta;
        final Flight flight;
        final int position;
        /** Restored from a checkpoint and not yet confirmed or refuted by an ItemServer update. */
        boolean restored;

        Entry(ItemDelta delta, Flight flight, int position) {
            this.delta = delta;
            this.flight = flight;
            this.position = position;
        }
    }

    /** The deltas one checkpoint sent, in the order sent; their chunks once written. */
    static final class Flight {
        final long checkpointId;
        final ItemDelta[] deltas;
        final BitSet done = new BitSet();
        int open;
        List<byte[]> chunks;

        Flight(long checkpointId, ItemDelta[] deltas) {
            this.checkpointId = checkpointId;
            this.deltas = deltas;
            this.open = deltas.length;
        }
    }

    private final Map<String, List<Entry>> byItem = new HashMap<>();
    private final List<Flight> flights = new ArrayList<>();
    // written by the task thread only; volatile so that a metric gauge may read it
    private volatile long expired;

    /**
     * The deltas sent before barrier {@code checkpointId} (all with that checkpoint id) join, and the
     * deltas of flights more than {@link #MAX_CHECKPOINTS} checkpoints older leave.
     */
    void sent(long checkpointId, List<ItemDelta> deltas) {
        if (!deltas.isEmpty()) {
            add(checkpointId, deltas, false);
        }
        for (Iterator<Flight> it = flights.iterator(); it.hasNext(); ) {
            Flight f = it.next();
            if (f.checkpointId < checkpointId - MAX_CHECKPOINTS) {
                expired += f.open;
                for (int i = f.done.nextClearBit(0); i < f.deltas.length; i = f.done.nextClearBit(i + 1)) {
                    List<Entry> list = byItem.get(f.deltas[i].item);
                    if (list != null) {
                        list.removeIf(e -> e.flight == f);
                        if (list.isEmpty()) {
                            byItem.remove(f.deltas[i].item);
                        }
                    }
                }
                it.remove();
            }
        }
    }

    /** Restored deltas, grouped into flights by their checkpoint id; each is marked {@link Entry#restored}. */
    void restore(List<ItemDelta> deltas) {
        Map<Long, List<ItemDelta>> byCheckpoint = new java.util.TreeMap<>();
        for (ItemDelta d : deltas) {
            byCheckpoint.computeIfAbsent(d.checkpointId, c -> new ArrayList<>()).add(d);
        }
        byCheckpoint.forEach((checkpoint, list) -> add(checkpoint, list, true));
    }

    private void add(long checkpointId, List<ItemDelta> deltas, boolean restored) {
        Flight f = new Flight(checkpointId, deltas.toArray(new ItemDelta[0]));
        flights.add(f);
        for (int i = 0; i < f.deltas.length; i++) {
            Entry e = new Entry(f.deltas[i], f, i);
            e.restored = restored;
            byItem.computeIfAbsent(e.delta.item, k -> new ArrayList<>(2)).add(e);
        }
    }

    /** The item's deltas in flight, oldest first, or null. The list is live: change it only here. */
    List<Entry> of(String item) {
        return byItem.get(item);
    }

    /**
     * Removes the item's deltas that {@code done} selects (confirmed, or to be left out); returns
     * those that remain (the live list), or null when none do.
     */
    List<Entry> finish(String item, Predicate<Entry> done) {
        List<Entry> list = byItem.get(item);
        return list == null ? null : finish(item, list, done);
    }

    /** {@link #finish(String, Predicate)} of the item's live list {@code list} (from {@link #of}). */
    List<Entry> finish(String item, List<Entry> list, Predicate<Entry> done) {
        list.removeIf(e -> {
            if (done.test(e)) {
                markDone(e);
                return true;
            }
            return false;
        });
        if (list.isEmpty()) {
            byItem.remove(item);
            return null;
        }
        return list;
    }

    /** Drops every delta of the item (it left the model). */
    void drop(String item) {
        finish(item, e -> true);
    }

    /** The restored deltas are now ordinary in-flight deltas (every ItemServer has re-sent its items). */
    void resolveRestored() {
        for (List<Entry> list : byItem.values()) {
            for (Entry e : list) {
                e.restored = false;
            }
        }
    }

    private void markDone(Entry e) {
        Flight f = e.flight;
        if (!f.done.get(e.position)) {
            f.done.set(e.position);
            if (--f.open == 0) {
                flights.remove(f);
            }
        }
    }

    /** Every delta in flight, by flight (for tests and the operator's accessor). */
    List<ItemDelta> all() {
        List<ItemDelta> out = new ArrayList<>();
        for (Flight f : flights) {
            for (int i = f.done.nextClearBit(0); i < f.deltas.length; i = f.done.nextClearBit(i + 1)) {
                out.add(f.deltas[i]);
            }
        }
        return out;
    }

    /**
     * Deltas dropped unconfirmed after {@link #MAX_CHECKPOINTS} checkpoints so far. Refused deltas
     * end here; so do deltas whose confirmation lags that far, which happens while the job replays a
     * backlog (docs/PERFORMANCE.md, "The gradient loop under a backlog"): the replica then lacks them
     * until the ItemServers' updates that contain them arrive.
     */
    long expired() {
        return expired;
    }

    /** Flights with deltas in flight (for tests). */
    int flights() {
        return flights.size();
    }

    /**
     * Writes every flight that has deltas in flight, one partition per chunk ({@code partition}
     * starts one), encoding a flight's chunks on its first checkpoint.
     */
    void write(DataOutputStream out, PartitionStarter partition) throws IOException {
        for (Flight f : flights) {
            if (f.chunks == null) {
                f.chunks = ItemDeltaSerde.chunks(java.util.Arrays.asList(f.deltas), ItemDeltaSerde.CHUNK_BYTES);
                for (ItemDelta d : f.deltas) {
                    ItemDeltaSerde.forgetEncoded(d); // the chunks hold the bytes from now on
                }
            }
            int first = 0;
            for (byte[] chunk : f.chunks) {
                int count = ByteBuffer.wrap(chunk, 1, 4).getInt();
                byte[] done = f.done.get(first, first + count).toByteArray();
                partition.start();
                out.writeInt(WITH_DONE_SET);
                out.writeInt(chunk.length);
                out.write(chunk);
                out.writeInt(done.length);
                out.write(done);
                out.flush();
                first += count;
            }
        }
    }

    /** Starts a new partition of the raw operator state. */
    interface PartitionStarter {
        void start() throws IOException;
    }

    /** The deltas of one partition that were in flight at its checkpoint, in either layout. */
    static List<ItemDelta> read(DataInputStream in) throws IOException {
        int first = in.readInt();
        if (first != WITH_DONE_SET) {
            byte[] chunk = new byte[first];
            in.readFully(chunk);
            return ItemDeltaSerde.deserializeStateElement(chunk);
        }
        byte[] chunk = new byte[in.readInt()];
        in.readFully(chunk);
        byte[] doneBytes = new byte[in.readInt()];
        in.readFully(doneBytes);
        BitSet done = BitSet.valueOf(doneBytes);
        List<ItemDelta> all = ItemDeltaSerde.deserializeStateElement(chunk);
        List<ItemDelta> open = new ArrayList<>(all.size() - done.cardinality());
        for (int i = 0; i < all.size(); i++) {
            if (!done.get(i)) {
                open.add(all.get(i));
            }
        }
        return open;
    }
}
