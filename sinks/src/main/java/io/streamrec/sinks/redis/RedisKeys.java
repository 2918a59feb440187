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

    private RedisKeys() {}

    /** The sorted set of a user's list: {@code {prefix}{user}}. */
    public static String userList(String prefix, String user) {
        return Objects.requireNonNull(prefix, "prefix") + Objects.requireNonNull(user, "user");
    }

    /** The sorted set of the popular-items list: {@code {prefix}_popular}. */
    public static String popularList(String prefix) {
        return Objects.requireNonNull(prefix, "prefix") + POPULAR;
    }

    /** The meta hash that belongs to a list key: {@code {listKey}:meta}. */
    public static String meta(String listKey) {
        return Objects.requireNonNull(listKey, "listKey") + META_SUFFIX;
    }
}
