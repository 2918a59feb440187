package io.streamrec.sinks.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes the Redis sink's committables ({@link WriteBatch}) into checkpoints and between the
 * writer and the committer.
 *
 * <p>Version 5 (this one): the number of writes (int), then each write as its length (int) and its
 * bytes in the latest {@link VersionedWriteSerializer} layout. Versions 1 to 4 are the committables
 * of releases before batches, one write each: read as a batch of that one write, so a savepoint
 * taken with lists waiting for their commit restores into this release.
 */
final class WriteBatchSerializer implements SimpleVersionedSerializer<WriteBatch> {

    static final int VERSION = 5;

    private final VersionedWriteSerializer writes = new VersionedWriteSerializer();

    @Override
    public int getVersion() {
        return VERSION;
    }

    /**
     * The batch's bytes, encoded on the first call and kept on the batch (Flink serializes each
     * committable several times per checkpoint). The array is shared: callers must not change it,
     * and Flink's do not (they copy it into their output).
     */
    @Override
    public byte[] serialize(WriteBatch batch) throws IOException {
        byte[] bytes = batch.encodedBytes();
        if (bytes != null && batch.encodedVersion() == VERSION) {
            return bytes;
        }
        List<VersionedWrite> all = batch.writes();
        List<byte[]> encoded = new ArrayList<>(all.size());
        int length = 4;
        for (VersionedWrite write : all) {
            byte[] one = writes.encoded(write);
            encoded.add(one);
            length += 4 + one.length;
        }
        DataOutputSerializer out = new DataOutputSerializer(length);
        out.writeInt(all.size());
        for (byte[] one : encoded) {
            out.writeInt(one.length);
            out.write(one);
        }
        bytes = out.getSharedBuffer();
        if (bytes.length != out.length()) {
            bytes = out.getCopyOfBuffer();
        }
        batch.rememberEncoded(bytes);
        return bytes;
    }

    @Override
    public WriteBatch deserialize(int version, byte[] serialized) throws IOException {
        if (version < 1 || version > VERSION) {
            throw new IOException(
                    "Unknown version " + version + " of a Redis sink committable; this build reads versions 1 to " + VERSION);
        }
        int size = version == VERSION ? WriteBatch.countOf(serialized) : 1;
        return WriteBatch.encoded(serialized, version, size);
    }

    /** The writes of a batch encoded in {@code version}. */
    static List<VersionedWrite> decode(int version, byte[] serialized) throws IOException {
        VersionedWriteSerializer writes = new VersionedWriteSerializer();
        if (version < VERSION) {
            List<VersionedWrite> one = new ArrayList<>(1);
            one.add(writes.deserialize(version, serialized));
            return one;
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int count = in.readInt();
        List<VersionedWrite> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] one = new byte[in.readInt()];
            in.readFully(one);
            out.add(writes.deserialize(VersionedWriteSerializer.VERSION, one));
        }
        return out;
    }
}
