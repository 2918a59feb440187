package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.InteractionParser;
import io.streamrec.operators.input.ParseResult;
import io.streamrec.operators.input.ValidationRules;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetireCommandTest {

    private final InteractionParser parser = new InteractionParser(ValidationRules.defaults());

    @Test
    void theRecordsAreTheControlRecordsTheJobAccepts() {
        long now = System.currentTimeMillis();
        ParseResult retire = parser.parse(RetireCommand.record("sku \"7\"", false, now), now);
        assertThat(retire.ok()).as("%s", retire).isTrue();
        assertThat(retire.interaction().type).isEqualTo(EventType.RETIRE);
        assertThat(retire.interaction().item).isEqualTo("sku \"7\"");
        ParseResult undo = parser.parse(RetireCommand.record("i1", true, now), now);
        assertThat(undo.interaction().type).isEqualTo(EventType.UNRETIRE);
    }

    @Test
    void withoutAnItemItIsAUsageError() {
        assertThatThrownBy(() -> RetireCommand.run(Path.of("."), CommandArgs.parse("--undo")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retire ITEM");
    }
}
