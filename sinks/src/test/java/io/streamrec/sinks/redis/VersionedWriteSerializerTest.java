package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.io.SimpleVersionedSerialization;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class VersionedWriteSerializerTest {

    private final VersionedWriteSerializer serializer = new VersionedWriteSerializer();

    @Test
    void roundTripsAllFields() throws IOException {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("events", "42");
        extra.put("note", "ünïcødé ✓");
        VersionedWrite write =
                new VersionedWrite(
                        "rec:user-ß",
                        Long.MAX_VALUE,
                        1_700_000_000_123L,
                        new String[] {"item-1", "item-2", "ñ"},
                        new double[] {0.9, -1.5e-7, 0.0},
                        extra);

        VersionedWrite copy =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(write));

        assertThat(copy).isEqualTo(write);
        assertThat(copy.extraMeta().keySet()).containsExactly("events", "note");
    }

    @Test
    void roundTripsMonotonicMetaFields() throws IOException {
        VersionedWrite write =
                new VersionedWrite(
                        "rec:u1",
                        (7L << 32) + 3,
                        1,
                        new String[] {"a"},
                        new double[] {1},
                        Map.of("interactions", "12", "eventTs", "1700000000000", "note", "x"),
                        Set.of("interactions", "eventTs"));

        VersionedWrite copy =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(write));

        assertThat(copy).isEqualTo(write);
        assertThat(copy.monotonicMeta()).containsExactlyInAnyOrder("interactions", "eventTs");
    }

    @Test
    void readsVersionOneCommittablesOfEarlierCheckpoints() throws IOException {
        // the version 1 layout: key, version, updated, members with scores, extra meta
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (Object field : new Object[] {"rec:u1", 5L, 6L, 1, "a", 0.5, 1, "events", "3"}) {
            if (field instanceof String) {
                byte[] bytes = ((String) field).getBytes(StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
            } else if (field instanceof Long) {
                out.writeLong((Long) field);
            } else if (field instanceof Integer) {
                out.writeInt((Integer) field);
            } else {
                out.writeDouble((Double) field);
            }
        }

        VersionedWrite write = serializer.deserialize(1, out.getCopyOfBuffer());

        assertThat(write)
                .isEqualTo(
                        new VersionedWrite(
                                "rec:u1", 5, 6, new String[] {"a"}, new double[] {0.5},
                                Map.of("events", "3")));
        assertThat(write.monotonicMeta()).isEmpty();
    }

    @Test
    void roundTripsADeletion() throws IOException {
        VersionedWrite deletion = VersionedWrite.deletion("rec:u9", (7L << 32) + 4, 123);
        VersionedWrite copy = serializer.deserialize(serializer.getVersion(), serializer.serialize(deletion));
        assertThat(copy).isEqualTo(deletion);
        assertThat(copy.isDeletion()).isTrue();
        assertThat(copy.version()).isEqualTo((7L << 32) + 4);
        assertThat(copy).isNotEqualTo(new VersionedWrite("rec:u9", (7L << 32) + 4, 123, new String[0], new double[0]));
    }

    @Test
    void roundTripsAnEmptyList() throws IOException {
        VersionedWrite write = new VersionedWrite("k", 0, 0, new String[0], new double[0]);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(write)))
                .isEqualTo(write);
    }

    @Test
    void roundTripsTheTtl() throws IOException {
        VersionedWrite write = new VersionedWrite("k", 3, 9, new String[] {"a"}, new double[] {1}).expiringAfter(86_400_000L);
        VersionedWrite copy = serializer.deserialize(serializer.getVersion(), serializer.serialize(write));
        assertThat(copy).isEqualTo(write);
        assertThat(copy.ttlMillis()).isEqualTo(86_400_000L);
    }

    @Test
    void rejectsUnknownVersions() {
        assertThatThrownBy(() -> serializer.deserialize(5, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown version 5");
    }

    @Test
    void encodesAWriteOnceAndHandsOutCopies() throws IOException {
        VersionedWrite write =
                new VersionedWrite("rec:u1", 9, 10, new String[] {"a", "b"}, new double[] {2, 1}, Map.of("events", "3"));
        assertThat(write.encoded()).isNull();
        byte[] first = serializer.serialize(write);
        byte[] kept = write.encoded();
        assertThat(kept).isEqualTo(first).isNotSameAs(first);

        first[0] = 42; // a caller's copy is its own
        byte[] second = serializer.serialize(write);
        assertThat(write.encoded()).isSameAs(kept);
        assertThat(second).isEqualTo(kept);
        // the bytes are those of an equal write encoded afresh
        VersionedWrite copy = serializer.deserialize(serializer.getVersion(), second);
        assertThat(copy).isEqualTo(write);
        assertThat(serializer.serialize(copy)).isEqualTo(kept);
    }

    /**
     * Why the bytes are kept: Flink's list serialization (which the committer's state nests three
     * deep) asks for every element twice.
     */
    @Test
    void flinksListSerializationAsksTwicePerElementAndGetsTheKeptBytes() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        SimpleVersionedSerializer<VersionedWrite> counting = new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return serializer.getVersion();
            }

            @Override
            public byte[] serialize(VersionedWrite obj) throws IOException {
                calls.incrementAndGet();
                return serializer.serialize(obj);
            }

            @Override
            public VersionedWrite deserialize(int version, byte[] serialized) throws IOException {
                return serializer.deserialize(version, serialized);
            }
        };
        List<VersionedWrite> writes = List.of(
                new VersionedWrite("rec:u1", 1, 1, new String[] {"a"}, new double[] {1}),
                new VersionedWrite("rec:u2", 2, 2, new String[] {"b"}, new double[] {1}));
        DataOutputSerializer out = new DataOutputSerializer(256);
        SimpleVersionedSerialization.writeVersionAndSerializeList(counting, writes, out);
        assertThat(calls.get()).isEqualTo(2 * writes.size());
        byte[] kept = writes.get(0).encoded();
        SimpleVersionedSerialization.writeVersionAndSerializeList(counting, writes, out);
        assertThat(writes.get(0).encoded()).isSameAs(kept);

        List<VersionedWrite> read = SimpleVersionedSerialization.readVersionAndDeserializeList(
                counting, new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read).isEqualTo(writes);
    }
}
