package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
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
    void roundTripsAnEmptyList() throws IOException {
        VersionedWrite write = new VersionedWrite("k", 0, 0, new String[0], new double[0]);
        assertThat(serializer.deserialize(1, serializer.serialize(write))).isEqualTo(write);
    }

    @Test
    void rejectsUnknownVersions() {
        assertThatThrownBy(() -> serializer.deserialize(2, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown version 2");
    }
}
