package io.streamrec.sinks.redis;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One list to store in Redis: the complete new content of a key, tagged with a version.
 *
 * <p>Applying it replaces the sorted set {@link #key()} with {@link #members()} and their {@link
 * #scores()}, and the hash {@link #metaKey()} with {@code version}, {@code updated} and {@link
 * #extraMeta()}, all in one atomic step, but only if the stored version is absent or smaller than
 * {@link #version()}. Otherwise the write is skipped as stale. This makes applying a write
 * idempotent and keeps a list from moving backwards.
 *
 * <p>Versions are non-negative and must grow for every new content of the same key (for example a
 * per-user update counter or the event time of the computation). Two writes with the same key and
 * version are treated as the same write. To let a later run of a job take over keys written by an
 * earlier one, put the run's epoch in the high bits (the StreamRec job does).
 *
 * <p>Some extra meta fields are counters or timestamps that must never move backwards, even when
 * a newer version comes from a run that has not caught up yet (a repair from an older savepoint):
 * {@link #monotonicMeta()} names them. Their values are non-negative decimal integers, and applying
 * the write stores the larger of the stored and the new value.
 *
 * <p>Immutable and thread-safe: arrays and the map are copied on the way in and out.
 */
@PublicEvolving
public final class VersionedWrite {

    /** Meta fields written by the sink itself; extra meta must not use them. */
    public static final String VERSION_FIELD = "version";

    public static final String UPDATED_FIELD = "updated";

    private static final Pattern NON_NEGATIVE_INTEGER = Pattern.compile("0|[1-9][0-9]{0,18}");

    private final String key;
    private final long version;
    private final long updatedMillis;
    private final String[] members;
    private final double[] scores;
    private final Map<String, String> extraMeta;
    private final Set<String> monotonicMeta;
    private final boolean deletion;
    /** Expiry of both keys after this write, in milliseconds; 0: none. */
    private long ttlMillis;
    /**
     * The committable bytes of this write, kept by {@link VersionedWriteSerializer} after it has
     * encoded it once (the write never changes). Null until then.
     */
    private volatile byte[] encoded;

    /**
     * @param key the sorted set key, e.g. {@link RedisKeys#userList(String, String)}
     * @param version non-negative, monotonic per key
     * @param updatedMillis when the list was computed, epoch milliseconds
     * @param members the items, best first or in any order (Redis orders by score); may be empty
     * @param scores one finite score per member
     * @param extraMeta additional fields for the meta hash (e.g. {@code events}); may be empty
     */
    public VersionedWrite(
            String key,
            long version,
            long updatedMillis,
            String[] members,
            double[] scores,
            Map<String, String> extraMeta) {
        this(key, version, updatedMillis, members, scores, extraMeta, Set.of());
    }

    /**
     * @param monotonicMeta names of fields of {@code extraMeta} that never decrease in Redis; their
     *     values must be non-negative decimal integers
     */
    public VersionedWrite(
            String key,
            long version,
            long updatedMillis,
            String[] members,
            double[] scores,
            Map<String, String> extraMeta,
            Set<String> monotonicMeta) {
        this.key = Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (version < 0) {
            throw new IllegalArgumentException(
                    "version must be non-negative, got " + version + " for key " + key);
        }
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(scores, "scores");
        if (members.length != scores.length) {
            throw new IllegalArgumentException(
                    "key "
                            + key
                            + " has "
                            + members.length
                            + " members but "
                            + scores.length
                            + " scores");
        }
        for (int i = 0; i < members.length; i++) {
            Objects.requireNonNull(members[i], () -> "member must not be null in key " + key);
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException(
                        "score of member " + members[i] + " in key " + key + " is " + scores[i]);
            }
        }
        Objects.requireNonNull(extraMeta, "extraMeta");
        for (Map.Entry<String, String> field : extraMeta.entrySet()) {
            Objects.requireNonNull(field.getKey(), "extra meta field name");
            Objects.requireNonNull(field.getValue(), () -> "value of meta field " + field.getKey());
            if (field.getKey().equals(VERSION_FIELD) || field.getKey().equals(UPDATED_FIELD)) {
                throw new IllegalArgumentException(
                        "extra meta field '" + field.getKey() + "' is reserved by the sink");
            }
        }
        Objects.requireNonNull(monotonicMeta, "monotonicMeta");
        for (String field : monotonicMeta) {
            String value = extraMeta.get(field);
            if (value == null || !NON_NEGATIVE_INTEGER.matcher(value).matches()) {
                throw new IllegalArgumentException(
                        "monotonic meta field '"
                                + field
                                + "' of key "
                                + key
                                + " must be an extra meta field with a non-negative integer value,"
                                + " got "
                                + value);
            }
        }
        this.version = version;
        this.updatedMillis = updatedMillis;
        this.monotonicMeta = Collections.unmodifiableSet(new LinkedHashSet<>(monotonicMeta));
        this.members = members.clone();
        this.scores = scores.clone();
        this.extraMeta = Collections.unmodifiableMap(new LinkedHashMap<>(extraMeta));
        this.deletion = false;
    }

    private VersionedWrite(String key, long version, long updatedMillis) {
        this.key = Objects.requireNonNull(key, "key");
        if (key.isEmpty() || version < 0) {
            throw new IllegalArgumentException("a deletion needs a key and a non-negative version, got " + key + " " + version);
        }
        this.version = version;
        this.updatedMillis = updatedMillis;
        this.members = new String[0];
        this.scores = new double[0];
        this.extraMeta = Map.of();
        this.monotonicMeta = Set.of();
        this.deletion = true;
    }

    /**
     * The deletion of {@code key} and its meta hash, guarded by the version like a write: applied
     * only if the stored version is absent or smaller. Afterwards nothing of the key is left, so the
     * next write of the key applies whatever its version (a forgotten user starts again).
     */
    public static VersionedWrite deletion(String key, long version, long updatedMillis) {
        return new VersionedWrite(key, version, updatedMillis);
    }

    /**
     * This write, with both keys set to expire {@code ttlMillis} after it is applied (0: never), so
     * the keys of a user no write refreshes any more disappear even when no job deletes them.
     */
    public VersionedWrite expiringAfter(long ttlMillis) {
        if (ttlMillis < 0) {
            throw new IllegalArgumentException("ttlMillis must not be negative, got " + ttlMillis + " for key " + key);
        }
        VersionedWrite copy = deletion ? deletion(key, version, updatedMillis)
                : new VersionedWrite(key, version, updatedMillis, members, scores, extraMeta, monotonicMeta);
        copy.ttlMillis = deletion ? 0 : ttlMillis;
        return copy;
    }

    /** The bytes {@link VersionedWriteSerializer} encoded this write to, or null before it did. */
    byte[] encoded() {
        return encoded;
    }

    void rememberEncoded(byte[] bytes) {
        encoded = bytes;
    }

    /** Milliseconds after which both keys expire once this write is applied; 0: never. */
    public long ttlMillis() {
        return ttlMillis;
    }

    /** True for a {@link #deletion}. */
    public boolean isDeletion() {
        return deletion;
    }

    /** A write without extra meta fields. */
    public VersionedWrite(
            String key, long version, long updatedMillis, String[] members, double[] scores) {
        this(key, version, updatedMillis, members, scores, Map.of());
    }

    public String key() {
        return key;
    }

    /** The hash with this list's version, update time and extra fields. */
    public String metaKey() {
        return RedisKeys.meta(key);
    }

    public long version() {
        return version;
    }

    public long updatedMillis() {
        return updatedMillis;
    }

    /** Number of members. */
    public int size() {
        return members.length;
    }

    public String member(int index) {
        return members[index];
    }

    public double score(int index) {
        return scores[index];
    }

    public String[] members() {
        return members.clone();
    }

    public double[] scores() {
        return scores.clone();
    }

    /** Extra meta fields in insertion order; unmodifiable. */
    public Map<String, String> extraMeta() {
        return extraMeta;
    }

    /** The extra meta fields that never decrease in Redis; unmodifiable. */
    public Set<String> monotonicMeta() {
        return monotonicMeta;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VersionedWrite)) {
            return false;
        }
        VersionedWrite that = (VersionedWrite) o;
        return version == that.version
                && updatedMillis == that.updatedMillis
                && key.equals(that.key)
                && Arrays.equals(members, that.members)
                && Arrays.equals(scores, that.scores)
                && extraMeta.equals(that.extraMeta)
                && monotonicMeta.equals(that.monotonicMeta)
                && deletion == that.deletion
                && ttlMillis == that.ttlMillis;
    }

    @Override
    public int hashCode() {
        int result = Objects.hash(key, version, updatedMillis, extraMeta, monotonicMeta, deletion, ttlMillis);
        result = 31 * result + Arrays.hashCode(members);
        return 31 * result + Arrays.hashCode(scores);
    }

    @Override
    public String toString() {
        return (deletion ? "VersionedWrite{deletion, key=" : "VersionedWrite{key=")
                + key
                + ", version="
                + version
                + ", updated="
                + updatedMillis
                + ", members="
                + members.length
                + ", extraMeta="
                + extraMeta
                + '}';
    }
}
