package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionedWriteTest {

    @Test
    void copiesItsInputs() {
        String[] members = {"a"};
        double[] scores = {1.0};
        Map<String, String> extra = new HashMap<>(Map.of("events", "1"));
        VersionedWrite write = new VersionedWrite("rec:u", 1, 2, members, scores, extra);

        members[0] = "changed";
        scores[0] = 7;
        extra.put("events", "changed");

        assertThat(write.members()).containsExactly("a");
        assertThat(write.scores()).containsExactly(1.0);
        assertThat(write.extraMeta()).containsExactly(Map.entry("events", "1"));
        assertThat(write.metaKey()).isEqualTo("rec:u:meta");
    }

    @Test
    void rejectsInvalidWrites() {
        String[] one = {"a"};
        double[] score = {1.0};
        assertThatThrownBy(() -> new VersionedWrite("", 1, 0, one, score))
                .hasMessageContaining("key must not be empty");
        assertThatThrownBy(() -> new VersionedWrite("k", -1, 0, one, score))
                .hasMessageContaining("version must be non-negative");
        assertThatThrownBy(() -> new VersionedWrite("k", 1, 0, one, new double[0]))
                .hasMessageContaining("1 members but 0 scores");
        assertThatThrownBy(() -> new VersionedWrite("k", 1, 0, one, new double[] {Double.NaN}))
                .hasMessageContaining("score of member a");
        assertThatThrownBy(
                        () -> new VersionedWrite("k", 1, 0, one, score, Map.of("version", "9")))
                .hasMessageContaining("'version' is reserved");
    }
}
