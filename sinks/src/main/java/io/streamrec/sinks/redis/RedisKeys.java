package io.streamrec.sinks.redis;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Names of the Redis keys in the output contract (see the {@linkplain io.streamrec.sinks.redis
 * package documentation}). Producers and readers both use these so the layout is defined once.
 */
@PublicEvolving
public final class RedisKeys {

    /** Suffix of the hash that holds a list's version, update time and extra fields. */
    public static final String META_SUFFIX = ":meta";

    /** Name, after the prefix, of the popular-items list readers fall back to. */
    public static final String POPULAR = "_popular";

    /** Start, after the prefix, of an item's stats key: {@code {prefix}_item:{item}}. */
    public static final String ITEM = "_item:";

    /** Start, after the prefix, of an item's similar-items list: {@code {prefix}_sim:{item}}. */
    public static final String SIMILAR = "_sim:";

    /** Name, after the prefix, of the live-quality sorted set. */
    public static final String METRICS = "_metrics";

    /** Name, after the base prefix, of the alias key naming the active prefix. */
    public static final String ACTIVE = "_active";

    /** Name, after the prefix, of the string holding the highest run epoch claimed for the prefix. */
    public static final String EPOCH = "_epoch";

    /** Meta field: interactions applied (of the user, or with the item); never moves backwards. */
    public static final String FIELD_INTERACTIONS = "interactions";
    /** Meta field of a user list: the newest event time it reflects; never moves backwards. */
    public static final String FIELD_EVENT_TS = "eventTs";
    /** Meta field of an item: the newest event time with it; never moves backwards. */
    public static final String FIELD_LAST_TS = "lastTs";
    /** Meta field of an item: its bias. */
    public static final String FIELD_BIAS = "bias";

    private RedisKeys() {}

    /** The sorted set of a user's list: {@code {prefix}{user}}. */
    public static String userList(String prefix, String user) {
        return Objects.requireNonNull(prefix, "prefix") + Objects.requireNonNull(user, "user");
    }

    /** Between a user and a category in a category list's key: {@code {prefix}{user}:c:{category}}. */
    public static final String CATEGORY = ":c:";

    /** The sorted set of a user's list of one category's items: {@code {prefix}{user}:c:{category}}. */
    public static String categoryList(String prefix, String user, String category) {
        return userList(prefix, user) + CATEGORY + Objects.requireNonNull(category, "category");
    }

    /** The sorted set of the popular-items list: {@code {prefix}_popular}. */
    public static String popularList(String prefix) {
        return Objects.requireNonNull(prefix, "prefix") + POPULAR;
    }

    /** The key of an item's stats: {@code {prefix}_item:{item}} (its fields are in the meta hash). */
    public static String item(String prefix, String item) {
        return Objects.requireNonNull(prefix, "prefix") + ITEM + Objects.requireNonNull(item, "item");
    }

    /** The sorted set of an item's similar items (item → score): {@code {prefix}_sim:{item}}. */
    public static String similarItems(String prefix, String item) {
        return Objects.requireNonNull(prefix, "prefix") + SIMILAR + Objects.requireNonNull(item, "item");
    }

    /** The live-quality sorted set: {@code {prefix}_metrics}. */
    public static String metrics(String prefix) {
        return Objects.requireNonNull(prefix, "prefix") + METRICS;
    }

    /**
     * The live-quality sums per bucket of event time: {@code {prefix}_metrics:windows}, a sorted set
     * of members {@code {bucketStartMs}:n|hits10|rr|rr2} (what {@code bin/streamrec compare} reads).
     */
    public static String metricsWindows(String prefix) {
        return metrics(prefix) + ":windows";
    }

    /**
     * The alias key that names the prefix applications read ({@code bin/streamrec promote} sets it):
     * {@code {base}_active}, e.g. {@code rec:_active}. Absent: read {@code base} itself.
     */
    public static String activeAlias(String base) {
        return Objects.requireNonNull(base, "base") + ACTIVE;
    }

    /**
     * The highest run epoch claimed by a job writing under the prefix: {@code {prefix}_epoch}, a
     * decimal string. Each submission claims a higher one, which orders the versions of its writes
     * above those of every earlier run.
     */
    public static String epoch(String prefix) {
        return Objects.requireNonNull(prefix, "prefix") + EPOCH;
    }

    /** The meta hash that belongs to a list key: {@code {listKey}:meta}. */
    public static String meta(String listKey) {
        return Objects.requireNonNull(listKey, "listKey") + META_SUFFIX;
    }
}
