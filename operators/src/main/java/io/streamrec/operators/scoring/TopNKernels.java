package io.streamrec.operators.scoring;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Chooses the top-N kernel for this machine: {@link JblasTopNKernel} if jblas' native BLAS loads and
 * computes a correct product, otherwise {@link JavaTopNKernel}. The probe runs once per JVM and its
 * outcome is logged once at WARN, with the reason, so an operator can tell from the TaskManager log
 * which kernel (and so which throughput) a job gets.
 */
public final class TopNKernels {

    private TopNKernels() {}

    /** A new instance of the fastest working kernel (kernels are not thread-safe). */
    public static TopNKernel best() {
        return Probe.JBLAS_WORKS ? new JblasTopNKernel() : new JavaTopNKernel();
    }

    /** Whether jblas' native library loaded and passed the probe in this JVM. */
    public static boolean jblasAvailable() {
        return Probe.JBLAS_WORKS;
    }

    /**
     * Why jblas is not used in this JVM (the probe's error, e.g. an {@code UnsatisfiedLinkError}
     * naming {@code libgfortran.so.5}), or null when it is. Tests print it when they skip.
     */
    public static String jblasUnavailableReason() {
        return Probe.FAILURE;
    }

    /** Lazily initialized holder: the probe and its log line happen on first use, exactly once. */
    private static final class Probe {
        static final String FAILURE = jblasFailure();
        static final boolean JBLAS_WORKS = probeAndLog(FAILURE);

        private static boolean probeAndLog(String failure) {
            if (failure == null) {
                warn("StreamRec top-N scoring uses the jblas kernel (native BLAS loaded and passed a "
                        + "2x2 sgemm check).");
                return true;
            }
            warn("StreamRec top-N scoring falls back to the pure-Java kernel because jblas is missing "
                    + "or its native library is unusable: " + failure
                    + ". On Linux jblas needs libgfortran5 (apt-get install libgfortran5).");
            return false;
        }

        /** Null if a tiny product through the kernel's own call path is correct, else why not. */
        private static String jblasFailure() {
            try {
                ItemMatrix items = new ItemMatrix(2, 2);
                items.upsert("a", new float[] {1f, 2f}, 0f);
                items.upsert("b", new float[] {3f, 4f}, 0f);
                ScoredItems[] r = new JblasTopNKernel().topN(
                        items, new float[][] {{1f, 1f}, {1f, -1f}}, null, null, 2);
                // user 0: a=3, b=7 -> [b, a]; user 1: a=-1, b=-1 -> tie, lower row first -> [a, b]
                boolean ok = r[0].rows()[0] == 1 && r[0].scores()[0] == 7f && r[0].scores()[1] == 3f
                        && r[1].rows()[0] == 0 && r[1].scores()[0] == -1f && r[1].scores()[1] == -1f;
                return ok ? null : "sgemm returned wrong results " + r[0] + " " + r[1];
            } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
                return t.getClass().getName() + ": " + t.getMessage();
            }
        }
    }

    /** Logs through SLF4J when it is on the classpath (it is in Flink), else java.util.logging. */
    private static void warn(String message) {
        try {
            Slf4j.warn(message);
        } catch (LinkageError e) {
            Logger.getLogger(TopNKernels.class.getName()).log(Level.WARNING, message);
        }
    }

    /** Separate class so a missing SLF4J surfaces as a catchable LinkageError, not at our load. */
    private static final class Slf4j {
        static void warn(String message) {
            org.slf4j.LoggerFactory.getLogger(TopNKernels.class).warn(message);
        }
    }
}
