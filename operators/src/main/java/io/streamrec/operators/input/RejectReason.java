package io.streamrec.operators.input;

import java.util.Locale;

/**
 * Why a raw record was rejected. The wire names (lower_snake) appear in dead-letter records and
 * metric labels and are a stable contract: add reasons, never rename them.
 */
public enum RejectReason {
    /** Null payload, not parseable as JSON, or trailing content after the object. */
    NOT_JSON,
    /** Valid JSON, but not an object (an array, a string, ...). */
    NOT_AN_OBJECT,
    /** Payload larger than {@link ValidationRules#maxPayloadBytes()} in UTF-8. */
    PAYLOAD_TOO_LARGE,
    /** A known field appears twice; consumers could disagree on which one counts. */
    DUPLICATE_FIELD,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A known field has the wrong JSON type (e.g. {@code ts} as a string or a fraction). */
    WRONG_FIELD_TYPE,
    /** A string field is empty or blank. */
    EMPTY_FIELD,
    /** A string field is longer than {@link ValidationRules#maxIdBytes()} in UTF-8. */
    FIELD_TOO_LONG,
    /** {@code type} is not one of the {@link EventType}s. */
    UNKNOWN_EVENT_TYPE,
    /** A {@code rating} without {@code value}. */
    MISSING_VALUE,
    /** {@code value} overflows to infinity. */
    NON_FINITE_VALUE,
    /** A rating's {@code value} outside the configured range. */
    VALUE_OUT_OF_RANGE,
    /** {@code ts} before the configured minimum or too far in the future. */
    TIMESTAMP_OUT_OF_RANGE,
    /** An item record ({@code items} topic) names more categories than {@code ItemMetadataParser.MAX_CATEGORIES}. */
    TOO_MANY_CATEGORIES,
    /** An item record's category is not a string, is blank, or is longer than {@code ItemMetadataParser.MAX_CATEGORY_BYTES}. */
    INVALID_CATEGORY,
    /**
     * An id whose Redis key would be another key of the output contract: a user id that starts with
     * {@code _} (the job's own keys: {@code rec:_popular}, {@code rec:_item:...}), ends with {@code :meta}
     * (a list's meta hash) or contains {@code :c:} (a category list); an item id that ends with {@code :meta}.
     */
    RESERVED_ID;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Stable lower_snake name, e.g. {@code "field_too_long"}. */
    public String wireName() {
        return wireName;
    }

    /** The reason with this wire name, or {@code null}. */
    public static RejectReason fromWireName(String wireName) {
        for (RejectReason reason : values()) {
            if (reason.wireName.equals(wireName)) {
                return reason;
            }
        }
        return null;
    }
}
