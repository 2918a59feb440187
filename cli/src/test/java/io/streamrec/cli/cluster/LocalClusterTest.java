package io.streamrec.cli.cluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Process flags and settings of the local cluster, computed the way Flink's own scripts do. */
class LocalClusterTest {

    private static Configuration projectConfig() {
        return GlobalConfiguration.loadConfiguration(ClusterTestSupport.home().resolve("flink-conf").toString());
    }

    @Test
    void taskManagerFlagsFollowTheProcessSize() {
        Configuration conf = projectConfig();
        List<String> jvm = LocalCluster.taskManagerJvmOptions(conf);
        List<String> dynamic = LocalCluster.taskManagerDynamicConfigs(conf);

        assertThat(jvm).anyMatch(f -> f.startsWith("-Xmx")).anyMatch(f -> f.startsWith("-XX:MaxDirectMemorySize="))
                .anyMatch(f -> f.startsWith("-XX:MaxMetaspaceSize="));
        // "-D key=value" pairs, every memory component fixed, as TaskManagerRunner expects them
        assertThat(dynamic.get(0)).isEqualTo("-D");
        assertThat(dynamic).anyMatch(f -> f.startsWith("taskmanager.memory.managed.size="))
                .anyMatch(f -> f.startsWith("taskmanager.memory.task.heap.size="));
        long heap = Long.parseLong(jvm.stream().filter(f -> f.startsWith("-Xmx")).findFirst().orElseThrow().substring(4));
        assertThat(heap).isBetween(256L << 20, 2048L << 20);
    }

    @Test
    void jobManagerFlagsFollowTheProcessSize() {
        Configuration conf = projectConfig();
        assertThat(LocalCluster.jobManagerJvmOptions(conf)).anyMatch(f -> f.startsWith("-Xmx"));
        assertThat(LocalCluster.jobManagerDynamicConfigs(conf)).anyMatch(f -> f.startsWith("jobmanager.memory.heap.size="));
    }

    @Test
    void java17OptionsOpenWhatFlinkNeeds() {
        assertThat(LocalCluster.JAVA17_OPTIONS).contains("--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    }

    /**
     * The JVM options are written in several places; the Vector API module in particular must be in
     * every one that runs the job, or scoring silently falls back to the slower Java kernel.
     */
    @Test
    void jvmOptionsAreTheSameEverywhereTheJobRuns() throws Exception {
        String vector = "--add-modules=jdk.incubator.vector";
        String configured = projectConfig().getString("env.java.opts.all", "");
        assertThat(List.of(configured.trim().split("\\s+")))
                .as("env.java.opts.all of flink-conf/config.yaml")
                .containsExactlyElementsOf(LocalCluster.JAVA17_OPTIONS.stream()
                        .filter(o -> !o.startsWith("-XX:")) // Flink's scripts add IgnoreUnrecognizedVMOptions themselves
                        .collect(Collectors.toList()));
        assertThat(LocalCluster.JAVA17_OPTIONS).contains(vector);

        Path home = ClusterTestSupport.home();
        assertThat(Files.readString(home.resolve("bin/streamrec"))).contains(vector);
        assertThat(Files.readString(home.resolve("k8s/flink-deployment.yaml")))
                .contains("env.java.opts.all: " + vector);
        String pom = Files.readString(home.resolve("pom.xml"));
        String argLine = pom.substring(pom.indexOf("<argLine>"), pom.indexOf("</argLine>"));
        assertThat(argLine).contains(vector);
        // the --add-opens of the test JVMs and the CLI are a subset of what the cluster processes get
        for (String option : argLine.substring("<argLine>".length()).trim().split("\\s+")) {
            assertThat(LocalCluster.JAVA17_OPTIONS).as("pom.xml argLine option").contains(option);
        }
        assertThat(Files.readString(home.resolve("README.md"))).contains(vector);
    }

    @Test
    void takenPortIsReplacedByAFreeOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = LocalCluster.freePort(taken.getLocalPort());
            assertThat(port).isNotEqualTo(taken.getLocalPort()).isPositive();
        }
        assertThat(LocalCluster.freePort(0)).isPositive();
    }

    @Test
    void noClusterIsAttachedWithoutAStateFile(@TempDir Path dir) {
        assertThat(LocalCluster.attach(dir)).isEmpty();
    }
}
