package io.streamrec.job;

import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.PopularList;
import io.streamrec.operators.records.UserList;

/**
 * The Redis key schema (a public contract, see the README): how lists and counters become
 * {@link RedisRecord}s.
 * <ul>
 *   <li>{@code {prefix}{user}}: sorted set item → score; {@code {prefix}{user}:meta}: hash with
 *       {@code version}, {@code updated}, {@code interactions}, {@code eventTs};</li>
 *   <li>{@code {prefix}_popular} (+{@code :meta}): the fallback list;</li>
 *   <li>{@code {prefix}_item:{item}:meta}: hash with {@code version} (= interactions),
 *       {@code interactions}, {@code bias}.</li>
 * </ul>
 */
public final class RedisWrites {
    public static final String POPULAR_KEY = "_popular";
    public static final String ITEM_KEY = "_item:";

    private RedisWrites() {}

    public static RedisRecord userList(String prefix, UserList list) {
        return new RedisRecord(prefix + list.user, list.version, list.updated, list.items, toDoubles(list.scores),
                "interactions", Long.toString(list.interactions), "eventTs", Long.toString(list.eventTs));
    }

    public static RedisRecord popular(String prefix, PopularList list) {
        return new RedisRecord(prefix + POPULAR_KEY, list.version, list.updated, list.items, toDoubles(list.scores));
    }

    /** Item counters only grow, so the count itself is a monotonic version. */
    public static RedisRecord itemStats(String prefix, ItemStats stats, long now) {
        return new RedisRecord(prefix + ITEM_KEY + stats.item, stats.interactions, now, new String[0], new double[0],
                "interactions", Long.toString(stats.interactions), "bias", Float.toString(stats.bias),
                "lastTs", Long.toString(stats.lastTs));
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
