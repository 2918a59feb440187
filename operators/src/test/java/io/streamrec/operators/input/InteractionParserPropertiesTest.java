package io.streamrec.operators.input;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the parser on input a hostile or buggy producer could send: it never throws, every
 * rejection names a reason and says why, and every valid record comes back exactly as it was
 * written. Runs with jqwik (1,000 tries per property by default, shrinking on failure).
 */
class InteractionParserPropertiesTest {

    private static final long NOW = 1_795_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValidationRules RULES = ValidationRules.defaults();
    private final InteractionParser parser = new InteractionParser(RULES);

    @Property
    void arbitraryBytesNeverThrowAndEveryRejectionHasAReason(@ForAll @Size(max = 600) byte[] bytes) {
        // the Kafka source decodes bytes as UTF-8, replacing what is not
        assertWellFormed(parser.parse(new String(bytes, StandardCharsets.UTF_8), NOW));
    }

    @Property
    void arbitraryStringsNeverThrowAndEveryRejectionHasAReason(@ForAll @Size(max = 400) String text) {
        assertWellFormed(parser.parse(text, NOW));
    }

    @Property(tries = 3000)
    void mutatedRecordsNeverThrowAndEveryRejectionHasAReason(@ForAll("valid") Interaction event,
                                                            @ForAll("mutations") List<Mutation> mutations) throws Exception {
        String record = JSON.writeValueAsString(toJson(event));
        for (Mutation m : mutations) {
            record = m.apply(record);
        }
        assertWellFormed(parser.parse(record, NOW));
    }

    @Property(tries = 2000)
    void everyValidRecordRoundTrips(@ForAll("valid") Interaction event) throws Exception {
        String record = JSON.writeValueAsString(toJson(event));
        ParseResult result = parser.parse(record, NOW);
        assertThat(result.ok()).as("%s -> %s", record, result).isTrue();
        assertThat(result.interaction()).isEqualTo(event);
    }

    private static void assertWellFormed(ParseResult result) {
        assertThat(result).isNotNull();
        if (result.ok()) {
            Interaction e = result.interaction();
            assertThat(e.type).isNotNull();
            assertThat(e.user).isNotNull();
            assertThat(e.item).isNotNull();
            assertThat(e.ts).isBetween(RULES.minTimestamp(), NOW + RULES.maxFutureSkewMillis());
            if (e.type == EventType.RATING) {
                assertThat(e.value).isBetween(RULES.ratingMin(), RULES.ratingMax());
            }
            if (!e.type.isControl()) {
                assertThat(e.user).isNotBlank();
                assertThat(e.item).isNotBlank();
            }
        } else {
            assertThat(result.reason()).isNotNull();
            assertThat(result.detail()).isNotBlank();
        }
    }

    private static ObjectNode toJson(Interaction e) {
        ObjectNode node = JSON.createObjectNode();
        if (e.id != null) {
            node.put("id", e.id);
        }
        node.put("user", e.user);
        node.put("item", e.item);
        node.put("type", e.type.wireName());
        if (!Double.isNaN(e.value)) {
            node.put("value", e.value);
        }
        node.put("ts", e.ts);
        return node;
    }

    /** Strings of valid UTF-16 (no lone surrogates), not blank, within the id limit in UTF-8 bytes. */
    private static Arbitrary<String> ids() {
        return Arbitraries.strings()
                .withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF')
                .ofMinLength(1).ofMaxLength(80)
                .filter(s -> !s.isBlank() && s.getBytes(StandardCharsets.UTF_8).length <= RULES.maxIdBytes());
    }

    @Provide
    Arbitrary<Interaction> valid() {
        Arbitrary<EventType> types = Arbitraries.of(EventType.values()).filter(t -> !t.isControl());
        Arbitrary<Double> anyValue = Arbitraries.oneOf(Arbitraries.just(Double.NaN),
                Arbitraries.doubles().between(-1e9, 1e9));
        Arbitrary<Long> times = Arbitraries.longs().between(RULES.minTimestamp(), NOW + RULES.maxFutureSkewMillis());
        // valid records only: user and item ids the job reserves for its own Redis keys are refused
        // (RESERVED_ID), so they are not drawn here (a user "_" made this property fail in CI)
        Arbitrary<String> users = ids().filter(u -> !u.startsWith("_") && !u.endsWith(":meta") && !u.contains(":c:"));
        Arbitrary<String> items = ids().filter(i -> InteractionParser.reservedItem(i) == null);
        return Combinators.combine(ids().injectNull(0.3), users, items, types, anyValue, times)
                .as((id, user, item, type, value, ts) -> {
                    double v = value;
                    if (type == EventType.RATING) {
                        v = Double.isNaN(v) ? RULES.ratingMax()
                                : RULES.ratingMin() + Math.abs(v % 1.0) * (RULES.ratingMax() - RULES.ratingMin());
                    }
                    return new Interaction(id, user, item, type, v, ts);
                });
    }

    /** One edit of a record's text. */
    interface Mutation {
        String apply(String s);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, 10_000);
        Arbitrary<Character> ch = Arbitraries.chars().all();
        Arbitrary<Mutation> delete = at.map(i -> s -> s.isEmpty() ? s : s.substring(0, i % s.length()) + s.substring(i % s.length() + 1));
        Arbitrary<Mutation> insert = Combinators.combine(at, ch).as((i, c) -> s -> {
            int k = i % (s.length() + 1);
            return s.substring(0, k) + c + s.substring(k);
        });
        Arbitrary<Mutation> replace = Combinators.combine(at, ch).as((i, c) -> s -> {
            if (s.isEmpty()) {
                return s;
            }
            int k = i % s.length();
            return s.substring(0, k) + c + s.substring(k + 1);
        });
        Arbitrary<Mutation> structural = Arbitraries.of(
                s -> s.replace("\"ts\":", "\"ts\":\"") ,                       // a number becomes a broken string
                s -> s.replaceFirst("\\{", "{\"user\":\"dup\","),              // a duplicate field
                s -> s.replace("\"type\":\"", "\"type\":\"x"),                 // an unknown type
                s -> s.replaceFirst("\"ts\":(-?\\d+)", "\"ts\":$1$1$1"),        // a timestamp out of range
                s -> s.replaceFirst("\"user\":\"[^\"]*\"", "\"user\":null"),    // a null id
                s -> s.replaceFirst("\"item\":\"[^\"]*\"", "\"item\":[1,2]"),   // an array for a string
                s -> s + s,                                                        // trailing content
                s -> "[" + s + "]",                                                // not an object
                s -> s.replaceFirst("\"user\":\"", "\"user\":\"" + "x".repeat(300)), // an id too long
                s -> s.substring(0, s.length() / 2));                               // truncated
        return Arbitraries.oneOf(delete, insert, replace, structural).list().ofMinSize(1).ofMaxSize(4);
    }
}
