package io.streamrec.operators.input;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decides when rejected input deserves a warning. Records are tallied over consecutive windows of
 * processing time; when a window closes ({@link #poll}) and either all of its records were rejected,
 * or at least {@link #MIN_RECORDS} were checked and the rejected share reached the threshold, a
 * warning text is returned, with counts per reason and one example payload per reason. Warnings are
 * rate-limited: at most one per {@code minInterval}; windows that would have warned in between are
 * counted and mentioned in the next warning. The figures of the last closed window are kept for
 * metrics ({@link #lastWindow()}).
 *
 * <p>Pure logic without Flink imports; the caller supplies the clock. Not thread-safe.
 */
public final class RejectionMonitor {

    /** Below this many records in a window only "all rejected" warns; a few bad records are not a trend. */
    public static final int MIN_RECORDS = 20;

    private final long windowMillis;
    private final double warnShare;
    private final long minIntervalMillis;

    private final RejectionTally current = new RejectionTally();
    private volatile Figures last = Figures.EMPTY; // read by the metrics reporter's thread
    private long windowStart = Long.MIN_VALUE;
    private long lastWarning = Long.MIN_VALUE;
    private int suppressed;

    /**
     * @param window      length of a window
     * @param warnShare   rejected share (0..1] from which a window warns
     * @param minInterval at least this long between two warnings
     */
    public RejectionMonitor(Duration window, double warnShare, Duration minInterval) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        if (!(warnShare > 0 && warnShare <= 1)) {
            throw new IllegalArgumentException("warnShare must be in (0, 1], got " + warnShare);
        }
        this.windowMillis = window.toMillis();
        this.warnShare = warnShare;
        this.minIntervalMillis = minInterval.toMillis();
    }

    /** Counts one checked record at time {@code now} (epoch ms). Call {@link #poll} first to close a due window. */
    public void add(ParseResult result, String payload, long now) {
        if (windowStart == Long.MIN_VALUE) {
            windowStart = now;
        }
        current.add(result, payload);
    }

    /**
     * Closes the current window if it has lasted {@code window} by {@code now}; returns the warning
     * to log, if this window warrants one and the last warning is at least {@code minInterval} old.
     */
    public Optional<String> poll(long now) {
        if (windowStart == Long.MIN_VALUE || now - windowStart < windowMillis) {
            return Optional.empty();
        }
        Figures closed = Figures.of(current, windowStart, now);
        last = closed;
        boolean warrants = current.rejected() > 0
                && (current.rejected() == current.total()
                    || (current.total() >= MIN_RECORDS && current.rejectedShare() >= warnShare));
        String text = warrants ? describe(closed.durationMillis()) : null;
        current.reset();
        windowStart = now;
        if (!warrants) {
            return Optional.empty();
        }
        if (lastWarning != Long.MIN_VALUE && now - lastWarning < minIntervalMillis) {
            suppressed++;
            return Optional.empty();
        }
        if (suppressed > 0) {
            text += String.format(Locale.ROOT, "%n  (%d more window(s) with as many rejections since the last warning were not logged)",
                    suppressed);
        }
        lastWarning = now;
        suppressed = 0;
        return Optional.of(text);
    }

    /** Figures of the last closed window (all zero before the first one closed). */
    public Figures lastWindow() {
        return last;
    }

    private String describe(long millis) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%,d of %,d input records (%.1f%%) were rejected in the last %.0f s and went to the dead-letter topic:%n",
                current.rejected(), current.total(), 100 * current.rejectedShare(), millis / 1000.0));
        sb.append(current.describe("  "));
        if (current.count(RejectReason.TIMESTAMP_OUT_OF_RANGE) > 0) {
            sb.append("  timestamp_out_of_range: historical data (e.g. MovieLens, 1997-98) needs a lower "
                    + "--input.min-timestamp, or timestamps moved into the accepted range "
                    + "(bin/streamrec produce --shift-timestamps).\n");
        }
        sb.append("  What the job accepts: README, \"Input contract\"; "
                + "the rejected records are in the dead-letter topic with their reasons.");
        return sb.toString();
    }

    /** Counts of one closed window. */
    public static final class Figures {
        static final Figures EMPTY = new Figures(0, 0, 0, 0, new EnumMap<>(RejectReason.class));

        private final long start;
        private final long end;
        private final long total;
        private final long rejected;
        private final Map<RejectReason, Long> byReason;

        private Figures(long start, long end, long total, long rejected, Map<RejectReason, Long> byReason) {
            this.start = start;
            this.end = end;
            this.total = total;
            this.rejected = rejected;
            this.byReason = byReason;
        }

        static Figures of(RejectionTally tally, long start, long end) {
            return new Figures(start, end, tally.total(), tally.rejected(), tally.byReason());
        }

        public long total() {
            return total;
        }

        public long rejected() {
            return rejected;
        }

        public double rejectedShare() {
            return total == 0 ? 0 : (double) rejected / total;
        }

        public long rejected(RejectReason reason) {
            return byReason.getOrDefault(reason, 0L);
        }

        public long durationMillis() {
            return end - start;
        }
    }
}
