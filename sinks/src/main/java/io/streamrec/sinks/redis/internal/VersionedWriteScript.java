package io.streamrec.sinks.redis.internal;

import io.streamrec.sinks.redis.VersionedWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The Lua script that applies one {@link VersionedWrite} atomically, and its argument encoding.
 *
 * <p>{@code KEYS = [list, meta]}, {@code ARGV = [version, updated, ttl, n, score1, member1, ...,
 * scoreN, memberN, m, mfield1, mvalue1, ..., mfieldM, mvalueM, field1, value1, ...]}: the m
 * monotonic meta fields first, then the other extra fields. The script reads {@code HGET meta
 * version}; if the field is absent or smaller than {@code version} it reads the stored values of
 * the monotonic fields, deletes both keys, {@code ZADD}s all members (if any) and {@code HSET}s
 * {@code version}, {@code updated}, the extra fields, and each monotonic field as the larger of
 * its stored and new value, sets both keys to expire after {@code ttl} milliseconds when it is
 * positive, then returns 1. Otherwise it changes nothing and returns 0. Redis runs
 * scripts atomically, so readers see either the old list with its old meta or the new list with
 * its new meta.
 *
 * <p>A deletion ({@link VersionedWrite#isDeletion()}) passes {@code n = -1} and nothing after it:
 * under the same version guard the script deletes both keys.
 *
 * <p>The meta hash is replaced, not merged, so it never carries fields of an older version; only
 * the monotonic fields carry their stored value forward, when it is larger.
 */
@Internal
public final class VersionedWriteScript {

    /** Returned by the script when the write replaced the stored list. */
    public static final long APPLIED = 1L;

    /** Returned by the script when the stored version is equal or newer. */
    public static final long SKIPPED = 0L;

    public static final String SOURCE =
            String.join(
                    "\n",
                    "local version = ARGV[1]",
                    "local current = redis.call('HGET', KEYS[2], 'version')",
                    // Versions are decimal integers >= 0 without leading zeros, so comparing the
                    // length and then the text is exact, also beyond 2^53 where Lua numbers are
                    // no longer integers.
                    "if current and (#current > #version",
                    "    or (#current == #version and current >= version)) then",
                    "  return 0",
                    "end",
                    // a deletion (n = -1) removes both keys, nothing else
                    "if tonumber(ARGV[4]) < 0 then",
                    "  redis.call('DEL', KEYS[1], KEYS[2])",
                    "  return 1",
                    "end",
                    "local last = 4 + 2 * tonumber(ARGV[4])",
                    "local monotonic = tonumber(ARGV[last + 1])",
                    "local kept = {}",
                    "for i = 1, monotonic do",
                    "  local field = ARGV[last + 2 * i]",
                    "  local value = ARGV[last + 2 * i + 1]",
                    "  local stored = redis.call('HGET', KEYS[2], field)",
                    // the same exact comparison of decimal integers as for the version
                    "  if stored and (#stored > #value or (#stored == #value and stored > value)) then",
                    "    value = stored",
                    "  end",
                    "  kept[2 * i - 1] = field",
                    "  kept[2 * i] = value",
                    "end",
                    "redis.call('DEL', KEYS[1], KEYS[2])",
                    // unpack() is limited by the Lua C stack (~8000 values), so long lists are
                    // added in chunks of whole score/member pairs.
                    "local first = 5",
                    "while first <= last do",
                    "  local upto = math.min(first + 1999, last)",
                    "  redis.call('ZADD', KEYS[1], unpack(ARGV, first, upto))",
                    "  first = upto + 1",
                    "end",
                    "redis.call('HSET', KEYS[2], 'version', version, 'updated', ARGV[2],",
                    "    unpack(ARGV, last + 2 + 2 * monotonic))",
                    "if monotonic > 0 then",
                    "  redis.call('HSET', KEYS[2], unpack(kept))",
                    "end",
                    // the keys of a user whom no write refreshes any more expire on their own
                    "if tonumber(ARGV[3]) > 0 then",
                    "  redis.call('PEXPIRE', KEYS[1], ARGV[3])",
                    "  redis.call('PEXPIRE', KEYS[2], ARGV[3])",
                    "end",
                    "return 1");

    private VersionedWriteScript() {}

    /**
     * A score as the script's argument, read by Redis as a double. A whole number is written without
     * a fraction, and a score that is exactly a float (the model's scores are) as the float's
     * shortest decimal: Redis then holds a double within half a float ulp of it, which reads back
     * as the same float and keeps the order and the ties of the floats. Anything else is written as
     * {@link Double#toString}. Formatting every score as a double (17 digits) was a fifth of the
     * Redis writer's thread at a million users; a float's is about 1.7 times faster.
     */
    static String scoreText(double score) {
        long whole = (long) score;
        if (whole == score && Math.abs(score) < 0x1p53) {
            return Long.toString(whole);
        }
        float single = (float) score;
        if (single == score) {
            return Float.toString(single);
        }
        return Double.toString(score);
    }

    public static List<String> keys(VersionedWrite write) {
        return List.of(write.key(), write.metaKey());
    }

    public static List<String> args(VersionedWrite write) {
        List<String> args = new ArrayList<>(4 + 2 * write.size() + 2 * write.extraMeta().size());
        args.add(Long.toString(write.version()));
        args.add(Long.toString(write.updatedMillis()));
        args.add(Long.toString(write.ttlMillis()));
        if (write.isDeletion()) {
            args.add("-1");
            return args;
        }
        args.add(Integer.toString(write.size()));
        for (int i = 0; i < write.size(); i++) {
            // Redis parses scores with strtod, which reads Java's "1.0E-5" notation exactly.
            args.add(scoreText(write.score(i)));
            args.add(write.member(i));
        }
        args.add(Integer.toString(write.monotonicMeta().size()));
        for (String field : write.monotonicMeta()) {
            args.add(field);
            args.add(write.extraMeta().get(field));
        }
        for (Map.Entry<String, String> field : write.extraMeta().entrySet()) {
            if (!write.monotonicMeta().contains(field.getKey())) {
                args.add(field.getKey());
                args.add(field.getValue());
            }
        }
        return args;
    }
}
