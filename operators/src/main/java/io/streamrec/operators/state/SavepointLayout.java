package io.streamrec.operators.state;

import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.records.ItemMetadata;

import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * The keyed state of the model as savepoints hold it, defined once for the operators that write it
 * ({@code UserWorker}, {@code ItemServer}) and for model export and bootstrap, which read and write
 * it with the State Processor API. The operators' uids are in {@code OperatorIds} (job module).
 * Names never change: a renamed state is silently empty after a restore.
 */
public final class SavepointLayout {

    /** UserWorker, keyed by user: {@link UserState}. */
    public static final String USER = "user";
    /** ItemServer, keyed by item: {@link ItemState}. */
    public static final String ITEM = "item";
    /** UserWorker, keyed by user: interactions waiting for the item cache after a restore. */
    public static final String WAITING_FOR_ITEM_CACHE = "waiting-for-item-cache";
    /**
     * UserWorker, operator (non-keyed) state: its item deltas sent but not yet confirmed, serialized
     * by {@code ItemDeltaSerde}. Releases before 2026-11-30 kept them in this managed list state,
     * one delta per element; they are now the UserWorker's raw operator state, one partition per
     * chunk of deltas (its only raw state), because Flink 2.2 writes managed operator state to a
     * checkpoint one byte at a time ({@code CompressibleFSDataOutputStream} has no array write), and
     * with a large catalogue tens of megabytes are in flight. The list is still read on restore, and
     * emptied. Each raw partition holds a chunk of one checkpoint's deltas and, since the layout of
     * {@code InFlightDeltas}, a bit set of those confirmed since, which a restore skips.
     */
    public static final String IN_FLIGHT_ITEM_DELTAS = "in-flight-item-deltas";
    /** UserWorker, keyed by item (the subtask that owns the item's key group): {@link SimilarItemState}. */
    public static final String SIMILAR_ITEMS = "similar-items";
    /**
     * ItemServer, keyed by item: {@link ItemMetadata}, the newest record of the item topic. A state
     * of its own, not a field of {@link ItemState}: metadata may come before the item's first
     * interaction and stays when the item expires, without making it an item of the model.
     */
    public static final String ITEM_METADATA = "item-metadata";

    private SavepointLayout() {}

    public static ValueStateDescriptor<UserState> userState() {
        return new ValueStateDescriptor<>(USER, UserState.class);
    }

    /** Arrival number and interaction, per user ({@code ResyncBuffer}). */
    public static ListStateDescriptor<Tuple2<Long, Interaction>> waitingForItemCache() {
        return new ListStateDescriptor<>(WAITING_FOR_ITEM_CACHE, TypeInformation.of(new TypeHint<Tuple2<Long, Interaction>>() {}));
    }

    /** Operator state of the UserWorker ({@code ItemCache#inFlightDeltas}). */
    public static ListStateDescriptor<byte[]> inFlightItemDeltas() {
        return new ListStateDescriptor<>(IN_FLIGHT_ITEM_DELTAS, TypeInformation.of(byte[].class));
    }

    /** An item's similar list, in the UserWorker's keyed state under the item's id ({@code SimilarItemLists}). */
    public static ValueStateDescriptor<SimilarItemState> similarItemState() {
        return new ValueStateDescriptor<>(SIMILAR_ITEMS, SimilarItemState.class);
    }

    public static ValueStateDescriptor<ItemMetadata> itemMetadata() {
        return new ValueStateDescriptor<>(ITEM_METADATA, ItemMetadata.class);
    }

    public static ValueStateDescriptor<ItemState> itemState() {
        return new ValueStateDescriptor<>(ITEM, ItemState.class);
    }
}
