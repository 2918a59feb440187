package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
}
