package io.streamrec.job;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandArgsTest {

    @Test
    void valuesBareFlagsEqualsFormAndPositionalsInOrder() {
        CommandArgs args = CommandArgs.parse(List.of("start", "--taskmanagers", "3", "--savepoint", "--parallelism=4",
                "--redis.prefix", "bf:", "u42", "--force"));

        assertThat(args.positional()).containsExactly("start", "u42");
        assertThat(args.takeInt("taskmanagers", 2)).isEqualTo(3);
        assertThat(args.takeBoolean("savepoint")).isTrue();
        assertThat(args.takeBoolean("cancel")).isFalse();
        assertThat(args.take("parallelism")).hasValue("4");
        assertThat(args.peek("redis.prefix", "rec:")).isEqualTo("bf:");
        assertThat(args.has("force")).isTrue();
        assertThat(args.take("force", "false")).isEqualTo("true");
        // what a command does not take stays for the job, in order
        assertThat(args.remainingOptions()).containsExactly(Map.entry("redis.prefix", "bf:"));
        assertThatThrownBy(args::rejectUnknown).hasMessage("unknown option --redis.prefix");
        args.rejectUnknown(Set.of("redis.prefix"));
    }

    @Test
    void numbersAreCheckedAndNameTheFlag() {
        CommandArgs args = CommandArgs.parse("--events", "100_000", "--rate", "2.5", "--rest-port", "eighty",
                "--ratio", "x", "--big", "9999999999");

        assertThat(args.takeLong("events", 0)).isEqualTo(100_000);
        assertThat(args.takeDouble("rate", 1)).isEqualTo(2.5);
        assertThat(args.takeLong("absent", 7)).isEqualTo(7);
        assertThatThrownBy(() -> args.takeInt("rest-port", 8081)).hasMessage("--rest-port must be a number, got 'eighty'");
        assertThatThrownBy(() -> args.takeDouble("ratio", 0.75)).hasMessage("--ratio must be a number, got 'x'");
        assertThatThrownBy(() -> args.takeInt("big", 1)).hasMessage("--big is out of range: 9999999999");
    }

    @Test
    void aValueMayNotStartWithTwoDashesButMayWithOne() {
        CommandArgs args = CommandArgs.parse("--input.min-timestamp", "-1", "--flag", "--other=--x");

        assertThat(args.take("input.min-timestamp")).hasValue("-1");
        assertThat(args.take("flag")).hasValue("true");
        assertThat(args.take("other")).hasValue("--x");
    }

    @Test
    void aLoneDoubleDashEndsTheFlagsAndKeepsTheRestAsGiven() {
        CommandArgs args = CommandArgs.parse("bootstrap", "--topic", "t", "--direct", "--", "--redis.url", "redis://r:6379/1",
                "--model.negatives=2", "x");

        assertThat(args.positional()).containsExactly("bootstrap");
        assertThat(args.remainingOptions()).containsExactly(Map.entry("topic", "t"), Map.entry("direct", "true"));
        assertThat(args.afterSeparator()).containsExactly("--redis.url", "redis://r:6379/1", "--model.negatives=2", "x");
        assertThat(CommandArgs.parse("--a", "1").afterSeparator()).isEmpty();
    }

    @Test
    void whereEveryFlagTakesAValueABareOneIsNamed() {
        CommandArgs args = CommandArgs.parse("--recs.top-n", "7", "--redis.prefix");
        assertThatThrownBy(args::requireValues).hasMessage("option --redis.prefix needs a value");

        CommandArgs given = CommandArgs.parse("--flag", "--flag=x", "--other", "true");
        given.requireValues(); // given again with a value, and "true" written out, are values
        assertThat(given.take("flag")).hasValue("x");
    }

    @Test
    void requireNamesTheMissingFlag() {
        CommandArgs args = CommandArgs.parse("--out", "dir");
        assertThat(args.require("out")).isEqualTo("dir");
        assertThatThrownBy(() -> args.require("savepoint")).hasMessage("missing --savepoint");
    }
}
