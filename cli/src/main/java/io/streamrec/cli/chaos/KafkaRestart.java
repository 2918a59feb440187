package io.streamrec.cli.chaos;

import java.util.SplittableRandom;

/**
 * Stops the Kafka broker (SIGTERM: a controlled shutdown), keeps it down for 5–15 s, and starts it
 * again on the same ports and log directory. The job's sources, its exactly-once gradient sink and
 * the soak's own producer all lose the broker for that time.
 */
final class KafkaRestart extends Fault {

    KafkaRestart() {
        super(FaultKind.KAFKA_RESTART);
    }

    @Override
    String inject(ChaosEnvironment env, SplittableRandom random) {
        long down = Fault.outageMillis(random, 5, 15);
        long start = System.nanoTime();
        env.kafka.stop();
        double stopSeconds = (System.nanoTime() - start) / 1e9;
        Waits.sleep(down);
        env.kafka.launch();
        return String.format("broker stopped (%.1f s to exit), down %d s, started", stopSeconds, down / 1000);
    }
}
