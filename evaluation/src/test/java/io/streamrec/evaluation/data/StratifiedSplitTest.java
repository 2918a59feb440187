package io.streamrec.evaluation.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class StratifiedSplitTest {

    record Rating(String user, String item, long ts) {}

    private static List<Rating> ratings() {
        List<Rating> out = new ArrayList<>();
        long ts = 0;
        for (int item = 0; item < 50; item++) {
            for (int u = 0; u <= item % 13; u++) {
                out.add(new Rating("u" + u, "i" + item, ts++));
            }
        }
        return out;
    }

    @Test
    void keepsThreeQuartersOfEveryItemInTraining() {
        List<Rating> all = ratings();
        StratifiedSplit.Split<Rating> split = StratifiedSplit.split(all, Rating::item, 0.75, 1);
        Map<String, Long> total = all.stream().collect(Collectors.groupingBy(Rating::item, Collectors.counting()));
        Map<String, Long> train = split.train().stream().collect(Collectors.groupingBy(Rating::item, Collectors.counting()));
        total.forEach((item, n) -> assertThat(train.get(item)).isEqualTo(Math.max(1, Math.round(0.75 * n))));
        assertThat(split.train().size() + split.test().size()).isEqualTo(all.size());
        assertThat(split.train()).doesNotContainAnyElementsOf(split.test());
    }

    @Test
    void isDeterministicPerSeed() {
        List<Rating> all = ratings();
        StratifiedSplit.Split<Rating> a = StratifiedSplit.split(all, Rating::item, 0.75, 7);
        StratifiedSplit.Split<Rating> b = StratifiedSplit.split(all, Rating::item, 0.75, 7);
        assertThat(a.test()).isEqualTo(b.test());

        // other groups' records around a group do not change its split
        List<Rating> shuffledGroups = new ArrayList<>(all);
        Collections.reverse(shuffledGroups);
        shuffledGroups.sort((x, y) -> Long.compare(x.ts(), y.ts()));
        StratifiedSplit.Split<Rating> c = StratifiedSplit.split(shuffledGroups, Rating::item, 0.75, 7);
        assertThat(c.test()).containsExactlyElementsOf(a.test());

        StratifiedSplit.Split<Rating> other = StratifiedSplit.split(all, Rating::item, 0.75, 8);
        assertThat(other.test()).isNotEqualTo(a.test());
    }

    @Test
    void keepsInputOrderInBothHalves() {
        StratifiedSplit.Split<Rating> split = StratifiedSplit.split(ratings(), Rating::item, 0.75, 3);
        assertThat(split.train()).isSortedAccordingTo((x, y) -> Long.compare(x.ts(), y.ts()));
        assertThat(split.test()).isSortedAccordingTo((x, y) -> Long.compare(x.ts(), y.ts()));
    }
}
