package io.streamrec.job;

import io.streamrec.sinks.redis.RedisKeys;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the per-user and per-item interaction counts the job published in Redis
 * ({@code {prefix}{user}:meta} and {@code {prefix}_item:{item}:meta}, field {@code interactions})
 * with expected counts: the exactly-once check of the tests, and of a backfill or replay in
 * operations. One pipelined round trip.
 */
public final class InteractionCounts {
    private InteractionCounts() {}

    /** "key: expected X, found Y" for every user and item whose count in Redis differs; empty when all match. */
    public static List<String> mismatches(Jedis jedis, String prefix, Map<String, Long> perUser, Map<String, Long> perItem) {
        Map<String, Long> expected = new LinkedHashMap<>();
        perUser.forEach((u, n) -> expected.put(RedisKeys.meta(RedisKeys.userList(prefix, u)), n));
        perItem.forEach((i, n) -> expected.put(RedisKeys.meta(RedisKeys.item(prefix, i)), n));
        List<String> keys = new ArrayList<>(expected.keySet());
        Pipeline pipeline = jedis.pipelined();
        List<Response<String>> values = new ArrayList<>(keys.size());
        for (String key : keys) {
            values.add(pipeline.hget(key, RedisKeys.FIELD_INTERACTIONS));
        }
        pipeline.sync();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String found = values.get(i).get();
            long want = expected.get(keys.get(i));
            if (found == null || Long.parseLong(found) != want) {
                wrong.add(keys.get(i) + ": expected " + want + ", found " + found);
            }
        }
        return wrong;
    }

    /**
     * Users whose list meta does not yet count {@code expected} interactions (fewer, or no list
     * yet): empty once the job has applied all of them.
     */
    public static List<String> usersBehind(Jedis jedis, String prefix, Map<String, Long> expected) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(expected.entrySet());
        List<String> counts = userCounts(jedis, prefix, entries.stream().map(Map.Entry::getKey).toList());
        List<String> behind = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String value = counts.get(i);
            if (value == null || Long.parseLong(value) < entries.get(i).getValue()) {
                behind.add(entries.get(i).getKey());
            }
        }
        return behind;
    }

    /** The interactions the users' list metas count, summed: how far the job has got. */
    public static long applied(Jedis jedis, String prefix, Iterable<String> users) {
        List<String> ids = new ArrayList<>();
        users.forEach(ids::add);
        long sum = 0;
        for (String value : userCounts(jedis, prefix, ids)) {
            sum += value == null ? 0 : Long.parseLong(value);
        }
        return sum;
    }

    /** The {@code interactions} field of each user's list meta, in order (null: no list yet). */
    private static List<String> userCounts(Jedis jedis, String prefix, List<String> users) {
        Pipeline pipeline = jedis.pipelined();
        List<Response<String>> responses = new ArrayList<>(users.size());
        for (String user : users) {
            responses.add(pipeline.hget(RedisKeys.meta(RedisKeys.userList(prefix, user)), RedisKeys.FIELD_INTERACTIONS));
        }
        pipeline.sync();
        List<String> values = new ArrayList<>(users.size());
        for (Response<String> r : responses) {
            values.add(r.get());
        }
        return values;
    }
}
