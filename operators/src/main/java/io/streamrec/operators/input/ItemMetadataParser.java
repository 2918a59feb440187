package io.streamrec.operators.input;

import io.streamrec.operators.records.ItemMetadata;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Parses one record of the item topic
 * <pre>{"item":"i7","categories":["shoes","kids"],"available":true,"ts":1700000000123}</pre>
 * into an {@link ItemMetadata}, or says why it cannot, with the interactions' rules where they
 * overlap: {@code item} as an interaction's item id, {@code ts} as an interaction's event time,
 * the same record size. {@code categories} (optional, default none) is an array of at most {@link
 * #MAX_CATEGORIES} non-blank strings of at most {@link #MAX_CATEGORY_BYTES} UTF-8 bytes (duplicates
 * are dropped, the first kept); {@code available} (optional, default true) is a boolean. Unknown
 * fields are ignored; fields are checked in a fixed order (item, categories, available, ts), so a
 * record always gets the same reason. {@link #parse} never throws. Thread-safe.
 */
public final class ItemMetadataParser {

    /** The most categories one item may name. */
    public static final int MAX_CATEGORIES = 32;
    /** The longest category name, in UTF-8 bytes. */
    public static final int MAX_CATEGORY_BYTES = 128;

    private static final JsonFactory JSON = new JsonFactory();

    private final ValidationRules rules;

    public ItemMetadataParser(ValidationRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** The outcome: metadata, or a reason with a detail naming the field. */
    public record Result(ItemMetadata metadata, RejectReason reason, String detail) {
        static Result rejected(RejectReason reason, String detail) {
            return new Result(null, reason, detail);
        }

        public boolean ok() {
            return metadata != null;
        }
    }

    /** @param nowMillis the caller's clock, bounding how far in the future {@code ts} may lie */
    public Result parse(String payload, long nowMillis) {
        try {
            return parseUnchecked(payload, nowMillis);
        } catch (RuntimeException | StackOverflowError e) {
            return Result.rejected(RejectReason.NOT_JSON, "payload could not be parsed: " + e.getClass().getSimpleName());
        }
    }

    private Result parseUnchecked(String payload, long nowMillis) {
        if (payload == null) {
            return Result.rejected(RejectReason.NOT_JSON, "payload is null");
        }
        long payloadBytes = InteractionParser.utf8Length(payload);
        if (payloadBytes > rules.maxPayloadBytes()) {
            return Result.rejected(RejectReason.PAYLOAD_TOO_LARGE,
                    "payload is " + payloadBytes + " bytes, limit " + rules.maxPayloadBytes());
        }
        Fields f = new Fields();
        try (JsonParser p = JSON.createParser(payload)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return Result.rejected(RejectReason.NOT_JSON, "payload is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                p.skipChildren();
                if (p.nextToken() != null) {
                    return Result.rejected(RejectReason.NOT_JSON, "trailing content after the JSON value");
                }
                return Result.rejected(RejectReason.NOT_AN_OBJECT, "payload is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                Field slot = f.slot(name);
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
                return Result.rejected(RejectReason.NOT_JSON, "trailing content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            return Result.rejected(RejectReason.NOT_JSON, "not valid JSON: " + InteractionParser.echo(e.getOriginalMessage()));
        } catch (IOException e) {
            return Result.rejected(RejectReason.NOT_JSON, "payload could not be read: " + InteractionParser.echo(e.getMessage()));
        }
        return validate(f, nowMillis);
    }

    private Result validate(Fields f, long nowMillis) {
        if (f.duplicate != null) {
            return Result.rejected(RejectReason.DUPLICATE_FIELD, "field '" + f.duplicate + "' appears more than once");
        }
        if (f.item.absent()) {
            return Result.rejected(RejectReason.MISSING_FIELD, "field 'item' is " + (f.item.seen ? "null" : "missing"));
        }
        if (f.item.token != JsonToken.VALUE_STRING) {
            return wrongType("item", "a string", f.item.token);
        }
        if (f.item.text.isBlank()) {
            return Result.rejected(RejectReason.EMPTY_FIELD, "field 'item' is " + (f.item.text.isEmpty() ? "empty" : "blank"));
        }
        long itemBytes = InteractionParser.utf8Length(f.item.text);
        if (itemBytes > rules.maxIdBytes()) {
            return Result.rejected(RejectReason.FIELD_TOO_LONG,
                    "field 'item' is " + itemBytes + " bytes, limit " + rules.maxIdBytes());
        }
        String reserved = InteractionParser.reservedItem(f.item.text);
        if (reserved != null) {
            return Result.rejected(RejectReason.RESERVED_ID, reserved);
        }

        String[] categories = new String[0];
        if (!f.categories.absent()) {
            if (f.categories.token != JsonToken.START_ARRAY) {
                return wrongType("categories", "an array of strings", f.categories.token);
            }
            if (f.categories.elements.size() > MAX_CATEGORIES) {
                return Result.rejected(RejectReason.TOO_MANY_CATEGORIES, "field 'categories' has "
                        + f.categories.elements.size() + " entries, limit " + MAX_CATEGORIES);
            }
            Set<String> distinct = new LinkedHashSet<>();
            for (int i = 0; i < f.categories.elements.size(); i++) {
                String c = f.categories.elements.get(i);
                if (c == null) {
                    return Result.rejected(RejectReason.INVALID_CATEGORY, "entry " + i + " of 'categories' is not a string");
                }
                if (c.isBlank()) {
                    return Result.rejected(RejectReason.INVALID_CATEGORY, "entry " + i + " of 'categories' is "
                            + (c.isEmpty() ? "empty" : "blank"));
                }
                long bytes = InteractionParser.utf8Length(c);
                if (bytes > MAX_CATEGORY_BYTES) {
                    return Result.rejected(RejectReason.INVALID_CATEGORY, "entry " + i + " of 'categories' is " + bytes
                            + " bytes, limit " + MAX_CATEGORY_BYTES);
                }
                distinct.add(c);
            }
            categories = distinct.toArray(new String[0]);
        }

        boolean available = true;
        if (!f.available.absent()) {
            if (f.available.token != JsonToken.VALUE_TRUE && f.available.token != JsonToken.VALUE_FALSE) {
                return wrongType("available", "a boolean", f.available.token);
            }
            available = f.available.token == JsonToken.VALUE_TRUE;
        }

        if (f.ts.absent()) {
            return Result.rejected(RejectReason.MISSING_FIELD, "field 'ts' is " + (f.ts.seen ? "null" : "missing"));
        }
        if (f.ts.token != JsonToken.VALUE_NUMBER_INT) {
            return wrongType("ts", "an integer (epoch milliseconds)", f.ts.token);
        }
        if (!f.ts.fitsLong) {
            return Result.rejected(RejectReason.TIMESTAMP_OUT_OF_RANGE,
                    "field 'ts' is " + InteractionParser.echo(f.ts.text) + ", which does not fit in 64 bits");
        }
        long ts = f.ts.integer;
        String tsProblem = InteractionParser.timestampProblem(ts, nowMillis, rules);
        if (tsProblem != null) {
            return Result.rejected(RejectReason.TIMESTAMP_OUT_OF_RANGE, tsProblem);
        }
        return new Result(new ItemMetadata(f.item.text, categories, available, ts), null, null);
    }

    private static Result wrongType(String field, String expected, JsonToken actual) {
        return Result.rejected(RejectReason.WRONG_FIELD_TYPE,
                "field '" + field + "' must be " + expected + ", got " + InteractionParser.describe(actual));
    }

    private static final class Fields {
        final Field item = new Field();
        final Field categories = new Field();
        final Field available = new Field();
        final Field ts = new Field();
        String duplicate;

        Field slot(String name) {
            switch (name) {
                case "item": return item;
                case "categories": return categories;
                case "available": return available;
                case "ts": return ts;
                default: return null;
            }
        }
    }

    /** One field as read; an array keeps its entries (null for an entry that is not a string). */
    private static final class Field {
        boolean seen;
        JsonToken token;
        String text;
        long integer;
        boolean fitsLong;
        List<String> elements;

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
                    break;
                case START_ARRAY:
                    elements = new ArrayList<>();
                    JsonToken e;
                    while ((e = p.nextToken()) != JsonToken.END_ARRAY && e != null) {
                        if (e == JsonToken.VALUE_STRING) {
                            elements.add(p.getText());
                        } else {
                            elements.add(null);
                            p.skipChildren();
                        }
                    }
                    break;
                default:
                    text = null;
                    p.skipChildren();
            }
        }

        boolean absent() {
            return !seen || token == JsonToken.VALUE_NULL;
        }
    }
}
