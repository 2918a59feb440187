package io.streamrec.operators.user;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeenItemsTest {

    @Test
    void remembersDistinctItemsOldestFirstAndDropsTheOldestPastTheCap() {
        String[] seen = new String[0];
        seen = SeenItems.remember(seen, "a", 3);
        seen = SeenItems.remember(seen, "b", 3);
        String[] same = SeenItems.remember(seen, "a", 3);
        assertThat(same).isSameAs(seen).containsExactly("a", "b");
        seen = SeenItems.remember(seen, "c", 3);
        String[] full = seen;
        seen = SeenItems.remember(seen, "d", 3);
        assertThat(seen).containsExactly("b", "c", "d");
        assertThat(full).containsExactly("a", "b", "c"); // never modified in place
        assertThat(SeenItems.contains(seen, "a")).isFalse();
        assertThat(SeenItems.indexOf(seen, "c")).isEqualTo(1);
    }
}
