package io.streamrec.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the JVM lacks {@code --add-modules jdk.incubator.vector}, {@link ScoringKernel#VECTOR} gives
 * the Java kernel, says why once, and scores correctly.
 */
class VectorKernelFallbackTest {

    @Test
    void namesTheMissingJvmOptionWhenTheModuleIsAbsent() {
        String reason = TopNKernels.vectorFailure(ModuleLayer.empty());

        assertThat(reason).contains("--add-modules jdk.incubator.vector").contains("env.java.opts.all");
    }

    @Test
    void aJvmWithoutTheModuleFallsBackToTheJavaKernelAndLogsOnce(@TempDir Path dir) throws Exception {
        // the Flink test jars on the classpath switch logging off; the child logs to its console
        Path logConfig = dir.resolve("log4j2.properties");
        Files.writeString(logConfig, String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.console.ref = console",
                "appender.console.type = Console",
                "appender.console.name = console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %p %c{1} - %m%n"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(
                        java,
                        "-Dlog4j2.configurationFile=" + logConfig.toUri(),
                        "-cp", System.getProperty("java.class.path"),
                        FallbackMain.class.getName()))
                .redirectErrorStream(true)
                .start();
        String output = readAll(process);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("kernels: java java");
        assertThat(output).contains("available: false");
        assertThat(output).contains("top: 1 0");
        String logLine = "falls back to the pure-Java kernel";
        assertThat(output.split(logLine, -1)).as(output).hasSize(2); // exactly once for two kernels
        assertThat(output).contains("WARN TopNKernels - StreamRec top-N scoring falls back")
                .contains("--add-modules jdk.incubator.vector");
    }

    private static String readAll(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Run in a child JVM started without the incubator module. */
    public static final class FallbackMain {
        public static void main(String[] args) {
            TopNKernel first = ScoringKernel.VECTOR.create();
            TopNKernel second = ScoringKernel.VECTOR.create();
            System.out.println("kernels: " + first.name() + " " + second.name());
            System.out.println("available: " + TopNKernels.vectorAvailable());
            ItemMatrix items = new ItemMatrix(2);
            items.upsert("a", new float[] {1, 0}, 0f);
            items.upsert("b", new float[] {0, 1}, 0f);
            ScoredItems[] r = first.topN(items, new float[][] {{0, 2}}, null, null, 2);
            System.out.println("top: " + r[0].rows[0] + " " + r[0].rows[1]);
        }
    }
}
