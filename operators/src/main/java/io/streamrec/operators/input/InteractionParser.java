package io.streamrec.operators.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Parses one raw record of the input contract
 * <pre>{"id":"e-123","user":"u42","item":"i7","type":"click","value":1.0,"ts":1700000000123}</pre>
 * into an {@link Interaction}, or says precisely why it cannot.
 *
 * <p>Reads the payload once with Jackson's streaming parser (no tree), ignores unknown fields, and
 * checks the known ones in a fixed order (user, item, type, value, ts, id) so the same record always
 * gets the same reason. JSON syntax errors anywhere take precedence over field errors. {@link
 * #parse} never throws: any input, including {@code null}, yields a {@link ParseResult}.
 *
 * <p>Thread-safe and stateless apart from the immutable rules.
 */
public final class InteractionParser {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_ECHO_CHARS = 40;
    private static final String TYPE_NAMES = Arrays.stream(EventType.values())
            .map(EventType::wireName)
            .collect(Collectors.joining(", "));

    private final ValidationRules rules;

    public InteractionParser(ValidationRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** A parser with {@link ValidationRules#defaults()}. */
    public InteractionParser() {
        this(ValidationRules.defaults());
    }

    /**
     * @param payload the record value as received
     * @param nowMillis the caller's clock, epoch milliseconds, bounding how far in the future {@code
     *     ts} may lie
     */
    public ParseResult parse(String payload, long nowMillis) {
        try {
            return parseUnchecked(payload, nowMillis);
        } catch (RuntimeException | StackOverflowError e) {
            // Defensive: nothing above is expected to throw, but one odd record must never fail the job.
            return ParseResult.rejected(RejectReason.NOT_JSON,
                    "payload could not be parsed: " + e.getClass().getSimpleName());
        }
    }

    private ParseResult parseUnchecked(String payload, long nowMillis) {
        if (payload == null) {
            return ParseResult.rejected(RejectReason.NOT_JSON, "payload is null");
        }
        long payloadBytes = utf8Length(payload);
        if (payloadBytes > rules.maxPayloadBytes()) {
            return ParseResult.rejected(RejectReason.PAYLOAD_TOO_LARGE,
                    "payload is " + payloadBytes + " bytes, limit " + rules.maxPayloadBytes());
        }
        Fields f = new Fields();
        try (JsonParser p = JSON.createParser(payload)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return ParseResult.rejected(RejectReason.NOT_JSON, "payload is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                p.skipChildren();
                if (p.nextToken() != null) {
                    return ParseResult.rejected(RejectReason.NOT_JSON, "trailing content after the JSON value");
                }
                return ParseResult.rejected(RejectReason.NOT_AN_OBJECT,
                        "payload is " + describe(first) + ", expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                Raw slot = f.slot(name);
                if (slot == null) {
                    p.skipChildren();
                    continue;
                }
                if (slot.seen && f.duplicate == null) {
                    f.duplicate = name;
                }
                slot.read(p, token);
            }
            if (p.nextToken() != null) {
                return ParseResult.rejected(RejectReason.NOT_JSON, "trailing content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            return ParseResult.rejected(RejectReason.NOT_JSON, "not valid JSON: " + echo(e.getOriginalMessage()));
        } catch (IOException e) {
            return ParseResult.rejected(RejectReason.NOT_JSON, "payload could not be read: " + echo(e.getMessage()));
        }
        return validate(f, nowMillis);
    }

    private ParseResult validate(Fields f, long nowMillis) {
        if (f.duplicate != null) {
            return ParseResult.rejected(RejectReason.DUPLICATE_FIELD, "field '" + f.duplicate + "' appears more than once");
        }
        ParseResult problem;
        EventType named = f.type.token == JsonToken.VALUE_STRING ? EventType.fromString(f.type.text) : null;
        if ((problem = checkIdString("user", f.user, named == null || named.needsUser())) != null
                || (problem = checkIdString("item", f.item, named == null || named.needsItem())) != null
                || (problem = checkReserved(f)) != null) {
            return problem;
        }

        if (f.type.isAbsent()) {
            return missing("type", f.type);
        }
        if (f.type.token != JsonToken.VALUE_STRING) {
            return wrongType("type", "a string", f.type.token);
        }
        EventType type = EventType.fromString(f.type.text);
        if (type == null) {
            return ParseResult.rejected(RejectReason.UNKNOWN_EVENT_TYPE,
                    "field 'type' is '" + echo(f.type.text) + "', expected one of " + TYPE_NAMES);
        }

        double value = Double.NaN;
        if (f.value.isAbsent()) {
            if (type == EventType.RATING) {
                return ParseResult.rejected(RejectReason.MISSING_VALUE, "field 'value' is required for type 'rating'");
            }
        } else if (!f.value.isNumber()) {
            return wrongType("value", "a number", f.value.token);
        } else {
            value = f.value.number;
            if (!Double.isFinite(value)) {
                return ParseResult.rejected(RejectReason.NON_FINITE_VALUE,
                        "field 'value' is not finite: " + echo(f.value.text));
            }
            if (type == EventType.RATING && (value < rules.ratingMin() || value > rules.ratingMax())) {
                return ParseResult.rejected(RejectReason.VALUE_OUT_OF_RANGE,
                        "field 'value' is " + value + ", ratings must be within [" + rules.ratingMin() + ", "
                                + rules.ratingMax() + "]");
            }
        }

        if (f.ts.isAbsent()) {
            return missing("ts", f.ts);
        }
        if (f.ts.token != JsonToken.VALUE_NUMBER_INT) {
            return wrongType("ts", "an integer (epoch milliseconds)", f.ts.token);
        }
        if (!f.ts.fitsLong) {
            return ParseResult.rejected(RejectReason.TIMESTAMP_OUT_OF_RANGE,
                    "field 'ts' is " + echo(f.ts.text) + ", which does not fit in 64 bits");
        }
        long ts = f.ts.integer;
        String tsProblem = timestampProblem(ts, nowMillis, rules);
        if (tsProblem != null) {
            return ParseResult.rejected(RejectReason.TIMESTAMP_OUT_OF_RANGE, tsProblem);
        }

        if ((problem = checkIdString("id", f.id, false)) != null) {
            return problem;
        }
        String id = f.id.isAbsent() ? null : f.id.text;
        // only control records may omit them
        String user = f.user.isAbsent() ? "" : f.user.text;
        String item = f.item.isAbsent() ? "" : f.item.text;
        return ParseResult.ok(new Interaction(id, user, item, type, value, ts));
    }

    /**
     * Ids that would name another key of the output contract in Redis (a user {@code _popular} would
     * write over the popular list, a user {@code u1:meta} over u1's meta hash, a user
     * {@code u1:c:shoes} over u1's list of the category shoes).
     */
    private static ParseResult checkReserved(Fields f) {
        if (!f.user.isAbsent()) {
            String user = f.user.text;
            if (user.startsWith("_") || user.endsWith(":meta") || user.contains(":c:")) {
                return ParseResult.rejected(RejectReason.RESERVED_ID, "field 'user' is '" + echo(user)
                        + "': user ids must not start with '_', end with ':meta' or contain ':c:' (their Redis keys"
                        + " would be the job's own keys, a meta hash or a category list)");
            }
        }
        String itemProblem = f.item.isAbsent() ? null : reservedItem(f.item.text);
        return itemProblem == null ? null : ParseResult.rejected(RejectReason.RESERVED_ID, itemProblem);
    }

    /** Why {@code item} is a reserved item id ({@link RejectReason#RESERVED_ID}), or null; for both input topics. */
    static String reservedItem(String item) {
        return item.endsWith(":meta") ? "field 'item' is '" + echo(item)
                + "': item ids must not end with ':meta' (the key of its similar list would be another list's meta hash)" : null;
    }

    private ParseResult checkIdString(String field, Raw raw, boolean required) {
        if (raw.isAbsent()) {
            return required ? missing(field, raw) : null;
        }
        if (raw.token != JsonToken.VALUE_STRING) {
            return wrongType(field, "a string", raw.token);
        }
        if (raw.text.isBlank()) {
            return ParseResult.rejected(RejectReason.EMPTY_FIELD,
                    "field '" + field + "' is " + (raw.text.isEmpty() ? "empty" : "blank"));
        }
        long bytes = utf8Length(raw.text);
        if (bytes > rules.maxIdBytes()) {
            return ParseResult.rejected(RejectReason.FIELD_TOO_LONG,
                    "field '" + field + "' is " + bytes + " bytes, limit " + rules.maxIdBytes());
        }
        return null;
    }

    private static ParseResult missing(String field, Raw raw) {
        return ParseResult.rejected(RejectReason.MISSING_FIELD,
                "field '" + field + "' is " + (raw.seen ? "null" : "missing"));
    }

    private static ParseResult wrongType(String field, String expected, JsonToken actual) {
        return ParseResult.rejected(RejectReason.WRONG_FIELD_TYPE,
                "field '" + field + "' must be " + expected + ", got " + describe(actual));
    }

    /**
     * Why {@code ts} is out of the rules' range at {@code nowMillis} (before the minimum, or too far
     * in the future), or null; the detail of {@link RejectReason#TIMESTAMP_OUT_OF_RANGE}, for both
     * input topics.
     */
    static String timestampProblem(long ts, long nowMillis, ValidationRules rules) {
        if (ts < rules.minTimestamp()) {
            return "field 'ts' is " + ts + " (" + iso(ts) + "), before the minimum " + rules.minTimestamp()
                    + " (" + iso(rules.minTimestamp()) + ")";
        }
        long latest = saturatedAdd(nowMillis, rules.maxFutureSkewMillis());
        if (ts > latest) {
            return "field 'ts' is " + ts + " (" + iso(ts) + "), more than " + rules.maxFutureSkewMillis()
                    + " ms after now (" + iso(nowMillis) + ")";
        }
        return null;
    }

    /** How a JSON token reads in a detail ("a string", "an array", ...). */
    static String describe(JsonToken token) {
        switch (token) {
            case START_OBJECT: return "an object";
            case START_ARRAY: return "an array";
            case VALUE_STRING: return "a string";
            case VALUE_NUMBER_INT: return "an integer";
            case VALUE_NUMBER_FLOAT: return "a fractional number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "a boolean";
            case VALUE_NULL: return "null";
            default: return token.name();
        }
    }

    /** Echoes client text into a detail, cut short so a detail stays a one-liner. */
    static String echo(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_ECHO_CHARS ? text : text.substring(0, MAX_ECHO_CHARS) + "...";
    }

    static String iso(long epochMillis) {
        try {
            return Instant.ofEpochMilli(epochMillis).toString();
        } catch (RuntimeException e) {
            return "not a representable instant";
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
    }

    /** Encoded length in UTF-8 without encoding; an unpaired surrogate counts as 3 bytes. */
    static long utf8Length(CharSequence s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The known fields as read, before validation. */
    private static final class Fields {
        final Raw id = new Raw();
        final Raw user = new Raw();
        final Raw item = new Raw();
        final Raw type = new Raw();
        final Raw value = new Raw();
        final Raw ts = new Raw();
        String duplicate;

        Raw slot(String name) {
            switch (name) {
                case "id": return id;
                case "user": return user;
                case "item": return item;
                case "type": return type;
                case "value": return value;
                case "ts": return ts;
                default: return null;
            }
        }
    }

    /** One field's token and value; containers are skipped and only their token kept. */
    private static final class Raw {
        boolean seen;
        JsonToken token;
        String text;
        double number;
        long integer;
        boolean fitsLong;

        void read(JsonParser p, JsonToken t) throws IOException {
            seen = true;
            token = t;
            switch (t) {
                case VALUE_STRING:
                    text = p.getText();
                    break;
                case VALUE_NUMBER_INT:
                    text = p.getText();
                    JsonParser.NumberType nt = p.getNumberType();
                    fitsLong = nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG;
                    integer = fitsLong ? p.getLongValue() : 0L;
                    number = p.getDoubleValue();
                    break;
                case VALUE_NUMBER_FLOAT:
                    text = p.getText();
                    number = p.getDoubleValue();
                    break;
                default:
                    text = null;
                    p.skipChildren();
            }
        }

        boolean isAbsent() {
            return !seen || token == JsonToken.VALUE_NULL;
        }

        boolean isNumber() {
            return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
        }
    }
}
