package io.streamrec.operators.input;

import java.util.Locale;

/** Kinds of user-item interaction, with the lower-case names used on the wire. */
public enum EventType {
    VIEW,
    CLICK,
    CART,
    PURCHASE,
    LIKE,
    DISLIKE,
    /** Explicit rating; the only type whose {@code value} is required. */
    RATING,
    /**
     * Not an interaction but a control record: delete everything the job keeps about the user (their
     * vector, seen items, counters, and their list and meta in Redis). {@code item} may be absent.
     */
    FORGET,
    /**
     * Not an interaction but a control record: every list the job keeps state for is written to Redis
     * again (user lists, the popular list, item meta), for example after Redis lost its data.
     * {@code user} and {@code item} may be absent; {@code id} names the request.
     */
    REPUBLISH,
    /**
     * Not an interaction but a control record: the item leaves every list (within one refresh
     * interval) and the model's scoring, sampling and learning until it is un-retired. {@code user}
     * may be absent.
     */
    RETIRE,
    /** Not an interaction but a control record: a retired item comes back. {@code user} may be absent. */
    UNRETIRE;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** True for control records, which are not interactions and never reach the model. */
    public boolean isControl() {
        return this == FORGET || this == REPUBLISH || this == RETIRE || this == UNRETIRE;
    }

    /** False for the control records that are about no user (republish, retire, unretire). */
    public boolean needsUser() {
        return this != REPUBLISH && this != RETIRE && this != UNRETIRE;
    }

    /** True for interactions and for the control records about an item (retire, unretire). */
    public boolean needsItem() {
        return !isControl() || this == RETIRE || this == UNRETIRE;
    }

    /** The name in JSON records, e.g. {@code "click"}. */
    public String wireName() {
        return wireName;
    }

    /** The type with this wire name, ignoring case; {@code null} if unknown or null. */
    public static EventType fromString(String name) {
        if (name == null) {
            return null;
        }
        for (EventType type : values()) {
            if (type.wireName.equalsIgnoreCase(name)) {
                return type;
            }
        }
        return null;
    }
}
