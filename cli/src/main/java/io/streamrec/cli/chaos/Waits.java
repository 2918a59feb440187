package io.streamrec.cli.chaos;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waiting: every wait of the soak ends, with a message saying what did not happen. */
final class Waits {
    private Waits() {}

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Polls {@code condition} every 500 ms until it holds; false after {@code timeout}. A condition
     * that throws (a service still down) counts as not yet.
     */
    static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException notYet) {
                // e.g. the REST API or Redis is restarting
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(500);
        }
    }
}
