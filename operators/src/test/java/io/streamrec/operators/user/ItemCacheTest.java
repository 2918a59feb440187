package io.streamrec.operators.user;

import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemUpdate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ItemCacheTest {

    private static final int DIM = 2;
    private final ModelConfig model = ModelConfig.builder().dimension(DIM).seed(5).build();

    @Test
    void aNewItemStartsFromTheSameSeededVectorAsTheItemServer() {
        ItemCache cache = new ItemCache(model);
        int row = cache.rowOf("x");
        assertThat(cache.matrix().vectorAt(row)).containsExactly(FactorMath.initVector("x", DIM, model.initScale(), 5));
        assertThat(cache.rowOf("x")).isEqualTo(row);
    }

    @Test
    void ownUpdatesSurviveBroadcastsUntilConfirmedAndAreCountedOnce() {
        ItemCache cache = new ItemCache(model);
        cache.apply(new ItemUpdate("a", new float[] {1f, 1f}, 0f, 10), 0);
        int row = cache.rowOf("a");
        cache.applyOwn("a", row, new float[] {0.5f, 0f}, 0.1f);
        cache.countInteraction("a", 100, Math.log(1));
        assertThat(cache.matrix().interactionsAt(row)).isEqualTo(11);

        // a broadcast from before the push: the pending contribution is kept on top of it
        cache.apply(new ItemUpdate("a", new float[] {2f, 2f}, 0f, 10), 0);
        assertThat(cache.matrix().vectorAt(row)).containsExactly(2.5f, 2f);
        assertThat(cache.matrix().interactionsAt(row)).isEqualTo(11);

        List<ItemDelta> pushed = new ArrayList<>(cache.flush("run", 7, 0));
        assertThat(pushed).singleElement().satisfies(d -> {
            assertThat(d.dq).containsExactly(0.5f, 0f);
            assertThat(d.interactions).isEqualTo(1);
            assertThat(d.checkpointId).isEqualTo(7);
            assertThat(d.origin).isEqualTo("run");
        });
        assertThat(cache.flush("run", 8, 0)).isEmpty();

        // in flight, not yet applied by the ItemServer: still added
        cache.apply(new ItemUpdate("a", new float[] {3f, 3f}, 0f, 10), 0);
        assertThat(cache.matrix().vectorAt(row)).containsExactly(3.5f, 3f);

        // confirmed: the authoritative value contains it; not added again
        ItemUpdate confirmed = new ItemUpdate("a", new float[] {3.5f, 3f}, 0.1f, 11);
        confirmed.appliedFrom = 0;
        confirmed.appliedCheckpoint = 7;
        cache.apply(confirmed, 0);
        assertThat(cache.matrix().vectorAt(row)).containsExactly(3.5f, 3f);
        assertThat(cache.matrix().interactionsAt(row)).isEqualTo(11);
    }

    @Test
    void isReadyOnlyWhenEveryItemServerSubtaskHasResent() {
        ItemCache cache = new ItemCache(model);
        assertThat(cache.ready()).isFalse();
        cache.apply(ItemUpdate.marker(1, 2), 0);
        assertThat(cache.ready()).isFalse();
        cache.apply(ItemUpdate.marker(0, 2), 0);
        assertThat(cache.ready()).isTrue();
    }

    @Test
    void rowsOfSkipsItemsThatAreNotCached() {
        ItemCache cache = new ItemCache(model);
        int a = cache.rowOf("a");
        int b = cache.rowOf("b");
        assertThat(cache.rowsOf(new String[] {"b", "zzz", "a"})).containsExactly(b, a);
    }

    @Test
    void restoredInFlightDeltasCountOnlyWhereTheReSentItemDoesNotContainThemYet() {
        ItemCache cache = new ItemCache(model);
        List<ItemDelta> restored = List.of(
                delta("known", 0.5f, 4, 0), delta("known", 0.25f, 5, 0),
                delta("new", 1f, 5, 0),
                delta("other", 2f, 5, 0),
                delta("not-mine", 3f, 5, 1));
        cache.restoreInFlight(restored, 0);
        float[] initNew = FactorMath.initVector("new", DIM, model.initScale(), 5);
        assertThat(cache.matrix().vectorAt(cache.rowOf("new"))).containsExactly(initNew[0] + 1f, initNew[1]);
        assertThat(cache.matrix().indexOf("not-mine")).as("another subtask's delta").isNegative();

        // "known" already contains checkpoint 4's delta, not 5's
        ItemUpdate known = new ItemUpdate("known", new float[] {1f, 1f}, 0f, 3);
        known.appliedFrom = 0;
        known.appliedCheckpoint = 4;
        cache.apply(known, 0);
        assertThat(cache.matrix().vectorAt(cache.rowOf("known"))).containsExactly(1.25f, 1f);
        assertThat(cache.matrix().interactionsAt(cache.rowOf("known"))).isEqualTo(4);

        // "other"'s last applied delta came from subtask 1: whether ours is in it is unknown, so it is left out
        ItemUpdate other = new ItemUpdate("other", new float[] {1f, 1f}, 0f, 3);
        other.appliedFrom = 1;
        other.appliedCheckpoint = 9;
        cache.apply(other, 0);
        assertThat(cache.matrix().vectorAt(cache.rowOf("other"))).containsExactly(1f, 1f);

        cache.apply(ItemUpdate.marker(0, 1), 0);
        assertThat(cache.ready()).isTrue();
        assertThat(cache.inFlightDeltas()).extracting(d -> d.item + "@" + d.checkpointId)
                .containsExactlyInAnyOrder("known@5", "new@5");
        // after the resync they are ordinary in-flight deltas: added to later updates until confirmed
        cache.apply(new ItemUpdate("new", new float[] {0f, 0f}, 0f, 0), 0);
        assertThat(cache.matrix().vectorAt(cache.rowOf("new"))).containsExactly(1f, 0f);
    }

    private static ItemDelta delta(String item, float dq0, long checkpoint, int sender) {
        ItemDelta d = new ItemDelta(item, DIM);
        d.dq[0] = dq0;
        d.interactions = 1;
        d.checkpointId = checkpoint;
        d.sender = sender;
        return d;
    }
}
