package io.streamrec.operators.scoring;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Chooses top-N kernels that work in this JVM, each probed once per JVM with its outcome logged
 * once, with the reason, so an operator can tell from the TaskManager log which kernel (and so which
 * throughput) a job gets:
 *
 * <ul>
 *   <li>{@link #vector()}: {@link VectorTopNKernel} (behind {@link WarmUpTopNKernel}) if the JVM was started with {@code
 *       --add-modules jdk.incubator.vector}, the preferred species has at least {@value
 *       #MIN_VECTOR_LANES} float lanes (AVX2 or AVX-512) and a tiny product through the kernel is
 *       correct; otherwise {@link JavaTopNKernel}.
 *   <li>{@link #best()}: {@link JblasTopNKernel} if jblas' native BLAS loads and computes a correct
 *       product, otherwise {@link JavaTopNKernel}.
 * </ul>
 */
public final class TopNKernels {

    /** The module the vector kernel needs; the JVM option is {@code --add-modules} + this name. */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    /**
     * Fewer lanes than this and the vector kernel is not used: it is built and measured for 8
     * (AVX2) and 16 (AVX-512) float lanes; where the Vector API has no wide registers to map to, its
     * portable fallback is far slower than the auto-vectorized Java kernel.
     */
    static final int MIN_VECTOR_LANES = 8;

    private TopNKernels() {}

    /**
     * A new instance of the vector kernel if it works in this JVM, else of the Java kernel. The
     * vector kernel comes wrapped in a {@link WarmUpTopNKernel}, which lets the Java kernel score
     * until the JIT has compiled the vector kernel.
     */
    public static TopNKernel vector() {
        return VectorProbe.WORKS ? new WarmUpTopNKernel(VectorKernelFactory.create(), new JavaTopNKernel())
                : new JavaTopNKernel();
    }

    /** Whether the vector kernel passed its probe in this JVM. */
    public static boolean vectorAvailable() {
        return VectorProbe.WORKS;
    }

    /** Why the vector kernel is not used in this JVM, or null when it is. */
    public static String vectorUnavailableReason() {
        return VectorProbe.FAILURE;
    }

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

    /**
     * Why the vector kernel cannot run in a JVM whose boot layer is {@code bootLayer}, or null if
     * it can. Checks the module before touching any class of it, so a JVM without the module gets a
     * clear reason instead of a {@link NoClassDefFoundError} from the middle of a job.
     */
    static String vectorFailure(ModuleLayer bootLayer) {
        if (bootLayer.findModule(VECTOR_MODULE).isEmpty()) {
            return "the JVM was started without --add-modules " + VECTOR_MODULE
                    + " (add it to the JVM options: env.java.opts.all in Flink's config.yaml)";
        }
        try {
            int lanes = VectorKernelFactory.lanes();
            if (lanes < MIN_VECTOR_LANES) {
                return "the preferred vector species has " + lanes + " float lanes, fewer than "
                        + MIN_VECTOR_LANES + " (no AVX2 or AVX-512 on this CPU, or disabled by -XX:UseAVX)";
            }
            return wrongResult(VectorKernelFactory.create());
        } catch (Throwable t) { // NoClassDefFoundError, ExceptionInInitializerError, UnsupportedOperationException
            return t.getClass().getName() + ": " + t.getMessage();
        }
    }

    /** Null if a tiny product through the kernel's own call path is correct, else what came out. */
    private static String wrongResult(TopNKernel kernel) {
        ItemMatrix items = new ItemMatrix(2, 2);
        items.upsert("a", new float[] {1f, 2f}, 0f);
        items.upsert("b", new float[] {3f, 4f}, 0f);
        ScoredItems[] r = kernel.topN(items, new float[][] {{1f, 1f}, {1f, -1f}}, null, null, 2);
        // user 0: a=3, b=7 -> [b, a]; user 1: a=-1, b=-1 -> tie, lower row first -> [a, b]
        boolean ok = r[0].rows()[0] == 1 && r[0].scores()[0] == 7f && r[0].scores()[1] == 3f
                && r[1].rows()[0] == 0 && r[1].scores()[0] == -1f && r[1].scores()[1] == -1f;
        return ok ? null : kernel.name() + " returned wrong results " + r[0] + " " + r[1];
    }

    /** The only place that names {@link VectorTopNKernel}: loaded after the module check passed. */
    private static final class VectorKernelFactory {
        static TopNKernel create() {
            return new VectorTopNKernel();
        }

        static int lanes() {
            return VectorTopNKernel.lanes();
        }
    }

    /** Lazily initialized holder: the vector probe and its log line happen on first use, exactly once. */
    private static final class VectorProbe {
        static final String FAILURE = vectorFailure(ModuleLayer.boot());
        static final boolean WORKS = probeAndLog(FAILURE);

        private static boolean probeAndLog(String failure) {
            if (failure == null) {
                info("StreamRec top-N scoring uses the vector kernel (" + VECTOR_MODULE + ", "
                        + VectorKernelFactory.lanes() + " float lanes).");
                return true;
            }
            warn("StreamRec top-N scoring falls back to the pure-Java kernel (about a third of the users per second on batches) because "
                    + "the vector kernel cannot run: " + failure + ".");
            return false;
        }
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
                return wrongResult(new JblasTopNKernel());
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

    /** Logs through SLF4J where it is on the class path (the job, the CLI), else java.util.logging. */
    static void info(String message) {
        try {
            Slf4j.info(message);
        } catch (LinkageError e) {
            Logger.getLogger(TopNKernels.class.getName()).log(Level.INFO, message);
        }
    }

    /** Separate class so a missing SLF4J surfaces as a catchable LinkageError, not at our load. */
    private static final class Slf4j {
        static void warn(String message) {
            org.slf4j.LoggerFactory.getLogger(TopNKernels.class).warn(message);
        }

        static void info(String message) {
            org.slf4j.LoggerFactory.getLogger(TopNKernels.class).info(message);
        }
    }
}
