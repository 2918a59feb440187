package io.streamrec.operators.input;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counts of records checked and rejected, per {@link RejectReason}, with the first rejected payload
 * and its detail per reason as an example. Used by the job over a window
 * ({@link RejectionMonitor}) and by {@code bin/streamrec produce} over a file, so both describe
 * the same records the same way. Not thread-safe.
 */
public final class RejectionTally {

    /** Example payloads are cut to this many characters. */
    public static final int EXAMPLE_CHARS = 300;

    private final EnumMap<RejectReason, Long> counts = new EnumMap<>(RejectReason.class);
    private final EnumMap<RejectReason, String> examples = new EnumMap<>(RejectReason.class);
    private final EnumMap<RejectReason, String> details = new EnumMap<>(RejectReason.class);
    private long total;
    private long rejected;

    /** Counts one checked record; {@code payload} is kept as the example of its reason if it is the first. */
    public void add(ParseResult result, String payload) {
        add(result.reason(), result.detail(), payload);
    }

    /** Counts one checked record of any kind: {@code reason} null when it is valid. */
    public void add(RejectReason reason, String detail, String payload) {
        total++;
        if (reason == null) {
            return;
        }
        rejected++;
        counts.merge(reason, 1L, Long::sum);
        if (!examples.containsKey(reason)) {
            examples.put(reason, abbreviate(payload));
            details.put(reason, detail);
        }
    }

    public long total() {
        return total;
    }

    public long rejected() {
        return rejected;
    }

    /** Rejected / total, 0 when nothing was checked. */
    public double rejectedShare() {
        return total == 0 ? 0 : (double) rejected / total;
    }

    /** Rejections per reason (reasons without rejections are absent). */
    public Map<RejectReason, Long> byReason() {
        return new EnumMap<>(counts);
    }

    public long count(RejectReason reason) {
        return counts.getOrDefault(reason, 0L);
    }

    /** The first rejected payload of the reason (abbreviated), or null. */
    public String example(RejectReason reason) {
        return examples.get(reason);
    }

    /** The detail of {@link #example}'s rejection, or null. */
    public String detail(RejectReason reason) {
        return details.get(reason);
    }

    /**
     * One line per reason: {@code timestamp_out_of_range: 100 (100.0%), e.g. ts ... -- {"id":...}}.
     */
    public String describe(String indent) {
        StringBuilder sb = new StringBuilder();
        counts.entrySet().stream()
                .sorted(Map.Entry.<RejectReason, Long>comparingByValue().reversed())
                .forEach(e -> sb.append(indent).append(e.getKey().wireName()).append(": ")
                        .append(String.format(Locale.ROOT, "%,d (%.1f%%)", e.getValue(), 100.0 * e.getValue() / total))
                        .append(", e.g. ").append(details.get(e.getKey()))
                        .append(": ").append(examples.get(e.getKey())).append('\n'));
        return sb.toString();
    }

    public void reset() {
        counts.clear();
        examples.clear();
        details.clear();
        total = 0;
        rejected = 0;
    }

    static String abbreviate(String payload) {
        if (payload == null) {
            return "null";
        }
        return payload.length() <= EXAMPLE_CHARS ? payload : payload.substring(0, EXAMPLE_CHARS) + "...";
    }
}
