package io.streamrec.evaluation.baselines;

import io.streamrec.testkit.Interaction;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class BaselinesTest {

    private static Interaction e(String user, String item, long ts) {
        return new Interaction(user + "-" + item + "-" + ts, user, item, "click", null, ts);
    }

    private static final List<Interaction> TRAIN = List.of(
            e("u1", "a", 1), e("u2", "a", 2), e("u3", "a", 3), e("u1", "b", 4), e("u2", "b", 5), e("u3", "c", 6),
            e("u1", "d", 7));

    @Test
    void popularListsRankByAllTimeCountWithoutSeenItems() {
        Map<String, List<String>> lists = Baselines.popular(TRAIN, Map.of("u1", Set.of("a", "b", "d"), "u3", Set.of("a", "c")), 2);

        assertThat(lists.get("u1")).containsExactly("c");
        assertThat(lists.get("u3")).containsExactly("b", "d");
    }

    @Test
    void randomListsAreSeededDistinctAndUnseen() {
        Map<String, Set<String>> seen = Map.of("u1", Set.of("a"), "u2", Set.of("a", "b", "c"));

        Map<String, List<String>> lists = Baselines.random(TRAIN, seen, 7, 3);

        assertThat(lists.get("u1")).hasSize(3).doesNotHaveDuplicates().doesNotContain("a").isSubsetOf("b", "c", "d");
        assertThat(lists.get("u2")).containsExactly("d"); // the one unseen item
        assertThat(Baselines.random(TRAIN, seen, 7, 3)).isEqualTo(lists);
    }

    @Test
    void aSampleNeverExceedsWhatIsAvailable() {
        List<String> catalog = new ArrayList<>(List.of("a", "b"));
        assertThat(Baselines.sample(catalog, Set.of("a", "b"), new Random(1), 10)).isEmpty();
        assertThat(Baselines.sample(catalog, Set.of(), new Random(1), 10)).containsExactlyInAnyOrder("a", "b");
    }
}
