package io.streamrec.evaluation.data;

/**
 * Event times for repeated passes over a history, on one increasing timeline that the job's input
 * validation accepts. Pass {@code p} follows pass {@code p - 1} (so watermarks, event-time order and
 * time-decayed popularity stay meaningful), and every time lies in {@code [notBefore, notAfter]}:
 * a history that starts earlier is moved forward, and when {@code passes} copies of it do not fit
 * (22 years of ratings times 10 passes do not fit between 2000 and today), the timeline is
 * compressed by one constant factor. Order within and across passes is kept exactly; only spacing
 * changes. The model itself does not read event times.
 */
public final class PassTimeline {

    private static final long DAY_MS = 86_400_000L;

    private final long first;
    private final long span;
    private final long origin;
    private final double scale;
    private final int passes;

    private PassTimeline(long first, long span, long origin, double scale, int passes) {
        this.first = first;
        this.span = span;
        this.origin = origin;
        this.scale = scale;
        this.passes = passes;
    }

    /**
     * A timeline for {@code passes} passes over events with times in {@code [first, last]}, placed
     * inside {@code [notBefore, notAfter]} with room for one more instant after the last pass.
     */
    public static PassTimeline of(long first, long last, int passes, long notBefore, long notAfter) {
        if (passes < 1) {
            throw new IllegalArgumentException("passes must be at least 1, got " + passes);
        }
        if (last < first || notAfter <= notBefore) {
            throw new IllegalArgumentException("empty time range");
        }
        // one day between passes, so a pass's last events and the next pass's first never tie
        long span = (last - first) + DAY_MS;
        long origin = Math.max(first, notBefore);
        double needed = (double) passes * span;
        if (origin + needed < notAfter) {
            return new PassTimeline(first, span, origin, 1.0, passes);
        }
        double scale = (notAfter - notBefore - 1) / needed;
        return new PassTimeline(first, span, notBefore, scale, passes);
    }

    /** The time of an event with original time {@code ts} in pass {@code pass} (0-based). */
    public long at(int pass, long ts) {
        if (pass < 0 || pass >= passes) {
            throw new IllegalArgumentException("pass " + pass + " is outside 0.." + (passes - 1));
        }
        return origin + (long) Math.floor(((ts - first) + (double) pass * span) * scale);
    }

    /** An instant after every event of every pass (still within the timeline's range). */
    public long end() {
        return origin + (long) Math.floor((double) passes * span * scale);
    }

    /** True when the history had to be compressed to fit. */
    public boolean compressed() {
        return scale < 1.0;
    }
}
