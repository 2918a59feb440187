package io.streamrec.operators.input;

import io.streamrec.operators.records.ItemMetadata;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ItemMetadataParserTest {

    private static final long NOW = 1_800_000_000_000L;
    private final ItemMetadataParser parser = new ItemMetadataParser(ValidationRules.defaults());

    @Test
    void parsesAFullRecord() {
        ItemMetadataParser.Result r = parser.parse(
                "{\"item\":\"i7\",\"categories\":[\"shoes\",\"kids\"],\"available\":false,\"ts\":1700000000123,\"extra\":{\"a\":1}}", NOW);
        assertThat(r.ok()).isTrue();
        ItemMetadata m = r.metadata();
        assertThat(m.item).isEqualTo("i7");
        assertThat(m.categories).containsExactly("shoes", "kids");
        assertThat(m.available).isFalse();
        assertThat(m.ts).isEqualTo(1700000000123L);
    }

    @Test
    void categoriesAndAvailabilityAreOptionalAndDuplicateCategoriesCountOnce() {
        ItemMetadata m = parser.parse("{\"item\":\"i7\",\"ts\":1700000000123}", NOW).metadata();
        assertThat(m.categories).isEmpty();
        assertThat(m.available).isTrue();
        assertThat(m.isDefault()).isTrue();
        ItemMetadata dup = parser.parse("{\"item\":\"i7\",\"categories\":[\"a\",\"b\",\"a\"],\"available\":null,\"ts\":1700000000123}", NOW).metadata();
        assertThat(dup.categories).containsExactly("a", "b");
        assertThat(dup.available).isTrue();
    }

    @Test
    void everyRejectionHasItsReason() {
        String longId = "x".repeat(257);
        List<String> categories = new ArrayList<>();
        for (int i = 0; i <= ItemMetadataParser.MAX_CATEGORIES; i++) {
            categories.add("\"c" + i + "\"");
        }
        assertReason(null, RejectReason.NOT_JSON);
        assertReason("{\"item\":", RejectReason.NOT_JSON);
        assertReason("{\"item\":\"i\",\"ts\":1700000000123} x", RejectReason.NOT_JSON);
        assertReason("[1,2]", RejectReason.NOT_AN_OBJECT);
        assertReason("{\"item\":\"i7:meta\",\"ts\":1700000000123}", RejectReason.RESERVED_ID);
        assertReason("{\"item\":\"" + "x".repeat(70_000) + "\",\"ts\":1700000000123}", RejectReason.PAYLOAD_TOO_LARGE);
        assertReason("{\"item\":\"i\",\"item\":\"j\",\"ts\":1700000000123}", RejectReason.DUPLICATE_FIELD);
        assertReason("{\"ts\":1700000000123}", RejectReason.MISSING_FIELD);
        assertReason("{\"item\":\"i\"}", RejectReason.MISSING_FIELD);
        assertReason("{\"item\":7,\"ts\":1700000000123}", RejectReason.WRONG_FIELD_TYPE);
        assertReason("{\"item\":\"i\",\"categories\":\"shoes\",\"ts\":1700000000123}", RejectReason.WRONG_FIELD_TYPE);
        assertReason("{\"item\":\"i\",\"available\":\"no\",\"ts\":1700000000123}", RejectReason.WRONG_FIELD_TYPE);
        assertReason("{\"item\":\"i\",\"ts\":\"1700000000123\"}", RejectReason.WRONG_FIELD_TYPE);
        assertReason("{\"item\":\" \",\"ts\":1700000000123}", RejectReason.EMPTY_FIELD);
        assertReason("{\"item\":\"" + longId + "\",\"ts\":1700000000123}", RejectReason.FIELD_TOO_LONG);
        assertReason("{\"item\":\"i\",\"ts\":5}", RejectReason.TIMESTAMP_OUT_OF_RANGE);
        assertReason("{\"item\":\"i\",\"ts\":" + (NOW + 2 * 86_400_000L) + "}", RejectReason.TIMESTAMP_OUT_OF_RANGE);
        assertReason("{\"item\":\"i\",\"ts\":99999999999999999999999}", RejectReason.TIMESTAMP_OUT_OF_RANGE);
        assertReason("{\"item\":\"i\",\"categories\":[" + String.join(",", categories) + "],\"ts\":1700000000123}",
                RejectReason.TOO_MANY_CATEGORIES);
        assertReason("{\"item\":\"i\",\"categories\":[\"a\",\"\"],\"ts\":1700000000123}", RejectReason.INVALID_CATEGORY);
        assertReason("{\"item\":\"i\",\"categories\":[\"a\",3],\"ts\":1700000000123}", RejectReason.INVALID_CATEGORY);
        assertReason("{\"item\":\"i\",\"categories\":[[\"a\"]],\"ts\":1700000000123}", RejectReason.INVALID_CATEGORY);
        assertReason("{\"item\":\"i\",\"categories\":[\"" + "c".repeat(ItemMetadataParser.MAX_CATEGORY_BYTES + 1)
                + "\"],\"ts\":1700000000123}", RejectReason.INVALID_CATEGORY);
    }

    @Test
    void theBoundsThemselvesAreAccepted() {
        List<String> categories = new ArrayList<>();
        for (int i = 0; i < ItemMetadataParser.MAX_CATEGORIES - 1; i++) {
            categories.add("\"c" + i + "\"");
        }
        categories.add("\"" + "c".repeat(ItemMetadataParser.MAX_CATEGORY_BYTES) + "\"");
        ItemMetadataParser.Result r = parser.parse("{\"item\":\"i\",\"categories\":[" + String.join(",", categories)
                + "],\"ts\":1700000000123}", NOW);
        assertThat(r.ok()).as(String.valueOf(r.detail())).isTrue();
        assertThat(r.metadata().categories).hasSize(ItemMetadataParser.MAX_CATEGORIES);
    }

    @Test
    void newReasonsHaveStableWireNames() {
        assertThat(RejectReason.TOO_MANY_CATEGORIES.wireName()).isEqualTo("too_many_categories");
        assertThat(RejectReason.INVALID_CATEGORY.wireName()).isEqualTo("invalid_category");
    }

    private void assertReason(String payload, RejectReason expected) {
        ItemMetadataParser.Result r = parser.parse(payload, NOW);
        assertThat(r.ok()).as("accepted: %s", payload).isFalse();
        assertThat(r.reason()).as("%s: %s", payload == null ? null : payload.substring(0, Math.min(80, payload.length())), r.detail())
                .isEqualTo(expected);
        assertThat(r.detail()).isNotBlank();
    }
}
