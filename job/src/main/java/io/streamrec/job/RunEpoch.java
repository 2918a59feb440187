package io.streamrec.job;

import java.io.Serializable;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * The identity of one run of the job: one submission of its graph, fixed when the graph is built,
 * so at submit and at every restore from a savepoint, and kept by every failover of the run (the
 * graph, with this value inside, is what restarts).
 *
 * <ul>
 *   <li>{@link #id()} tells runs apart in the gradient loop: the job stamps it on every gradient
 *       and the ItemServer accepts earlier runs only up to the checkpoint it restored. Unlike the
 *       JobID, which Flink may reuse (application mode with HA, {@code $internal.pipeline.job-id}),
 *       it is unique per run: the epoch plus 64 random bits.</li>
 *   <li>{@link #epoch()} orders runs: the whole seconds from 2025-01-01 to the submission, raised
 *       above every epoch a run of the same Redis prefix claimed before ({@link #claim}, key
 *       {@code {prefix}_epoch}), so it grows strictly with every submission into a prefix also
 *       when two come in one second or the submitting clock is behind. Every Redis version is
 *       {@link #version(long) epoch × 2^32 + a counter of the run}, so a run submitted later (a
 *       repair or rollback from an older savepoint into the live prefix) wins over every list the
 *       earlier run wrote, whatever that run's counters reached.</li>
 * </ul>
 *
 * <p>31 bits of epoch last until 2093; the counters of a run have 32 bits (a user refreshed once a
 * second for 136 years) and saturate rather than overflow into the epoch.
 */
public final class RunEpoch implements Serializable {
    private static final long serialVersionUID = 1L;

    /** 2025-01-01T00:00:00Z: epochs count whole seconds from here. */
    public static final Instant ORIGIN = Instant.parse("2025-01-01T00:00:00Z");

    static final int COUNTER_BITS = 32;
    static final long MAX_COUNTER = (1L << COUNTER_BITS) - 1;
    static final long MAX_EPOCH = (1L << 31) - 1;

    /**
     * Where the epochs of the runs of one Redis prefix are recorded: the job's is {@link
     * RedisEpochLedger}. Claims must be atomic, so that two submissions never get the same epoch.
     */
    @FunctionalInterface
    public interface Ledger {
        /** Records and returns the larger of {@code candidate} and the highest epoch recorded so far + 1. */
        long claim(long candidate);
    }

    private final long epoch;
    private final String id;
    /** Wall-clock milliseconds at the submission: {@link #timeVersion} counts from here. */
    private final long startMillis;

    private RunEpoch(long epoch, String id, long startMillis) {
        if (epoch < 0 || epoch > MAX_EPOCH) {
            throw new IllegalArgumentException("run epoch must be within 0.." + MAX_EPOCH + ", got " + epoch);
        }
        this.epoch = epoch;
        this.id = Objects.requireNonNull(id, "id");
        this.startMillis = startMillis;
    }

    /**
     * A new run, submitted now, ordered by this machine's clock alone: for graphs that write to no
     * shared prefix (tests). The deployed job {@link #claim claims} its epoch.
     */
    public static RunEpoch atSubmit() {
        return claim(candidate -> candidate, Clock.systemUTC());
    }

    /**
     * A new run, submitted now: the epoch is the seconds since {@link #ORIGIN} on {@code clock},
     * or, if the ledger holds that one or a later one, the next after the highest recorded.
     */
    public static RunEpoch claim(Ledger ledger, Clock clock) {
        long now = clock.millis();
        long epoch = ledger.claim(Math.max(0, now / 1000 - ORIGIN.getEpochSecond()));
        return new RunEpoch(epoch, String.format("e%d-%016x", epoch, new SecureRandom().nextLong()), now);
    }

    /** A run with a given epoch (tests, and replaying a run's ordering deliberately). */
    public static RunEpoch of(long epoch, String id) {
        return new RunEpoch(epoch, id, (ORIGIN.getEpochSecond() + epoch) * 1000);
    }

    public long epoch() {
        return epoch;
    }

    public String id() {
        return id;
    }

    /** A version within this run (non-negative, growing per key) as a version across runs. */
    public long version(long counter) {
        return (epoch << COUNTER_BITS) | Math.min(Math.max(counter, 0), MAX_COUNTER);
    }

    /**
     * A version for writes versioned by wall-clock time: tenths of a second since the submission
     * (on the submitting clock, also when the claimed epoch is ahead of it). Two writes of a key
     * within 100 ms get the same version (the later one is skipped).
     */
    public long timeVersion(long epochMillis) {
        return version((epochMillis - startMillis) / 100);
    }

    @Override
    public String toString() {
        return "run " + id + " (epoch " + epoch + ")";
    }
}
