package io.streamrec.cli.chaos;

import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.VersionedWrite;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Polls Redis during the whole soak (every {@link #PERIOD_MS} ms, on a thread of its own) and
 * records every time a list or meta field moved backwards: for each user's {@code rec:{user}:meta}
 * the fields {@code version}, {@code interactions} and {@code eventTs}, for each item's
 * {@code rec:_item:{item}:meta} {@code version}, {@code interactions} and {@code lastTs}. A key that
 * is missing (Redis was flushed, or down) is no violation; when it comes back, its fields must not be
 * below the highest values seen before. Redis being unreachable only skips a round.
 *
 * <p>Thread-safe: results are read under this object's lock.
 */
final class MonotonicWatcher implements AutoCloseable {

    static final long PERIOD_MS = 1000;
    private static final int MAX_RECORDED = 50;
    private static final String[] USER_FIELDS = {VersionedWrite.VERSION_FIELD, RedisKeys.FIELD_INTERACTIONS,
            RedisKeys.FIELD_EVENT_TS};
    private static final String[] ITEM_FIELDS = {VersionedWrite.VERSION_FIELD, RedisKeys.FIELD_INTERACTIONS,
            RedisKeys.FIELD_LAST_TS};

    private final String redisUrl;
    private final String prefix;
    private final Supplier<List<String>> users;
    private final Supplier<List<String>> items;
    private final Map<String, Long> highest = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private long violationCount;
    private long rounds;
    private long readings;
    private long failedRounds;
    private volatile boolean stopping;
    private Thread thread;

    MonotonicWatcher(String redisUrl, String prefix, Supplier<List<String>> users, Supplier<List<String>> items) {
        this.redisUrl = redisUrl;
        this.prefix = prefix;
        this.users = users;
        this.items = items;
    }

    void start() {
        thread = new Thread(this::loop, "chaos-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!stopping) {
            long started = System.currentTimeMillis();
            try {
                poll();
            } catch (RuntimeException redisDown) {
                synchronized (this) {
                    failedRounds++;
                }
            }
            long rest = PERIOD_MS - (System.currentTimeMillis() - started);
            if (rest > 0 && !stopping) {
                try {
                    Thread.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One round: reads every known key's fields in one pipeline and compares with what was seen. */
    void poll() {
        List<String> keys = new ArrayList<>();
        List<String[]> fields = new ArrayList<>();
        for (String user : users.get()) {
            keys.add(RedisKeys.meta(RedisKeys.userList(prefix, user)));
            fields.add(USER_FIELDS);
        }
        for (String item : items.get()) {
            keys.add(RedisKeys.meta(RedisKeys.item(prefix, item)));
            fields.add(ITEM_FIELDS);
        }
        List<Response<List<String>>> responses = new ArrayList<>(keys.size());
        try (Jedis jedis = new Jedis(redisUrl)) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < keys.size(); i++) {
                responses.add(pipeline.hmget(keys.get(i), fields.get(i)));
            }
            pipeline.sync();
        }
        long now = System.currentTimeMillis();
        synchronized (this) {
            rounds++;
            for (int i = 0; i < keys.size(); i++) {
                List<String> values = responses.get(i).get();
                for (int f = 0; f < fields.get(i).length; f++) {
                    String value = values.get(f);
                    if (value != null) {
                        readings++;
                        observe(keys.get(i) + " " + fields.get(i)[f], Long.parseLong(value), now);
                    }
                }
            }
        }
    }

    private void observe(String field, long value, long now) {
        Long before = highest.get(field);
        if (before != null && value < before) {
            violationCount++;
            if (violations.size() < MAX_RECORDED) {
                violations.add(field + " moved backwards from " + before + " to " + value + " at " + now);
            }
            return;
        }
        highest.put(field, value);
    }

    synchronized List<String> violations() {
        return new ArrayList<>(violations);
    }

    synchronized long violationCount() {
        return violationCount;
    }

    /** "N rounds, M field readings (K rounds with Redis unreachable)". */
    synchronized String summary() {
        return rounds + " rounds every " + PERIOD_MS + " ms, " + readings + " field readings, " + highest.size()
                + " fields tracked" + (failedRounds > 0 ? " (" + failedRounds + " rounds with Redis unreachable)" : "");
    }

    @Override
    public void close() {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
