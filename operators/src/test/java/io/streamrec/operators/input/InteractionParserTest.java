package io.streamrec.operators.input;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class InteractionParserTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final long TS = 1_700_000_000_123L;

    private final InteractionParser parser = new InteractionParser(ValidationRules.defaults());

    private static String record(String type, String value) {
        return "{\"id\":\"e-123\",\"user\":\"u42\",\"item\":\"i7\",\"type\":\"" + type + "\""
                + (value == null ? "" : ",\"value\":" + value) + ",\"ts\":" + TS + "}";
    }

    private ParseResult parse(String payload) {
        return parser.parse(payload, NOW);
    }

    private void assertRejected(String payload, RejectReason reason, String detail) {
        ParseResult r = parse(payload);
        assertThat(r.ok()).as("%s", r).isFalse();
        assertThat(r.interaction()).isNull();
        assertThat(r.reason()).as("%s", r).isEqualTo(reason);
        assertThat(r.detail()).isEqualTo(detail);
    }

    private void assertReserved(String payload, RejectReason reason, String detailStart) {
        ParseResult r = parse(payload);
        assertThat(r.ok()).as("%s", r).isFalse();
        assertThat(r.reason()).as("%s", r).isEqualTo(reason);
        assertThat(r.detail()).startsWith(detailStart);
    }

    // ---------------------------------------------------------------- valid records

    @Test
    void parsesTheContractExample() {
        ParseResult r = parse("{\"id\":\"e-123\",\"user\":\"u42\",\"item\":\"i7\",\"type\":\"click\","
                + "\"value\":1.0,\"ts\":1700000000123}");
        assertThat(r.ok()).isTrue();
        assertThat(r.reason()).isNull();
        assertThat(r.detail()).isNull();
        assertThat(r.interaction()).isEqualTo(new Interaction("e-123", "u42", "i7", EventType.CLICK, 1.0, TS));
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void acceptsEveryEventTypeWithAValue(EventType type) {
        ParseResult r = parse(record(type.wireName(), "4.5"));
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.interaction().type).isEqualTo(type);
        assertThat(r.interaction().value).isEqualTo(4.5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"view", "click", "cart", "purchase", "like", "dislike"})
    void valueIsOptionalExceptForRatings(String type) {
        ParseResult r = parse(record(type, null));
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.interaction().value).isNaN();
        assertThat(r.interaction().hasValue()).isFalse();
    }

    @Test
    void aForgetRecordNeedsNoItemButEveryOtherTypeDoes() {
        ParseResult forget = parse("{\"user\":\"u42\",\"type\":\"forget\",\"ts\":" + TS + "}");
        assertThat(forget.ok()).as("%s", forget).isTrue();
        assertThat(forget.interaction()).isEqualTo(new Interaction(null, "u42", "", EventType.FORGET, Double.NaN, TS));
        assertThat(forget.interaction().type.isControl()).isTrue();
        assertThat(parse("{\"user\":\"u42\",\"item\":\"i7\",\"type\":\"FORGET\",\"ts\":" + TS + "}").interaction().item)
                .isEqualTo("i7");
        assertRejected("{\"user\":\"u42\",\"type\":\"click\",\"ts\":" + TS + "}",
                RejectReason.MISSING_FIELD, "field 'item' is missing");
        assertRejected("{\"type\":\"forget\",\"ts\":" + TS + "}", RejectReason.MISSING_FIELD, "field 'user' is missing");
    }

    @Test
    void retireAndUnretireRecordsNeedAnItemButNoUser() {
        ParseResult retire = parse("{\"item\":\"i7\",\"type\":\"retire\",\"ts\":" + TS + "}");
        assertThat(retire.ok()).as("%s", retire).isTrue();
        assertThat(retire.interaction()).isEqualTo(new Interaction(null, "", "i7", EventType.RETIRE, Double.NaN, TS));
        assertThat(retire.interaction().type.isControl()).isTrue();
        ParseResult undo = parse("{\"item\":\"i7\",\"type\":\"UNRETIRE\",\"ts\":" + TS + "}");
        assertThat(undo.interaction().type).isEqualTo(EventType.UNRETIRE);
        assertRejected("{\"type\":\"retire\",\"ts\":" + TS + "}", RejectReason.MISSING_FIELD, "field 'item' is missing");
        assertRejected("{\"item\":\"\",\"type\":\"unretire\",\"ts\":" + TS + "}",
                RejectReason.EMPTY_FIELD, "field 'item' is empty");
    }

    @Test
    void idsWhoseRedisKeysWouldBeOtherKeysAreReserved() {
        for (String user : new String[] {"_popular", "_item:i7", "u1:meta", "u1:c:shoes"}) {
            assertReserved("{\"user\":\"" + user + "\",\"item\":\"i7\",\"type\":\"click\",\"ts\":" + TS + "}",
                    RejectReason.RESERVED_ID, "field 'user' is '" + user + "': user ids must not start with '_'");
        }
        assertReserved("{\"user\":\"_x\",\"type\":\"forget\",\"ts\":" + TS + "}",
                RejectReason.RESERVED_ID, "field 'user' is '_x'");
        assertReserved("{\"user\":\"u1\",\"item\":\"i7:meta\",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.RESERVED_ID, "field 'item' is 'i7:meta': item ids must not end with ':meta'");
        // near misses are ordinary ids
        for (String user : new String[] {"u_1", "u1:m", "u1:cc:x", "u1:metadata", "c:u1"}) {
            ParseResult r = parse("{\"user\":\"" + user + "\",\"item\":\"_i7\",\"type\":\"click\",\"ts\":" + TS + "}");
            assertThat(r.ok()).as("%s: %s", user, r).isTrue();
        }
    }

    @Test
    void aRepublishRecordNeedsNeitherUserNorItem() {
        ParseResult republish = parse("{\"id\":\"r1\",\"type\":\"republish\",\"ts\":" + TS + "}");
        assertThat(republish.ok()).as("%s", republish).isTrue();
        assertThat(republish.interaction()).isEqualTo(new Interaction("r1", "", "", EventType.REPUBLISH, Double.NaN, TS));
        assertThat(republish.interaction().type.isControl()).isTrue();
        assertRejected("{\"type\":\"republish\"}", RejectReason.MISSING_FIELD, "field 'ts' is missing");
        assertRejected("{\"user\":\"\",\"type\":\"republish\",\"ts\":" + TS + "}",
                RejectReason.EMPTY_FIELD, "field 'user' is empty");
        assertRejected("{\"type\":\"click\",\"item\":\"i7\",\"ts\":" + TS + "}",
                RejectReason.MISSING_FIELD, "field 'user' is missing");
    }

    @Test
    void eventTypeIsCaseInsensitive() {
        assertThat(parse(record("PurChase", null)).interaction().type).isEqualTo(EventType.PURCHASE);
    }

    @Test
    void ignoresUnknownFieldsOfAnyShapeAndAcceptsNullOptionals() {
        ParseResult r = parse("{\"extra\":{\"a\":[1,2,{\"b\":null}]},\"user\":\"u\",\"item\":\"i\",\"type\":\"view\","
                + "\"ts\":" + TS + ",\"id\":null,\"value\":null,\"more\":[\"x\"]}");
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.interaction().id).isNull();
        assertThat(r.interaction().value).isNaN();
    }

    @Test
    void acceptsBoundaryValuesAndIdsOfExactlyTheLimit() {
        String id256 = "é".repeat(128); // 256 UTF-8 bytes
        ParseResult r = parser.parse("{\"user\":\"" + id256 + "\",\"item\":\"i\",\"type\":\"rating\",\"value\":0.5,"
                + "\"ts\":" + (NOW + 86_400_000L) + "}", NOW);
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(parse(record("rating", "5")).ok()).isTrue();
        assertThat(parser.parse(record("view", null).replace(String.valueOf(TS), "946684800000"), NOW).ok()).isTrue();
    }

    @Test
    void customRulesApply() {
        InteractionParser strict = new InteractionParser(
                ValidationRules.builder().ratingRange(1, 10).maxIdBytes(3).build());
        assertThat(strict.parse(record("rating", "8"), NOW).ok()).isFalse(); // id "e-123" is 5 bytes
        ParseResult r = strict.parse(
                "{\"user\":\"u\",\"item\":\"i\",\"type\":\"rating\",\"value\":8,\"ts\":" + TS + "}", NOW);
        assertThat(r.ok()).as("%s", r).isTrue();
    }

    // ---------------------------------------------------------------- one test per reason

    @Test
    void notJson() {
        assertRejected(null, RejectReason.NOT_JSON, "payload is null");
        assertRejected("", RejectReason.NOT_JSON, "payload is empty");
        assertThat(parse("{\"user\":").reason()).isEqualTo(RejectReason.NOT_JSON);
        assertThat(parse("{\"user\":\"u\"} {}").detail()).isEqualTo("trailing content after the JSON object");
        ParseResult nan = parse(record("rating", "NaN"));
        assertThat(nan.reason()).isEqualTo(RejectReason.NOT_JSON);
        assertThat(nan.detail()).startsWith("not valid JSON: ");
    }

    @Test
    void notAnObject() {
        assertRejected("[1,2]", RejectReason.NOT_AN_OBJECT, "payload is an array, expected a JSON object");
        assertRejected("\"click\"", RejectReason.NOT_AN_OBJECT, "payload is a string, expected a JSON object");
        assertRejected("42", RejectReason.NOT_AN_OBJECT, "payload is an integer, expected a JSON object");
    }

    @Test
    void payloadTooLarge() {
        String padding = "x".repeat(70_000);
        assertRejected("{\"pad\":\"" + padding + "\"}", RejectReason.PAYLOAD_TOO_LARGE,
                "payload is 70010 bytes, limit 65536");
    }

    @Test
    void duplicateField() {
        assertRejected("{\"user\":\"a\",\"user\":\"b\",\"item\":\"i\",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.DUPLICATE_FIELD, "field 'user' appears more than once");
    }

    @Test
    void missingField() {
        assertRejected("{\"item\":\"i\",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.MISSING_FIELD, "field 'user' is missing");
        assertRejected("{\"user\":\"u\",\"item\":null,\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.MISSING_FIELD, "field 'item' is null");
        assertRejected("{\"user\":\"u\",\"item\":\"i\",\"ts\":" + TS + "}",
                RejectReason.MISSING_FIELD, "field 'type' is missing");
        assertRejected("{\"user\":\"u\",\"item\":\"i\",\"type\":\"view\"}",
                RejectReason.MISSING_FIELD, "field 'ts' is missing");
    }

    @Test
    void wrongFieldType() {
        assertRejected("{\"user\":42,\"item\":\"i\",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.WRONG_FIELD_TYPE, "field 'user' must be a string, got an integer");
        assertRejected("{\"user\":\"u\",\"item\":[\"i\"],\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.WRONG_FIELD_TYPE, "field 'item' must be a string, got an array");
        assertRejected(record("view", "\"1.0\""),
                RejectReason.WRONG_FIELD_TYPE, "field 'value' must be a number, got a string");
        assertRejected(record("view", null).replace(String.valueOf(TS), "\"" + TS + "\""),
                RejectReason.WRONG_FIELD_TYPE, "field 'ts' must be an integer (epoch milliseconds), got a string");
        assertRejected(record("view", null).replace(String.valueOf(TS), TS + ".5"),
                RejectReason.WRONG_FIELD_TYPE,
                "field 'ts' must be an integer (epoch milliseconds), got a fractional number");
        assertRejected("{\"user\":\"u\",\"item\":\"i\",\"type\":true,\"ts\":" + TS + "}",
                RejectReason.WRONG_FIELD_TYPE, "field 'type' must be a string, got a boolean");
        assertRejected("{\"id\":{},\"user\":\"u\",\"item\":\"i\",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.WRONG_FIELD_TYPE, "field 'id' must be a string, got an object");
    }

    @Test
    void emptyField() {
        assertRejected("{\"user\":\"\",\"item\":\"i\",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.EMPTY_FIELD, "field 'user' is empty");
        assertRejected("{\"user\":\"u\",\"item\":\"  \",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.EMPTY_FIELD, "field 'item' is blank");
        assertRejected("{\"id\":\"\",\"user\":\"u\",\"item\":\"i\",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.EMPTY_FIELD, "field 'id' is empty");
    }

    @Test
    void fieldTooLong() {
        String user = "é".repeat(150); // 150 chars, 300 UTF-8 bytes
        assertRejected("{\"user\":\"" + user + "\",\"item\":\"i\",\"type\":\"view\",\"ts\":" + TS + "}",
                RejectReason.FIELD_TOO_LONG, "field 'user' is 300 bytes, limit 256");
        assertRejected("{\"id\":\"" + "x".repeat(257) + "\",\"user\":\"u\",\"item\":\"i\",\"type\":\"view\",\"ts\":"
                + TS + "}", RejectReason.FIELD_TOO_LONG, "field 'id' is 257 bytes, limit 256");
    }

    @Test
    void unknownEventType() {
        assertRejected(record("hover", null), RejectReason.UNKNOWN_EVENT_TYPE,
                "field 'type' is 'hover', expected one of view, click, cart, purchase, like, dislike, rating, forget, republish, retire, unretire");
        assertThat(parse(record("", null)).reason()).isEqualTo(RejectReason.UNKNOWN_EVENT_TYPE);
    }

    @Test
    void missingValue() {
        assertRejected(record("rating", null), RejectReason.MISSING_VALUE,
                "field 'value' is required for type 'rating'");
        assertRejected(record("RATING", "null"), RejectReason.MISSING_VALUE,
                "field 'value' is required for type 'rating'");
    }

    @Test
    void nonFiniteValue() {
        assertRejected(record("click", "1e400"), RejectReason.NON_FINITE_VALUE, "field 'value' is not finite: 1e400");
        assertRejected(record("rating", "-1e400"), RejectReason.NON_FINITE_VALUE, "field 'value' is not finite: -1e400");
        assertThat(parse(record("click", "1" + "0".repeat(400))).reason()).isEqualTo(RejectReason.NON_FINITE_VALUE);
    }

    @Test
    void valueOutOfRange() {
        assertRejected(record("rating", "5.5"), RejectReason.VALUE_OUT_OF_RANGE,
                "field 'value' is 5.5, ratings must be within [0.5, 5.0]");
        assertRejected(record("rating", "0"), RejectReason.VALUE_OUT_OF_RANGE,
                "field 'value' is 0.0, ratings must be within [0.5, 5.0]");
        assertThat(parse(record("click", "-3")).ok()).as("range applies to ratings only").isTrue();
    }

    @Test
    void timestampOutOfRange() {
        String base = "{\"user\":\"u\",\"item\":\"i\",\"type\":\"view\",\"ts\":";
        assertRejected(base + "946684799999}", RejectReason.TIMESTAMP_OUT_OF_RANGE,
                "field 'ts' is 946684799999 (1999-12-31T23:59:59.999Z), before the minimum 946684800000 "
                        + "(2000-01-01T00:00:00Z)");
        assertRejected(base + (NOW + 86_400_001L) + "}", RejectReason.TIMESTAMP_OUT_OF_RANGE,
                "field 'ts' is 1700086400001 (2023-11-15T22:13:20.001Z), more than 86400000 ms after now "
                        + "(2023-11-14T22:13:20Z)");
        assertRejected(base + "99999999999999999999}", RejectReason.TIMESTAMP_OUT_OF_RANGE,
                "field 'ts' is 99999999999999999999, which does not fit in 64 bits");
        assertThat(parser.parse(base + Long.MAX_VALUE + "}", Long.MAX_VALUE - 5).ok())
                .as("now + skew saturates instead of overflowing").isTrue();
    }

    @Test
    void syntaxErrorsWinOverFieldErrors() {
        assertThat(parse("{\"user\":42,").reason()).isEqualTo(RejectReason.NOT_JSON);
    }

    @Test
    void neverThrowsOnOddInput() {
        String[] odd = {"{", "}", "nul", "{\"a\":" + "[".repeat(5000) + "}", "\u0000", "{\"user\":\"\\ud800\"}",
                "{\"ts\":" + "9".repeat(2000) + "}", "   ", "{}"};
        for (String payload : odd) {
            ParseResult r = parse(payload);
            assertThat(r.ok()).as(payload).isFalse();
            assertThat(r.reason()).isNotNull();
            assertThat(r.detail()).isNotBlank();
        }
    }

    @Test
    void wireNamesAreLowerSnakeAndRoundTrip() {
        for (RejectReason reason : RejectReason.values()) {
            assertThat(reason.wireName()).matches("[a-z]+(_[a-z]+)*");
            assertThat(RejectReason.fromWireName(reason.wireName())).isSameAs(reason);
        }
        assertThat(RejectReason.TIMESTAMP_OUT_OF_RANGE.wireName()).isEqualTo("timestamp_out_of_range");
        assertThat(EventType.fromString("nope")).isNull();
        assertThat(EventType.fromString(null)).isNull();
        assertThat(EventType.DISLIKE.wireName()).isEqualTo("dislike");
    }
}
