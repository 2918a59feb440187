package io.streamrec.job;

import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.PopularList;
import io.streamrec.operators.records.SimilarList;
import io.streamrec.operators.records.UserList;
import io.streamrec.sinks.redis.RedisKeys;

/**
 * The Redis key schema (a public contract, see the README): how lists and counters become
 * {@link RedisRecord}s.
 * <ul>
 *   <li>{@code {prefix}{user}}: sorted set item → score; {@code {prefix}{user}:meta}: hash with
 *       {@code version}, {@code updated}, {@code interactions}, {@code eventTs};</li>
 *   <li>{@code {prefix}{user}:c:{category}} (+{@code :meta}): the same for one of {@code recs.categories};</li>
 *   <li>{@code {prefix}_popular} (+{@code :meta}): the fallback list;</li>
 *   <li>{@code {prefix}_item:{item}:meta}: hash with {@code version}, {@code interactions},
 *       {@code bias}, {@code lastTs};</li>
 *   <li>{@code {prefix}_sim:{item}}: sorted set item → score q_i · q_j + b_j (+{@code :meta} with
 *       {@code version}, {@code updated}, {@code interactions} of the item when computed).</li>
 * </ul>
 * Every version is {@link RunEpoch#version(long) the run's epoch × 2^32 + a counter of the run}
 * (per user, per item, or of the popular list), so a later run takes over every key it writes.
 * {@code interactions}, {@code eventTs} and {@code lastTs} never move backwards in Redis, also when
 * a later run that has not caught up yet takes a key over.
 */
public final class RedisWrites {
    private RedisWrites() {}

    public static RedisRecord userList(String prefix, UserList list, RunEpoch run) {
        return userList(prefix, list, run, 0);
    }

    /**
     * A user's list and meta, set to expire {@code keyTtlMillis} after the write (0: never): the
     * job's {@code state.user-ttl}, so the keys of a user who stops interacting disappear from
     * Redis when the job would delete them, also if the job is no longer running.
     */
    public static RedisRecord userList(String prefix, UserList list, RunEpoch run, long keyTtlMillis) {
        String key = list.category == null ? RedisKeys.userList(prefix, list.user)
                : RedisKeys.categoryList(prefix, list.user, list.category);
        if (list.forgotten) {
            return RedisRecord.deletion(key, run.version(list.version), list.updated);
        }
        RedisRecord r = new RedisRecord(key, run.version(list.version), list.updated,
                list.items, toDoubles(list.scores),
                RedisKeys.FIELD_INTERACTIONS, Long.toString(list.interactions), RedisKeys.FIELD_EVENT_TS, Long.toString(list.eventTs))
                .monotonic(list.eventTs >= 0 ? new String[] {RedisKeys.FIELD_INTERACTIONS, RedisKeys.FIELD_EVENT_TS}
                        : new String[] {RedisKeys.FIELD_INTERACTIONS});
        r.ttlMillis = keyTtlMillis;
        return r;
    }

    public static RedisRecord popular(String prefix, PopularList list, RunEpoch run) {
        return new RedisRecord(RedisKeys.popularList(prefix), run.version(list.version), list.updated, list.items,
                toDoubles(list.scores));
    }

    /** An item's similar list, or its deletion when the item left the model. */
    public static RedisRecord similarList(String prefix, SimilarList list, RunEpoch run) {
        String key = RedisKeys.similarItems(prefix, list.item);
        if (list.deleted) {
            return RedisRecord.deletion(key, run.version(list.version), list.updated);
        }
        return new RedisRecord(key, run.version(list.version), list.updated, list.items, toDoubles(list.scores),
                RedisKeys.FIELD_INTERACTIONS, Long.toString(list.interactions));
    }

    /**
     * @param version grows with every update of the item (see {@link ItemStatsToRedis}): the bias
     *     changes with negative samples too, which leave the interaction count alone
     */
    public static RedisRecord itemStats(String prefix, ItemStats stats, long now, long version) {
        return new RedisRecord(RedisKeys.item(prefix, stats.item), version, now, new String[0], new double[0],
                RedisKeys.FIELD_INTERACTIONS, Long.toString(stats.interactions), RedisKeys.FIELD_BIAS, Float.toString(stats.bias),
                RedisKeys.FIELD_LAST_TS, Long.toString(stats.lastTs))
                .monotonic(stats.lastTs >= 0 ? new String[] {RedisKeys.FIELD_INTERACTIONS, RedisKeys.FIELD_LAST_TS}
                        : new String[] {RedisKeys.FIELD_INTERACTIONS});
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
