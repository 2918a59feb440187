package io.streamrec.operators.state;

import org.apache.flink.api.common.state.ValueStateDescriptor;

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

    private SavepointLayout() {}

    public static ValueStateDescriptor<UserState> userState() {
        return new ValueStateDescriptor<>(USER, UserState.class);
    }

    public static ValueStateDescriptor<ItemState> itemState() {
        return new ValueStateDescriptor<>(ITEM, ItemState.class);
    }
}
