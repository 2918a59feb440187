package io.streamrec.cli;

import io.streamrec.operators.model.ModelConfig;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bootstrap from history is the one a user runs: {@code bin/backfill bootstrap} must make as many
 * passes by default as {@code bin/streamrec evaluate --protocol holdout} measures.
 */
class BackfillDefaultsTest {

    @Test
    void backfillBootstrapMakesTheEvaluatedNumberOfPassesByDefault() throws Exception {
        String script = Files.readString(Path.of("..", "bin", "backfill"));
        Matcher m = Pattern.compile("(?m)^file=\"\".* passes=(\\d+) ").matcher(script);
        assertThat(m.find()).as("bin/backfill declares its passes default").isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(ModelConfig.HISTORY_PASSES);
    }
}
