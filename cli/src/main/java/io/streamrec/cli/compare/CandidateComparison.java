package io.streamrec.cli.compare;

import io.streamrec.cli.compare.QualityIntervals.Interval;
import io.streamrec.operators.evaluation.EventTimeQuality.Bucket;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Two jobs' test-then-learn quality over the same events: their event-time buckets
 * ({@code {prefix}_metrics:windows}) summed into windows of {@code windowMillis}, kept where both
 * jobs measured something and both have moved past the window's end (so both counted the same
 * events), each job's HR@10 and MRR@10 per window and over all kept windows with 95 % intervals,
 * the differences candidate − live, and the verdict; next to it, paired by window, in how many
 * windows each job had the higher HR@10, with the sign test's p. Pure, no Redis.
 */
public record CandidateComparison(long windowMillis, List<Window> windows, Side liveTotal, Side candidateTotal,
                                  Interval hitRateDifference, Interval mrrDifference, Verdict verdict,
                                  Paired paired) {

    /** Who wins, judged on the intervals of the differences over all compared windows. */
    public enum Verdict {
        /** HR@10 or MRR@10 significantly higher for the candidate, neither significantly lower. */
        CANDIDATE,
        /** Significantly lower for the candidate, neither significantly higher. */
        LIVE,
        /** Neither difference excludes 0. */
        NO_SIGNIFICANT_DIFFERENCE,
        /** One significantly higher, the other significantly lower. */
        MIXED
    }

    /** One job's sums and figures in a window (or over all of them). */
    public record Side(long n, long hits, Interval hitRate, Interval mrr) {
        static Side of(Bucket sums) {
            return new Side(sums.n(), sums.hits10(), QualityIntervals.wilson(sums.hits10(), sums.n(), QualityIntervals.Z95),
                    QualityIntervals.mean(sums.rr(), sums.rr2(), sums.n(), QualityIntervals.Z95));
        }
    }

    /** Windows in which the candidate's HR@10 was higher, lower, equal; the two-sided sign test's p. */
    public record Paired(int candidateAhead, int liveAhead, int ties, double signTestP) {}

    /** One window of event time, [start, start + windowMillis). */
    public record Window(long start, Side live, Side candidate) {}

    /** Compares the two jobs' buckets; windows are aligned on multiples of {@code windowMillis}. */
    public static CandidateComparison of(List<Bucket> live, List<Bucket> candidate, long windowMillis) {
        if (windowMillis <= 0) {
            throw new IllegalArgumentException("window must be positive, got " + windowMillis + " ms");
        }
        TreeMap<Long, Bucket> liveWindows = windows(live, windowMillis);
        TreeMap<Long, Bucket> candidateWindows = windows(candidate, windowMillis);
        // a window is complete in a job once the job has measured an event after it
        long liveNewest = live.stream().mapToLong(Bucket::start).max().orElse(Long.MIN_VALUE);
        long candidateNewest = candidate.stream().mapToLong(Bucket::start).max().orElse(Long.MIN_VALUE);
        long closedBefore = Math.min(liveNewest, candidateNewest);

        List<Window> windows = new ArrayList<>();
        Bucket liveSum = new Bucket(0, 0, 0, 0, 0);
        Bucket candidateSum = new Bucket(0, 0, 0, 0, 0);
        for (var entry : liveWindows.entrySet()) {
            long start = entry.getKey();
            Bucket c = candidateWindows.get(start);
            if (c == null || c.n() == 0 || entry.getValue().n() == 0 || start + windowMillis > closedBefore) {
                continue;
            }
            windows.add(new Window(start, Side.of(entry.getValue()), Side.of(c)));
            liveSum = liveSum.plus(entry.getValue());
            candidateSum = candidateSum.plus(c);
        }
        Interval hr = QualityIntervals.hitRateDifference(liveSum.hits10(), liveSum.n(),
                candidateSum.hits10(), candidateSum.n(), QualityIntervals.Z95);
        Interval mrr = QualityIntervals.meanDifference(liveSum.rr(), liveSum.rr2(), liveSum.n(),
                candidateSum.rr(), candidateSum.rr2(), candidateSum.n(), QualityIntervals.Z95);
        return new CandidateComparison(windowMillis, windows, Side.of(liveSum), Side.of(candidateSum), hr, mrr,
                verdict(hr, mrr), paired(windows));
    }

    static Paired paired(List<Window> windows) {
        int ahead = 0, behind = 0, ties = 0;
        for (Window w : windows) {
            int c = Double.compare(w.candidate().hitRate().value(), w.live().hitRate().value());
            if (c > 0) {
                ahead++;
            } else if (c < 0) {
                behind++;
            } else {
                ties++;
            }
        }
        return new Paired(ahead, behind, ties, QualityIntervals.signTestP(ahead, behind));
    }

    static Verdict verdict(Interval hitRate, Interval mrr) {
        boolean better = hitRate.low() > 0 || mrr.low() > 0;
        boolean worse = hitRate.high() < 0 || mrr.high() < 0;
        if (better && worse) {
            return Verdict.MIXED;
        }
        return better ? Verdict.CANDIDATE : worse ? Verdict.LIVE : Verdict.NO_SIGNIFICANT_DIFFERENCE;
    }

    private static TreeMap<Long, Bucket> windows(List<Bucket> buckets, long windowMillis) {
        TreeMap<Long, Bucket> out = new TreeMap<>();
        for (Bucket b : buckets) {
            long start = Math.floorDiv(b.start(), windowMillis) * windowMillis;
            Bucket aligned = new Bucket(start, b.n(), b.hits10(), b.rr(), b.rr2());
            out.merge(start, aligned, Bucket::plus);
        }
        return out;
    }
}
