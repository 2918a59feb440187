package io.streamrec.sinks.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.core.memory.DataInputDeserializer;

/**
 * The committable of the Redis sink: every write one writer subtask keeps for one checkpoint, in the
 * order they are to be applied.
 *
 * <p>One committable per checkpoint rather than one per list, because Flink handles committables
 * one by one: it copies each between the writer and the committer (serialize, deserialize), and in
 * every checkpoint of the committer it serializes each pending one through three nested lists and
 * deep-copies the committer's state (serialize, deserialize again). With a million users nearly every
 * event writes a list of its own, and that per-list work took a third of the Redis sink's thread in a
 * profile (docs/PERFORMANCE.md). A batch is encoded once ({@link WriteBatchSerializer}); a batch
 * read back from bytes keeps them and decodes its writes only when they are asked for, at commit.
 */
@PublicEvolving
public final class WriteBatch {

    private volatile List<VersionedWrite> writes;
    private volatile byte[] encoded;
    /** The committable version of {@link #encoded}; see {@link WriteBatchSerializer#deserialize}. */
    private volatile int encodedVersion;
    private final int size;

    private WriteBatch(List<VersionedWrite> writes, byte[] encoded, int encodedVersion, int size) {
        this.writes = writes;
        this.encoded = encoded;
        this.encodedVersion = encodedVersion;
        this.size = size;
    }

    /** The writes, in the order to apply them. */
    public static WriteBatch of(List<VersionedWrite> writes) {
        List<VersionedWrite> copy = Collections.unmodifiableList(new ArrayList<>(writes));
        return new WriteBatch(copy, null, WriteBatchSerializer.VERSION, copy.size());
    }

    /** A batch of {@code size} writes held as the bytes {@link WriteBatchSerializer} wrote. */
    static WriteBatch encoded(byte[] bytes, int version, int size) {
        return new WriteBatch(null, bytes, version, size);
    }

    /** The writes, in order; decoded on the first call when the batch was read from bytes. */
    public List<VersionedWrite> writes() {
        List<VersionedWrite> decoded = writes;
        if (decoded == null) {
            try {
                decoded = Collections.unmodifiableList(WriteBatchSerializer.decode(encodedVersion, encoded));
            } catch (IOException e) {
                throw new UncheckedIOException("a Redis sink committable could not be decoded", e);
            }
            writes = decoded;
        }
        return decoded;
    }

    /** How many writes the batch holds, without decoding them. */
    public int size() {
        return size;
    }

    byte[] encodedBytes() {
        return encoded;
    }

    int encodedVersion() {
        return encodedVersion;
    }

    /** Keeps the latest version's bytes of this batch, whose writes are decoded by now. */
    void rememberEncoded(byte[] bytes) {
        writes();
        encoded = bytes;
        encodedVersion = WriteBatchSerializer.VERSION;
    }

    /** The count a version-5 encoding starts with. */
    static int countOf(byte[] bytes) throws IOException {
        return new DataInputDeserializer(bytes).readInt();
    }

    @Override
    public String toString() {
        return "WriteBatch{" + size + " writes}";
    }
}
