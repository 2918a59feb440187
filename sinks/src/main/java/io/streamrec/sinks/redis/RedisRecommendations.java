package io.streamrec.sinks.redis;

import io.streamrec.sinks.redis.internal.RedisUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.resps.Tuple;

/**
 * Reads recommendation lists written by {@link RedisSink}, for tools, demos and tests.
 *
 * <p>{@link #forUser} returns a user's list, best first, with its meta hash; a user without a list
 * gets the popular list ({@code {prefix}_popular}) instead. List and meta are read in one {@code
 * MULTI}/{@code EXEC} transaction, so they always belong to the same version.
 *
 * <p>Thread-safe: uses a small connection pool. Close it when done.
 */
@PublicEvolving
public final class RedisRecommendations implements AutoCloseable {

    private final JedisPool pool;
    private final String prefix;

    private RedisRecommendations(JedisPool pool, String prefix) {
        this.pool = pool;
        this.prefix = prefix;
    }

    /**
     * @param redisUrl {@code redis://[user:password@]host[:port][/db]} or {@code rediss://...}
     * @param keyPrefix the prefix the lists were written with, e.g. {@code "rec:"}
     */
    public static RedisRecommendations connect(String redisUrl, String keyPrefix) {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        RedisUrl url = RedisUrl.parse(redisUrl);
        JedisPool pool =
                new JedisPool(
                        url.hostAndPort(),
                        url.clientConfig(Duration.ofSeconds(5), "streamrec-reader"));
        return new RedisRecommendations(pool, keyPrefix);
    }

    /** The user's whole list, or the popular list if the user has none. */
    public Recommendations forUser(String user) {
        return forUser(user, Integer.MAX_VALUE);
    }

    /** The user's best {@code limit} items, or the popular ones if the user has no list. */
    public Recommendations forUser(String user, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        Recommendations own = read(RedisKeys.userList(prefix, user), limit, false);
        return own.items().isEmpty() ? popular(limit) : own;
    }

    /**
     * The user's best {@code limit} items of a category ({@code {prefix}{user}:c:{category}}, written
     * for the categories of {@code recs.categories}); no items when there is no such list (no fallback).
     */
    public Recommendations forUserInCategory(String user, String category, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return read(RedisKeys.categoryList(prefix, user, category), limit, false);
    }

    /** The best {@code limit} popular items. */
    public Recommendations popular(int limit) {
        return read(RedisKeys.popularList(prefix), limit, true);
    }

    /** The item's best {@code limit} similar items ({@code {prefix}_sim:{item}}); no items when it has no list. */
    public Recommendations similarTo(String item, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        return read(RedisKeys.similarItems(prefix, item), limit, false);
    }

    private Recommendations read(String key, int limit, boolean popular) {
        long stop = limit == Integer.MAX_VALUE ? -1 : limit - 1L;
        try (Jedis jedis = pool.getResource()) {
            Transaction transaction = jedis.multi();
            Response<List<Tuple>> items = transaction.zrevrangeWithScores(key, 0, stop);
            Response<Map<String, String>> meta = transaction.hgetAll(RedisKeys.meta(key));
            transaction.exec();
            List<Recommendations.ScoredItem> scored = new ArrayList<>();
            for (Tuple tuple : items.get()) {
                scored.add(new Recommendations.ScoredItem(tuple.getElement(), tuple.getScore()));
            }
            return new Recommendations(key, scored, meta.get(), popular);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
