package io.streamrec.cli.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterCommandsTest {

    @Test
    void flagsTakeValuesBareFlagsAndPositionals() {
        ClusterCommands.Flags flags = ClusterCommands.Flags.parse(
                List.of("start", "--taskmanagers", "3", "--savepoint", "--parallelism=4", "--redis.prefix", "bf:"));

        assertThat(flags.positional).containsExactly("start");
        assertThat(flags.integer("taskmanagers", 2)).isEqualTo(3);
        assertThat(flags.bool("savepoint")).isTrue();
        assertThat(flags.take("parallelism")).hasValue("4");
        // what a command does not take stays for the job
        assertThat(flags.options).containsOnlyKeys("redis.prefix");
        assertThatThrownBy(flags::rejectUnknown).hasMessage("unknown option --redis.prefix");
    }

    @Test
    void badNumbersNameTheFlag() {
        ClusterCommands.Flags flags = ClusterCommands.Flags.parse(List.of("--rest-port", "eighty"));
        assertThatThrownBy(() -> flags.integer("rest-port", 8081)).hasMessageContaining("--rest-port must be a number");
    }

    @Test
    void usageErrorsComeBeforeAnyClusterCall(@TempDir Path home) {
        assertThatThrownBy(() -> ClusterCommands.stop(home, List.of("--rest", "http://127.0.0.1:1", "--job", "j1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--savepoint").hasMessageContaining("--cancel");
        assertThatThrownBy(() -> ClusterCommands.cluster(home, List.of("restart")))
                .hasMessageContaining("expected start, stop or status");
    }

    @Test
    void savepointSizeIsTheSumOfItsFiles(@TempDir Path dir) throws IOException {
        Path savepoint = Files.createDirectories(dir.resolve("savepoint-1"));
        Files.write(savepoint.resolve("_metadata"), new byte[1000]);
        Files.write(Files.createDirectories(savepoint.resolve("sub")).resolve("data"), new byte[2048]);

        assertThat(ClusterCommands.savepointBytes("file:" + savepoint)).isEqualTo(3048);
        assertThat(ClusterCommands.savepointBytes(savepoint.toUri().toString())).isEqualTo(3048);
        assertThat(ClusterCommands.savepointBytes("s3://bucket/savepoint-1")).isEqualTo(-1);
        assertThat(ClusterCommands.formatBytes(3048)).isEqualTo("3.0 KiB");
        assertThat(ClusterCommands.formatBytes(5 << 20)).isEqualTo("5.0 MiB");
        assertThat(ClusterCommands.formatBytes(-1)).isEqualTo("size unknown");
    }
}
