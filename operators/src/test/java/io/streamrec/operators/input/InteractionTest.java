package io.streamrec.operators.input;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InteractionTest {

    private static Interaction anonymous(String user, String item, EventType type, long ts) {
        return new Interaction(null, user, item, type, Double.NaN, ts);
    }

    @Test
    void dedupKeyIsTheIdWhenPresent() {
        assertThat(new Interaction("e-1", "u", "i", EventType.CLICK, 1.0, 5L).dedupKey()).isEqualTo("e-1");
    }

    @Test
    void dedupKeyWithoutIdIsAStableHash() {
        String key = anonymous("u42", "i7", EventType.CLICK, 1_700_000_000_123L).dedupKey();
        assertThat(key).matches("[0-9a-f]{32}");
        assertThat(anonymous("u42", "i7", EventType.CLICK, 1_700_000_000_123L).dedupKey()).isEqualTo(key);
        // Pinned: the key is part of dedup state and must not change across releases.
        assertThat(key).isEqualTo(PINNED_KEY);
    }

    @Test
    void dedupKeyIgnoresValueButDiffersInEveryKeyedField() {
        Interaction base = anonymous("u42", "i7", EventType.CLICK, 1000L);
        Interaction withValue = anonymous("u42", "i7", EventType.CLICK, 1000L);
        withValue.value = 3.0;
        assertThat(withValue.dedupKey()).isEqualTo(base.dedupKey());
        assertThat(anonymous("u43", "i7", EventType.CLICK, 1000L).dedupKey()).isNotEqualTo(base.dedupKey());
        assertThat(anonymous("u42", "i8", EventType.CLICK, 1000L).dedupKey()).isNotEqualTo(base.dedupKey());
        assertThat(anonymous("u42", "i7", EventType.VIEW, 1000L).dedupKey()).isNotEqualTo(base.dedupKey());
        assertThat(anonymous("u42", "i7", EventType.CLICK, 1001L).dedupKey()).isNotEqualTo(base.dedupKey());
        // length prefixes: moving characters between user and item changes the key
        assertThat(anonymous("u4", "2i7", EventType.CLICK, 1000L).dedupKey()).isNotEqualTo(base.dedupKey());
    }

    @Test
    void parsedRecordsWithoutIdDeduplicateOnContent() {
        InteractionParser parser = new InteractionParser();
        String a = "{\"user\":\"u\",\"item\":\"i\",\"type\":\"like\",\"ts\":1700000000000}";
        String b = "{\"ts\":1700000000000,\"type\":\"LIKE\",\"item\":\"i\",\"user\":\"u\",\"extra\":1}";
        long now = 1_700_000_000_000L;
        assertThat(parser.parse(a, now).interaction().dedupKey())
                .isEqualTo(parser.parse(b, now).interaction().dedupKey());
    }

    /** First 16 bytes of SHA-256 over length-prefixed UTF-8 user, item, type and big-endian ts. */
    private static final String PINNED_KEY = "d5fe024777004bc75400ab0aef3787d2";
}
