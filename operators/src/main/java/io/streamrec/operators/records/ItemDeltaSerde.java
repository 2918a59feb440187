package io.streamrec.operators.records;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Binary wire format of {@link ItemDelta} on the gradient topic. The first byte is a format
 * version so that a later release can read gradients written by an earlier one during an upgrade.
 */
public final class ItemDeltaSerde {
    static final byte VERSION = 4;
    /**
     * First byte of a chunk of deltas in the UserWorker's checkpoint ({@link #chunks}); a single
     * delta starts with its format version, 1 to {@link #VERSION}.
     */
    static final byte CHUNK = 0x7F;
    /** Largest chunk {@link #chunks} builds unless one delta alone is larger. */
    public static final int CHUNK_BYTES = 256 * 1024;

    private ItemDeltaSerde() {}

    /**
     * The delta's bytes. Written into one array with no stream in between: the layout is the one
     * {@link java.io.DataOutputStream} gives (big-endian numbers, strings in modified UTF-8 with an
     * unsigned 16-bit length), which earlier releases wrote and every release reads.
     */
    public static byte[] serialize(ItemDelta d) {
        int size = 1 + utfSize(d.item) + 2 + 4 * d.dq.length + 4 + 8 + 8 + 8
                + 1 + (d.origin != null ? utfSize(d.origin) : 0) + 8 + 4
                + 1 + (d.republish != null ? utfSize(d.republish) : 0) + 1;
        Writer out = new Writer(size);
        out.writeByte(VERSION);
        out.writeUtf(d.item);
        out.writeShort(d.dq.length);
        for (float x : d.dq) {
            out.writeInt(Float.floatToIntBits(x));
        }
        out.writeInt(Float.floatToIntBits(d.db));
        out.writeLong(d.interactions);
        out.writeLong(Double.doubleToLongBits(d.popularityLog));
        out.writeLong(d.maxTs);
        out.writeByte(d.origin != null ? 1 : 0);
        if (d.origin != null) {
            out.writeUtf(d.origin);
        }
        out.writeLong(d.checkpointId);
        out.writeInt(d.sender);
        out.writeByte(d.republish != null ? 1 : 0);
        if (d.republish != null) {
            out.writeUtf(d.republish);
        }
        out.writeByte(d.retirement);
        return out.bytes;
    }

    /**
     * {@link #serialize}, encoded on the first call for {@code d} and remembered on it. For the
     * UserWorker's checkpoints: a delta stays in flight, and in every checkpoint, until the ItemServer
     * confirms it, which is often several checkpoints later (a profile at a million users found the
     * re-encoding at 10% of the UserWorker's thread). The caller must not change {@code d} after the
     * first call; in-flight deltas are not changed.
     */
    public static byte[] serializeOnce(ItemDelta d) {
        byte[] bytes = d.encoded;
        if (bytes == null) {
            bytes = serialize(d);
            d.encoded = bytes;
        }
        return bytes;
    }

    /** Lets go of the bytes {@link #serializeOnce} kept on {@code d} (a caller that keeps them elsewhere). */
    public static void forgetEncoded(ItemDelta d) {
        d.encoded = null;
    }

