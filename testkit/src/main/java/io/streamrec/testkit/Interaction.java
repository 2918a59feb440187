package io.streamrec.testkit;

import java.util.Objects;

/**
 * One user-item event in StreamRec's input contract. {@link #toJson()} gives the wire form, one JSON
 * object per Kafka record:
 *
 * <pre>{"id":"e-123","user":"u42","item":"i7","type":"click","value":1.0,"ts":1700000000123}</pre>
 *
 * <p>{@code value} is required for {@code rating} (a number from 1 to 5) and optional otherwise; it
 * is {@code null} here and omitted from the JSON when absent. {@code ts} is the event time in epoch
 * milliseconds. Immutable.
 */
public record Interaction(String id, String user, String item, String type, Double value, long ts) {

    /** The event types of the input contract, most common first. */
    public static final java.util.List<String> TYPES =
            java.util.List.of("view", "click", "cart", "purchase", "like", "dislike", "rating");

    public Interaction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(type, "type");
    }

    /** Compact JSON with fields in contract order; strings are escaped per RFC 8259. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(96);
        sb.append("{\"id\":");
        Json.appendString(sb, id);
        sb.append(",\"user\":");
        Json.appendString(sb, user);
        sb.append(",\"item\":");
        Json.appendString(sb, item);
        sb.append(",\"type\":");
        Json.appendString(sb, type);
        if (value != null) {
            sb.append(",\"value\":").append(value.doubleValue());
        }
        sb.append(",\"ts\":").append(ts).append('}');
        return sb.toString();
    }

    /** Minimal JSON string writer; the testkit writes JSON by hand to stay dependency-free. */
    static final class Json {
        private Json() {}

        static void appendString(StringBuilder sb, String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
