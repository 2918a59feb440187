package io.streamrec.job;

import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.internal.RedisUrl;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.List;

/**
 * The run epochs of one Redis prefix, recorded in {@code {prefix}_epoch}: a submission claims
 * max(its clock's epoch, the recorded one + 1) and records it in one Lua script, so epochs grow
 * strictly per prefix whatever the submitting clocks say, also for two submissions in one second.
 * Called once per submission, where the job graph is built; a Redis it cannot reach fails the
 * submission with a message naming {@code redis.url}.
 */
public final class RedisEpochLedger implements RunEpoch.Ledger {

    private static final String CLAIM =
            "local recorded = tonumber(redis.call('GET', KEYS[1]) or '-1') "
            + "local epoch = math.max(tonumber(ARGV[1]), recorded + 1) "
            + "redis.call('SET', KEYS[1], string.format('%d', epoch)) "
            + "return epoch";

    private final RedisUrl url;
    private final String key;

    public RedisEpochLedger(String redisUrl, String caFile, String prefix) {
        this.url = RedisUrl.parse(redisUrl).withCaFile(caFile);
        this.key = RedisKeys.epoch(prefix);
    }

    /** The ledger of the prefix and Redis server the options name. */
    public static RedisEpochLedger of(StreamRecOptions options) {
        return new RedisEpochLedger(options.get(StreamRecOptions.REDIS_URL),
                options.get(StreamRecOptions.REDIS_TLS_CA_FILE), options.get(StreamRecOptions.REDIS_PREFIX));
    }

    @Override
    public long claim(long candidate) {
        try (Jedis jedis = new Jedis(url.hostAndPort(), url.clientConfig(Duration.ofSeconds(10), "streamrec-submit"))) {
            return (Long) jedis.eval(CLAIM, List.of(key), List.of(Long.toString(candidate)));
        } catch (JedisException e) {
            throw new IllegalStateException("cannot claim a run epoch in " + key + " at " + url
                    + " (--" + StreamRecOptions.REDIS_URL.key() + "): " + e.getMessage(), e);
        }
    }
}
