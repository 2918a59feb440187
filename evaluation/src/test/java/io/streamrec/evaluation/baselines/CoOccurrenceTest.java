package io.streamrec.evaluation.baselines;

import io.streamrec.testkit.Interaction;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CoOccurrenceTest {

    private static Interaction e(String user, String item) {
        return new Interaction(user + "-" + item, user, item, "click", null, 1);
    }

    // users of each item: a {u1,u2,u3,u4}, b {u1,u2,u3}, c {u4,u5}, d {u5}, e {u1}
    private static final List<Interaction> TRAIN = List.of(
            e("u1", "a"), e("u1", "b"), e("u1", "e"), e("u2", "a"), e("u2", "b"), e("u3", "a"), e("u3", "b"),
            e("u3", "b"), // a repeat counts the user once
            e("u4", "a"), e("u4", "c"), e("u5", "c"), e("u5", "d"));

    @Test
    void countsRankByUsersInCommonAndLeaveOutItemsNeverTogether() {
        Map<String, List<String>> lists = CoOccurrence.of(TRAIN).lists(3, false);
        // a with b: 3 users; with c: 1; with e: 1 (ties: the more popular first, c has 2 users); never with d
        assertThat(lists.get("a")).containsExactly("b", "c", "e");
        assertThat(lists.get("d")).containsExactly("c");
        assertThat(lists.get("c")).containsExactly("a", "d"); // tie of 1: a has more users
    }

    @Test
    void cosineDividesByTheRootOfBothItemsUsers() {
        Map<String, List<String>> lists = CoOccurrence.of(TRAIN).lists(3, true);
        // c: with a 1 / √(2·4) = 0.354, with d 1 / √(2·1) = 0.707
        assertThat(lists.get("c")).containsExactly("d", "a");
        // a: b 3/√12 = 0.866, e 1/√4 = 0.5, c 1/√8 = 0.354
        assertThat(lists.get("a")).containsExactly("b", "e", "c");
    }

    @Test
    void popularListsAreTheMostPopularOtherItems() {
        Map<String, List<String>> lists = CoOccurrence.of(TRAIN).popular(2);
        assertThat(lists.get("a")).containsExactly("b", "c");
        assertThat(lists.get("d")).containsExactly("a", "b");
    }
}
