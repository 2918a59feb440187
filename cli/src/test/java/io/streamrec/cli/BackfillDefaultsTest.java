package io.streamrec.cli;

import io.streamrec.operators.model.ModelConfig;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bootstrap from history is the one a user runs: {@code bin/streamrec backfill bootstrap} must make
 * as many passes by default as {@code bin/streamrec evaluate --protocol holdout} measures.
 */
class BackfillDefaultsTest {

    @Test
    void backfillBootstrapMakesTheEvaluatedNumberOfPassesByDefault() {
        BackfillFlags flags = BackfillFlags.parse(List.of("bootstrap", "--topic", "history"), LocalDateTime.now());
        assertThat(flags.passes()).isEqualTo(ModelConfig.HISTORY_PASSES);
        assertThat(BackfillCommand.USAGE).contains("N passes, default " + ModelConfig.HISTORY_PASSES);
    }

    @Test
    void theOldScriptRunsTheJavaCommand() throws Exception {
        String script = Files.readString(Path.of("..", "bin", "backfill"));
        assertThat(script.lines().filter(l -> !l.isBlank() && !l.startsWith("#")))
                .containsExactly("exec \"$(dirname \"${BASH_SOURCE[0]}\")/streamrec\" backfill \"$@\"");
    }
}
