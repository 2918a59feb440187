package io.streamrec.operators.item;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ItemCapTest {

    @Test
    void oneSubtaskOwningEveryKeyGroupGetsTheWholeCap() {
        assertThat(ItemCap.share(1_000_000, 128, 128)).isEqualTo(1_000_000);
    }

    @Test
    void sharesFollowTheKeyGroupsAndNeverAddUpToMoreThanTheCap() {
        // parallelism 3 of max parallelism 128: 43, 43 and 42 key groups
        assertThat(ItemCap.share(1_000, 43, 128)).isEqualTo(335);
        assertThat(ItemCap.share(1_000, 42, 128)).isEqualTo(328);
        for (int parallelism = 1; parallelism <= 128; parallelism++) {
            long total = 0;
            for (int subtask = 0; subtask < parallelism; subtask++) {
                int groups = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(128, parallelism, subtask)
                        .getNumberOfKeyGroups();
                total += ItemCap.share(1_000_000, groups, 128);
            }
            assertThat(total).as("parallelism %d", parallelism).isBetween(1_000_000L - parallelism, 1_000_000L);
        }
    }

    @Test
    void refusesImpossibleKeyGroupCounts() {
        assertThatThrownBy(() -> ItemCap.share(10, 129, 128)).isInstanceOf(IllegalArgumentException.class);
    }
}
