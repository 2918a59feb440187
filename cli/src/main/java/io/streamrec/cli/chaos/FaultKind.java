package io.streamrec.cli.chaos;

import java.util.Locale;

/** The faults the soak injects; {@link #label()} is what the report and {@code --kinds} call them. */
enum FaultKind {
    TASKMANAGER_KILL("taskmanager-kill"),
    KAFKA_RESTART("kafka-restart"),
    REDIS_RESTART("redis-restart"),
    REDIS_DATA_LOSS("redis-data-loss"),
    CHECKPOINT_DIR_UNWRITABLE("checkpoint-dir-unwritable");

    private final String label;

    FaultKind(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    static FaultKind of(String label) {
        for (FaultKind kind : values()) {
            if (kind.label.equals(label.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown fault kind '" + label + "' (one of taskmanager-kill, kafka-restart, "
                + "redis-restart, redis-data-loss, checkpoint-dir-unwritable)");
    }
}
