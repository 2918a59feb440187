package io.streamrec.cli.chaos;

import java.util.SplittableRandom;

/**
 * One kind of fault: {@link #inject} breaks something in the {@link ChaosEnvironment} and, where
 * the fault is an outage, ends it again (restarts what it stopped), returning once the fault is
 * over. Recovery of the job is measured by the caller, not here.
 */
abstract class Fault {

    private final FaultKind kind;

    Fault(FaultKind kind) {
        this.kind = kind;
    }

    final FaultKind kind() {
        return kind;
    }

    /**
     * Injects the fault and ends it; returns what was done, for the report (e.g. "taskmanager-2
     * SIGKILL, taskmanager-4 started"). Every wait inside is bounded.
     */
    abstract String inject(ChaosEnvironment env, SplittableRandom random) throws Exception;

    /** The injector of a kind. */
    static Fault of(FaultKind kind) {
        return switch (kind) {
            case TASKMANAGER_KILL -> new TaskManagerKill();
            case KAFKA_RESTART -> new KafkaRestart();
            case REDIS_RESTART -> new RedisRestart();
            case REDIS_DATA_LOSS -> new RedisDataLoss();
            case CHECKPOINT_DIR_UNWRITABLE -> new CheckpointDirUnwritable();
        };
    }

    /** A random outage length in [min, max] seconds. */
    static long outageMillis(SplittableRandom random, int minSeconds, int maxSeconds) {
        return 1000L * (minSeconds + random.nextInt(maxSeconds - minSeconds + 1));
    }
}
