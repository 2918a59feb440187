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
