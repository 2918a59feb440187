package io.streamrec.operators.input;

import java.io.Serializable;

/**
 * Limits applied by {@link InteractionParser}. Immutable and serializable (it travels inside a Flink
 * function). Defaults: ids of at most 256 UTF-8 bytes, payloads of at most 64 KiB, ratings in [0.5,
 * 5.0], timestamps from 2000-01-01T00:00:00Z to one day past the caller's clock.
 */
public final class ValidationRules implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final ValidationRules DEFAULTS = builder().build();

    private final int maxIdBytes;
    private final int maxPayloadBytes;
    private final double ratingMin;
    private final double ratingMax;
    private final long minTimestamp;
    private final long maxFutureSkewMillis;

    private ValidationRules(Builder b) {
        this.maxIdBytes = b.maxIdBytes;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.ratingMin = b.ratingMin;
        this.ratingMax = b.ratingMax;
        this.minTimestamp = b.minTimestamp;
        this.maxFutureSkewMillis = b.maxFutureSkewMillis;
    }

    public static ValidationRules defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Limit for {@code user}, {@code item} and {@code id}, in UTF-8 bytes. */
    public int maxIdBytes() {
        return maxIdBytes;
    }

    /** Limit for the whole record, in UTF-8 bytes. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** Smallest accepted rating, inclusive. */
    public double ratingMin() {
        return ratingMin;
    }

    /** Largest accepted rating, inclusive. */
    public double ratingMax() {
        return ratingMax;
    }

    /** Earliest accepted {@code ts}, epoch milliseconds, inclusive. */
    public long minTimestamp() {
        return minTimestamp;
    }

    /** How far {@code ts} may lie ahead of the caller's clock, in milliseconds, inclusive. */
    public long maxFutureSkewMillis() {
        return maxFutureSkewMillis;
    }

    @Override
    public String toString() {
        return "ValidationRules{maxIdBytes=" + maxIdBytes + ", maxPayloadBytes=" + maxPayloadBytes
                + ", rating=[" + ratingMin + ", " + ratingMax + "], minTimestamp=" + minTimestamp
                + ", maxFutureSkewMillis=" + maxFutureSkewMillis + '}';
    }

    /** Builder starting from the defaults; {@link #build()} checks the combination. */
    public static final class Builder {
        private int maxIdBytes = 256;
        private int maxPayloadBytes = 64 * 1024;
        private double ratingMin = 0.5;
        private double ratingMax = 5.0;
        private long minTimestamp = 946_684_800_000L; // 2000-01-01T00:00:00Z
        private long maxFutureSkewMillis = 86_400_000L;

        private Builder() {}

        public Builder maxIdBytes(int maxIdBytes) {
            this.maxIdBytes = maxIdBytes;
            return this;
        }

        public Builder maxPayloadBytes(int maxPayloadBytes) {
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        public Builder ratingRange(double min, double max) {
            this.ratingMin = min;
            this.ratingMax = max;
            return this;
        }

        public Builder minTimestamp(long minTimestamp) {
            this.minTimestamp = minTimestamp;
            return this;
        }

        public Builder maxFutureSkewMillis(long maxFutureSkewMillis) {
            this.maxFutureSkewMillis = maxFutureSkewMillis;
            return this;
        }

        /** @throws IllegalArgumentException naming the first inconsistent setting */
        public ValidationRules build() {
            if (maxIdBytes < 1) {
                throw new IllegalArgumentException("maxIdBytes must be positive, got " + maxIdBytes);
            }
            if (maxPayloadBytes < 1) {
                throw new IllegalArgumentException("maxPayloadBytes must be positive, got " + maxPayloadBytes);
            }
            if (!Double.isFinite(ratingMin) || !Double.isFinite(ratingMax) || ratingMin > ratingMax) {
                throw new IllegalArgumentException(
                        "rating range must be finite with min <= max, got [" + ratingMin + ", " + ratingMax + "]");
            }
            if (maxFutureSkewMillis < 0) {
                throw new IllegalArgumentException(
                        "maxFutureSkewMillis must not be negative, got " + maxFutureSkewMillis);
            }
            return new ValidationRules(this);
        }
    }
}
