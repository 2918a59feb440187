package io.streamrec.cli;

import java.io.PrintStream;

/**
 * A progress line: on a terminal it is rewritten in place (carriage return, then erase to the end
 * of the line), elsewhere (a pipe, a file, CI logs, {@code TERM=dumb}) each update is a line of its
 * own. Messages that must stay ({@link #println}) first end the line being rewritten. Thread-safe:
 * the demo's shutdown hook prints through it too.
 */
final class ProgressLine {

    private static final String ERASE_TO_END = "\u001b[K";

    private final PrintStream out;
    private final boolean inPlace;
    private boolean showing;

    ProgressLine(PrintStream out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    /** In place when standard input and output are a terminal that understands ANSI erase. */
    static ProgressLine forStdout() {
        return new ProgressLine(System.out, System.console() != null && !"dumb".equals(System.getenv("TERM")));
    }

    boolean inPlace() {
        return inPlace;
    }

    synchronized void update(String text) {
        if (inPlace) {
            out.print("\r" + text + ERASE_TO_END);
            out.flush();
            showing = true;
        } else {
            out.println(text);
        }
    }

    /** A line that stays, below the progress line (which the next update draws again). */
    synchronized void println(String line) {
        end();
        out.println(line);
    }

    /** Leaves the last progress line on the screen and moves to the next line. */
    synchronized void end() {
        if (showing) {
            out.println();
            showing = false;
        }
        out.flush();
    }
}