    /** Bytes of {@code s} in modified UTF-8 with its length prefix, as {@code writeUTF} writes it. */
    private static int utfSize(String s) {
        int size = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            size += c >= 1 && c <= 0x7F ? 1 : c <= 0x7FF ? 2 : 3;
        }
        if (size > 0xFFFF) {
            throw new IllegalArgumentException("a string of " + size + " encoded bytes is longer than an ItemDelta carries (65535): "
                    + s.substring(0, 40) + "...");
        }
        return 2 + size;
    }

    /** Big-endian writes into an array sized beforehand. */
    private static final class Writer {
        final byte[] bytes;
        int pos;

        Writer(int size) {
            bytes = new byte[size];
        }

        void writeByte(int v) {
            bytes[pos++] = (byte) v;
        }

        void writeShort(int v) {
            bytes[pos++] = (byte) (v >>> 8);
            bytes[pos++] = (byte) v;
        }

        void writeInt(int v) {
            bytes[pos++] = (byte) (v >>> 24);
            bytes[pos++] = (byte) (v >>> 16);
            bytes[pos++] = (byte) (v >>> 8);
            bytes[pos++] = (byte) v;
        }

        void writeLong(long v) {
            writeInt((int) (v >>> 32));
            writeInt((int) v);
        }

        /** Length (the encoded bytes, unsigned 16 bits), then each char in 1, 2 or 3 bytes. */
        void writeUtf(String s) {
            int lengthAt = pos;
            pos += 2;
            for (int i = 0, n = s.length(); i < n; i++) {
                char c = s.charAt(i);
                if (c >= 1 && c <= 0x7F) {
                    bytes[pos++] = (byte) c;
                } else if (c <= 0x7FF) {
                    bytes[pos++] = (byte) (0xC0 | (c >> 6));
                    bytes[pos++] = (byte) (0x80 | (c & 0x3F));
                } else {
                    bytes[pos++] = (byte) (0xE0 | (c >> 12));
                    bytes[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    bytes[pos++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            int length = pos - lengthAt - 2;
            bytes[lengthAt] = (byte) (length >>> 8);
            bytes[lengthAt + 1] = (byte) length;
        }
    }

    /**
     * The deltas as chunks of at most {@code maxChunkBytes} (one delta larger than that gets a chunk
     * of its own): {@link #CHUNK}, the count (int), then each delta's length (int) and bytes
     * ({@link #serializeOnce}). For the UserWorker's checkpoint of its in-flight deltas, which holds
     * tens of thousands of them at a large catalogue (every event's negatives touch other items):
     * each chunk is one partition of its raw operator state, written with one array write
     * (docs/PERFORMANCE.md, fix 10).
     */
    public static List<byte[]> chunks(Collection<ItemDelta> deltas, int maxChunkBytes) {
        List<byte[]> chunks = new ArrayList<>();
        List<byte[]> current = new ArrayList<>();
        int size = 5;
        for (ItemDelta d : deltas) {
            byte[] one = serializeOnce(d);
            if (!current.isEmpty() && size + 4 + one.length > maxChunkBytes) {
                chunks.add(chunk(current, size));
                current.clear();
                size = 5;
            }
            current.add(one);
            size += 4 + one.length;
        }
        if (!current.isEmpty()) {
            chunks.add(chunk(current, size));
        }
        return chunks;
    }

    private static byte[] chunk(List<byte[]> deltas, int size) {
        Writer out = new Writer(size);
        out.writeByte(CHUNK);
        out.writeInt(deltas.size());
        for (byte[] one : deltas) {
            out.writeInt(one.length);
            System.arraycopy(one, 0, out.bytes, out.pos, one.length);
            out.pos += one.length;
        }
        return out.bytes;
    }

    /**
     * The deltas of one element of the UserWorker's in-flight state: a chunk ({@link #chunks}), or a
     * single delta as releases before chunks wrote them.
     */
    public static List<ItemDelta> deserializeStateElement(byte[] data) throws IOException {
        if (data.length == 0 || data[0] != CHUNK) {
            return List.of(deserialize(data));
        }
        ByteBuffer in = ByteBuffer.wrap(data); // big-endian, as written
        in.get();
        int count = in.getInt();
        List<ItemDelta> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] one = new byte[in.getInt()];
            in.get(one);
            out.add(deserialize(one));
        }
        return out;
    }

    public static ItemDelta deserialize(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        byte version = in.readByte();
        if (version < 1 || version > VERSION) {
            throw new IOException("unknown ItemDelta format version " + version);
        }
        ItemDelta d = new ItemDelta();
        d.item = in.readUTF();
        int dim = in.readUnsignedShort();
        d.dq = new float[dim];
        for (int k = 0; k < dim; k++) {
            d.dq[k] = in.readFloat();
        }
        d.db = in.readFloat();
        d.interactions = in.readLong();
        d.popularityLog = in.readDouble();
        d.maxTs = in.readLong();
        if (version >= 2) {
            d.origin = in.readBoolean() ? in.readUTF() : null;
            d.checkpointId = in.readLong();
            d.sender = in.readInt();
        }
        if (version >= 3) {
            d.republish = in.readBoolean() ? in.readUTF() : null;
        }
        if (version >= 4) {
            d.retirement = in.readByte();
        }
        return d;
    }
}
