package io.streamrec.operators.input;

import java.util.Objects;

/** Outcome of {@link InteractionParser#parse}: either an interaction or a reason with a detail. */
public final class ParseResult {

    private final Interaction interaction;
    private final RejectReason reason;
    private final String detail;

    private ParseResult(Interaction interaction, RejectReason reason, String detail) {
        this.interaction = interaction;
        this.reason = reason;
        this.detail = detail;
    }

    public static ParseResult ok(Interaction interaction) {
        return new ParseResult(Objects.requireNonNull(interaction, "interaction"), null, null);
    }

    public static ParseResult rejected(RejectReason reason, String detail) {
        return new ParseResult(null, Objects.requireNonNull(reason, "reason"), Objects.requireNonNull(detail, "detail"));
    }

    public boolean ok() {
        return interaction != null;
    }

    /** The valid interaction, or {@code null} if rejected. */
    public Interaction interaction() {
        return interaction;
    }

    /** Why the record was rejected, or {@code null} if it is valid. */
    public RejectReason reason() {
        return reason;
    }

    /** Human-readable explanation naming the field, or {@code null} if valid. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return ok() ? "ParseResult{ok, " + interaction + '}' : "ParseResult{" + reason.wireName() + ": " + detail + '}';
    }
}
