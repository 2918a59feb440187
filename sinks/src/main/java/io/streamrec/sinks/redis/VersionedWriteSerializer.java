package io.streamrec.sinks.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes committables (pending {@link VersionedWrite}s) into checkpoints and between the writer
 * and committer.
 *
 * <p>Version 1 layout: key, version (long), updated (long), member count (int), then per member
 * the member and its score (double), then the extra meta count (int) and field/value pairs.
 * Strings are UTF-8 with an int length prefix, so they are not limited to 64 KB. Version 2 appends
 * the monotonic meta fields: their count (int) and names. A new layout gets a new version; old
 * versions stay readable so checkpoints survive upgrades.
 */
final class VersionedWriteSerializer implements SimpleVersionedSerializer<VersionedWrite> {

    static final int VERSION = 4;

    @Override
    public int getVersion() {
        return VERSION;
    }

    /**
     * The write's bytes; a write is encoded once and the bytes are kept on it. Flink 2.2 calls this
     * 8 times per committable in every checkpoint of the committer: its
     * {@code SimpleVersionedSerialization.writeVersionAndSerializeList} serializes each element
     * twice (once for the length, once for the bytes), and the committer's state nests three such
     * lists (checkpoints, subtasks, requests). A profile of the bench with a million users found
     * that encoding taking 40% of the Redis sink's thread (docs/PERFORMANCE.md). Callers get a copy.
     */
    @Override
    public byte[] serialize(VersionedWrite write) throws IOException {
        return encoded(write).clone();
    }

    /** The write's bytes, encoded on the first call and kept on it; shared, not to be changed. */
    byte[] encoded(VersionedWrite write) throws IOException {
        byte[] encoded = write.encoded();
        if (encoded == null) {
            encoded = encode(write);
            write.rememberEncoded(encoded);
        }
        return encoded;
    }

    private static byte[] encode(VersionedWrite write) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64 + 24 * write.size());
        out.writeBoolean(write.isDeletion());
        writeString(out, write.key());
        out.writeLong(write.version());
        out.writeLong(write.updatedMillis());
        out.writeInt(write.size());
        for (int i = 0; i < write.size(); i++) {
            writeString(out, write.member(i));
            out.writeDouble(write.score(i));
        }
        out.writeInt(write.extraMeta().size());
        for (Map.Entry<String, String> field : write.extraMeta().entrySet()) {
            writeString(out, field.getKey());
            writeString(out, field.getValue());
        }
        out.writeInt(write.monotonicMeta().size());
        for (String field : write.monotonicMeta()) {
            writeString(out, field);
        }
        out.writeLong(write.ttlMillis());
        return out.getCopyOfBuffer();
    }

    @Override
    public VersionedWrite deserialize(int version, byte[] serialized) throws IOException {
        if (version < 1 || version > VERSION) {
            throw new IOException(
                    "Unknown version "
                            + version
                            + " of a Redis sink committable; this build reads version "
                            + VERSION);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        boolean deletion = version >= 3 && in.readBoolean();
        String key = readString(in);
        long listVersion = in.readLong();
        long updated = in.readLong();
        if (deletion) {
            return VersionedWrite.deletion(key, listVersion, updated);
        }
        int size = in.readInt();
        String[] members = new String[size];
        double[] scores = new double[size];
        for (int i = 0; i < size; i++) {
            members[i] = readString(in);
            scores[i] = in.readDouble();
        }
        int fields = in.readInt();
        Map<String, String> extraMeta = new LinkedHashMap<>();
        for (int i = 0; i < fields; i++) {
            extraMeta.put(readString(in), readString(in));
        }
        Set<String> monotonic = new LinkedHashSet<>();
        if (version >= 2) {
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                monotonic.add(readString(in));
            }
        }
        VersionedWrite write = new VersionedWrite(key, listVersion, updated, members, scores, extraMeta, monotonic);
        return version >= 4 ? write.expiringAfter(in.readLong()) : write;
    }

    private static void writeString(DataOutputSerializer out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputDeserializer in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
