package io.streamrec.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressLineTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalRewritesOneLineAndEndsItBeforeLinesThatStay() {
        ProgressLine progress = new ProgressLine(out, true);
        progress.update("1 s  100 events");
        progress.update("2 s  250 events");
        assertThat(written()).isEqualTo("\r1 s  100 events\u001b[K\r2 s  250 events\u001b[K").doesNotContain("\n");

        progress.println("the job stopped: FAILED");
        progress.update("3 s  300 events");
        progress.end();
        progress.end();
        assertThat(written()).endsWith("\u001b[K\nthe job stopped: FAILED\n\r3 s  300 events\u001b[K\n");
    }

    @Test
    void elsewhereEveryUpdateIsALineWithoutControlCharacters() {
        ProgressLine progress = new ProgressLine(out, false);
        progress.update("1 s  100 events");
        progress.update("2 s  250 events");
        progress.println("done");
        progress.end();
        assertThat(written()).isEqualTo(String.join(System.lineSeparator(), "1 s  100 events", "2 s  250 events", "done", ""));
        assertThat(written()).doesNotContain("\r", "\u001b");
    }
}
