package io.streamrec.operators.input;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One validated user-item interaction. A Flink POJO (public no-arg constructor, public mutable
 * fields), so Flink serializes it without Kryo. Instances produced by {@link InteractionParser}
 * satisfy the input contract; instances built by hand are not checked.
 */
public class Interaction {

    /** Producer's event id, used for deduplication; {@code null} if the record had none. */
    public String id;

    public String user;

    public String item;

    public EventType type;

    /** Rating or event value; {@link Double#NaN} when the record had none. */
    public double value = Double.NaN;

    /** Event time, epoch milliseconds. */
    public long ts;

    public Interaction() {}

    public Interaction(String id, String user, String item, EventType type, double value, long ts) {
        this.id = id;
        this.user = user;
        this.item = item;
        this.type = type;
        this.value = value;
        this.ts = ts;
    }

    /** Whether the record carried a value. */
    public boolean hasValue() {
        return !Double.isNaN(value);
    }

    /**
     * Key under which duplicates collapse: the producer's {@code id} if present, otherwise 32 hex
     * characters (128 bits of SHA-256) over user, item, type and ts, so a producer that retries
     * without ids still deduplicates. Fields are length-prefixed, so no two distinct tuples share an
     * input. Stable across JVMs and releases: it is part of dedup state.
     */
    public String dedupKey() {
        if (id != null) {
            return id;
        }
        byte[] u = bytes(user);
        byte[] i = bytes(item);
        byte[] t = bytes(type == null ? null : type.wireName());
        ByteBuffer buf = ByteBuffer.allocate(12 + u.length + i.length + t.length + 8);
        buf.putInt(u.length).put(u).putInt(i.length).put(i).putInt(t.length).put(t).putLong(ts);
        byte[] digest = sha256().digest(buf.array());
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Interaction other
                && Objects.equals(id, other.id)
                && Objects.equals(user, other.user)
                && Objects.equals(item, other.item)
                && type == other.type
                && Double.compare(value, other.value) == 0
                && ts == other.ts;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, user, item, type, value, ts);
    }

    @Override
    public String toString() {
        return "Interaction{id=" + id + ", user=" + user + ", item=" + item + ", type=" + type
                + ", value=" + value + ", ts=" + ts + '}';
    }
}
