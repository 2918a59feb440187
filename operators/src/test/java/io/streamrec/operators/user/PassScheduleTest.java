package io.streamrec.operators.user;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When passes over the lists run for gathered items, and which items each serves. */
class PassScheduleTest {

    @Test
    void theFirstPassRunsAfterTheFirstDelayAndLaterOnesOneSpacingAfterThePrevious() {
        PassSchedule passes = new PassSchedule(0, 1000);
        assertThat(passes.add("a", 500)).isEqualTo(500);
        assertThat(passes.add("b", 600)).isEqualTo(-1); // served by the pass at 500
        assertThat(passes.drain(500)).containsExactlyInAnyOrder("a", "b");
        assertThat(passes.add("c", 501)).isEqualTo(1500);
        assertThat(passes.drain(1500)).containsExactly("c");
        assertThat(passes.add("d", 4000)).isEqualTo(4000); // long after the previous pass: at once
    }

    @Test
    void aFirstDelayPostponesEveryPass() {
        PassSchedule passes = new PassSchedule(1000, 60_000);
        assertThat(passes.add("a", 0)).isEqualTo(1000);
        passes.drain(1000);
        assertThat(passes.add("b", 2000)).isEqualTo(61_000);
        passes.drain(61_000);
        assertThat(passes.add("c", 200_000)).isEqualTo(201_000);
    }

    @Test
    void heldItemsWaitUntilScheduledAndAPassDrainsThemWithTheOthers() {
        PassSchedule passes = new PassSchedule(0, 1000);
        assertThat(passes.scheduleHeld(10)).isEqualTo(-1); // nothing held
        passes.hold("a");
        passes.hold("b");
        assertThat(passes.scheduleHeld(20)).isEqualTo(20);
        assertThat(passes.scheduleHeld(30)).isEqualTo(-1); // scheduled already
        assertThat(passes.add("c", 25)).isEqualTo(-1);
        assertThat(passes.drain(20)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(passes.drain(40)).isEmpty();
    }
}
