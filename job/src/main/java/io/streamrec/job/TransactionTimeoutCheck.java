package io.streamrec.job;

import io.streamrec.sinks.redis.RedisSinkBuilder;

import org.apache.flink.streaming.api.environment.CheckpointConfig;

import java.time.Duration;

/**
 * Refuses, at job start, checkpoint and Redis settings under which a pre-committed gradient
 * transaction could outlive {@code kafka.transaction-timeout}.
 *
 * <p>The gradient loop's Kafka sink pre-commits a transaction at each checkpoint barrier and
 * commits it when a checkpoint completes. If the broker aborts it first (its
 * {@code transaction.timeout.ms} passed), the Kafka committer only logs that this "most likely
 * signals data loss": the checkpoint already holds the user state and source offsets of those
 * events, so their item gradients are lost for good. A transaction therefore has to be committed
 * within the timeout in every case the job survives without failing over:
 * <ul>
 *   <li>after a restore, the Redis committer re-commits its restored lists while initializing,
 *       before any checkpoint can be triggered, for at most {@code redis.max-retry} plus one
 *       in-flight round trip (2 × the connection timeout), while the UserWorkers already write
 *       gradients into a new transaction;</li>
 *   <li>then at most {@code tolerable-failed-checkpoints} checkpoints in a row may fail (Flink fails
 *       the job over at the next), each after at most {@code execution.checkpointing.timeout}, each
 *       followed by a pause of {@code max(interval, min-pause)}; the transaction opened at one
 *       barrier is committed with the first completed checkpoint after it. A Redis committer that
 *       holds its thread makes checkpoints time out; those count here, which is why the committer
 *       never holds it longer than {@code redis.max-retry}.</li>
 * </ul>
 * So the longest a gradient transaction can stay open is
 * {@code redis.max-retry + 2 × redis timeout + (tolerable + 2) × (timeout + max(interval,
 * min-pause))}, and the job starts only if that is at most 90 % of
 * {@code kafka.transaction-timeout} (the rest covers notification and commit latency and clock
 * differences between the JobManager and the brokers).
 */
public final class TransactionTimeoutCheck {

    /** Fraction of the transaction timeout the longest open transaction may use. */
    static final double SAFETY_FRACTION = 0.9;

    private TransactionTimeoutCheck() {}

    /** The longest a pre-committed gradient transaction can stay open under these settings. */
    public static Duration longestOpenTransaction(CheckpointConfig checkpoints, Duration redisMaxRetry) {
        Duration interval = Duration.ofMillis(Math.max(checkpoints.getCheckpointInterval(),
                checkpoints.getCheckpointIntervalDuringBacklog()));
        Duration pause = max(interval, Duration.ofMillis(checkpoints.getMinPauseBetweenCheckpoints()));
        Duration perCheckpoint = Duration.ofMillis(checkpoints.getCheckpointTimeout()).plus(pause);
        int tolerable = Math.max(0, checkpoints.getTolerableCheckpointFailureNumber());
        return redisMaxRetry
                .plus(RedisSinkBuilder.DEFAULT_TIMEOUT.multipliedBy(2))
                .plus(perCheckpoint.multipliedBy(tolerable + 2L));
    }

    /**
     * @throws IllegalArgumentException naming the options to change, if a gradient transaction
     *     could expire
     */
    public static void check(CheckpointConfig checkpoints, StreamRecOptions options) {
        if (!checkpoints.isCheckpointingEnabled()) {
            return; // nothing is ever pre-committed and left open across checkpoints
        }
        Duration maxRetry = options.get(StreamRecOptions.REDIS_MAX_RETRY);
        Duration transactionTimeout = options.get(StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT);
        Duration longest = longestOpenTransaction(checkpoints, maxRetry);
        Duration allowed = Duration.ofMillis((long) (transactionTimeout.toMillis() * SAFETY_FRACTION));
        if (longest.compareTo(allowed) > 0) {
            throw new IllegalArgumentException(String.format(
                    "These settings can lose item gradients: a pre-committed gradient transaction can stay"
                            + " open for up to %s (--%s %s + 2 x Redis timeout %s + (%s %d + 2) x (%s %s"
                            + " + max(%s %s, %s %s))), but the broker aborts it after --%s %s, and this"
                            + " job needs it committed within 90%% of that (%s). Lower --%s,"
                            + " execution.checkpointing.timeout or"
                            + " execution.checkpointing.tolerable-failed-checkpoints, or raise --%s (at most"
                            + " the brokers' transaction.max.timeout.ms).",
                    format(longest), StreamRecOptions.REDIS_MAX_RETRY.key(), format(maxRetry),
                    format(RedisSinkBuilder.DEFAULT_TIMEOUT),
                    "execution.checkpointing.tolerable-failed-checkpoints",
                    Math.max(0, checkpoints.getTolerableCheckpointFailureNumber()),
                    "execution.checkpointing.timeout", format(Duration.ofMillis(checkpoints.getCheckpointTimeout())),
                    "execution.checkpointing.interval", format(Duration.ofMillis(checkpoints.getCheckpointInterval())),
                    "execution.checkpointing.min-pause",
                    format(Duration.ofMillis(checkpoints.getMinPauseBetweenCheckpoints())),
                    StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT.key(), format(transactionTimeout), format(allowed),
                    StreamRecOptions.REDIS_MAX_RETRY.key(), StreamRecOptions.KAFKA_TRANSACTION_TIMEOUT.key()));
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** "12 min 30 s", "1 s 500 ms". */
    static String format(Duration d) {
        StringBuilder out = new StringBuilder();
        long minutes = d.toMinutes();
        int seconds = d.toSecondsPart();
        int millis = d.toMillisPart();
        if (minutes > 0) {
            out.append(minutes).append(" min");
        }
        if (seconds > 0) {
            out.append(out.length() > 0 ? " " : "").append(seconds).append(" s");
        }
        if (millis > 0 || out.length() == 0) {
            out.append(out.length() > 0 ? " " : "").append(millis).append(" ms");
        }
        return out.toString();
    }
}
