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
 *   <li>{@code {prefix}_item:{item}:meta}: hash with {@code version}, {@code interactions},
 *       {@code bias}, {@code lastTs}.</li>
 * </ul>
 * Every version is {@link RunEpoch#version(long) the run's epoch × 2^32 + a counter of the run}
 * (per user, per item, or of the popular list), so a later run takes over every key it writes.
 * {@code interactions}, {@code eventTs} and {@code lastTs} never move backwards in Redis, also when
 * a later run that has not caught up yet takes a key over.
 */
public final class RedisWrites {
    public static final String POPULAR_KEY = "_popular";
    public static final String ITEM_KEY = "_item:";

    private RedisWrites() {}

    public static RedisRecord userList(String prefix, UserList list, RunEpoch run) {
        return new RedisRecord(prefix + list.user, run.version(list.version), list.updated, list.items,
                toDoubles(list.scores),
                "interactions", Long.toString(list.interactions), "eventTs", Long.toString(list.eventTs))
                .monotonic(list.eventTs >= 0 ? new String[] {"interactions", "eventTs"} : new String[] {"interactions"});
    }

    public static RedisRecord popular(String prefix, PopularList list, RunEpoch run) {
        return new RedisRecord(prefix + POPULAR_KEY, run.version(list.version), list.updated, list.items,
                toDoubles(list.scores));
    }

    /**
     * @param version grows with every update of the item (see {@link ItemStatsToRedis}): the bias
     *     changes with negative samples too, which leave the interaction count alone
     */
    public static RedisRecord itemStats(String prefix, ItemStats stats, long now, long version) {
        return new RedisRecord(prefix + ITEM_KEY + stats.item, version, now, new String[0], new double[0],
                "interactions", Long.toString(stats.interactions), "bias", Float.toString(stats.bias),
                "lastTs", Long.toString(stats.lastTs))
                .monotonic(stats.lastTs >= 0 ? new String[] {"interactions", "lastTs"} : new String[] {"interactions"});
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
