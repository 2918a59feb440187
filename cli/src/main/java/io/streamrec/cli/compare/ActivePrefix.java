package io.streamrec.cli.compare;

import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.internal.RedisUrl;

import redis.clients.jedis.Jedis;

import java.time.Duration;

/**
 * The prefix applications read: the value of the alias key {@code {base}_active} (e.g.
 * {@code rec:_active}) when it is set, else {@code base} itself, so that a deployment that never
 * promoted anything reads {@code rec:} as before. {@code bin/streamrec promote} sets the alias;
 * {@code recs} follows it.
 */
public final class ActivePrefix {

    private ActivePrefix() {}

    /** The active prefix under {@code base}. */
    public static String resolve(Jedis jedis, String base) {
        String named = jedis.get(RedisKeys.activeAlias(base));
        return named == null || named.isEmpty() ? base : named;
    }

    /** A connection for the CLI's own short reads, honouring the URL's credentials and TLS. */
    public static Jedis connect(String redisUrl, String clientName) {
        RedisUrl url = RedisUrl.parse(redisUrl);
        return new Jedis(url.hostAndPort(), url.clientConfig(Duration.ofSeconds(5), clientName));
    }
}
