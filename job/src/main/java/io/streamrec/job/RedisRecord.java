package io.streamrec.job;

import io.streamrec.sinks.redis.VersionedWrite;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A versioned Redis write as a Flink POJO, so it travels between operators with Flink's own
 * serializer; {@link #toWrite()} turns it into the sink's {@link VersionedWrite}.
 */
public class RedisRecord {
    public String key;
    public long version;
    public long updated;
    public String[] members;
    public double[] scores;
    public String[] metaFields;
    public String[] metaValues;
    /** Meta fields that never decrease in Redis (see {@link VersionedWrite#monotonicMeta()}); may be null. */
    public String[] monotonicFields;
    /** True for the deletion of the key and its meta (see {@link VersionedWrite#deletion}). */
    public boolean deletion;
    /** Both keys expire this long after the write (see {@link VersionedWrite#expiringAfter}); 0: never. */
    public long ttlMillis;

    public RedisRecord() {}

    RedisRecord monotonic(String... fields) {
        this.monotonicFields = fields;
        return this;
    }

    RedisRecord(String key, long version, long updated, String[] members, double[] scores, String... meta) {
        this.key = key;
        this.version = version;
        this.updated = updated;
        this.members = members;
        this.scores = scores;
        this.metaFields = new String[meta.length / 2];
        this.metaValues = new String[meta.length / 2];
        for (int i = 0; i < meta.length / 2; i++) {
            metaFields[i] = meta[2 * i];
            metaValues[i] = meta[2 * i + 1];
        }
    }

    /** The deletion of {@code key} and its meta, at {@code version}. */
    static RedisRecord deletion(String key, long version, long updated) {
        RedisRecord r = new RedisRecord(key, version, updated, new String[0], new double[0]);
        r.deletion = true;
        return r;
    }

    public VersionedWrite toWrite() {
        if (deletion) {
            return VersionedWrite.deletion(key, version, updated);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i < metaFields.length; i++) {
            meta.put(metaFields[i], metaValues[i]);
        }
        Set<String> monotonic = monotonicFields == null ? Set.of() : new LinkedHashSet<>(Arrays.asList(monotonicFields));
        VersionedWrite write = new VersionedWrite(key, version, updated, members, scores, meta, monotonic);
        return ttlMillis > 0 ? write.expiringAfter(ttlMillis) : write;
    }
}
