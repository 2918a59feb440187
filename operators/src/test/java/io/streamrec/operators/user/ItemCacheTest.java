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

    @Test
    void refusesOwnNewItemsPastMaxItemsAndTakesThemAgainOnceTheModelDropsOne() {
        ItemCache cache = new ItemCache(ModelConfig.builder().dimension(DIM).seed(5).maxItems(3).build());
        assertThat(cache.admit("a")).isTrue();
        assertThat(cache.admit("b")).isTrue();
        assertThat(cache.admit("c")).isTrue();
        assertThat(cache.admit("d")).isFalse();
        assertThat(cache.admit("a")).isTrue(); // known items stay
        assertThat(cache.rowOf("d")).isEqualTo(-1);
        assertThat(cache.refusedItems()).isEqualTo(1);
        assertThat(cache.matrix().size()).isEqualTo(3);

        // an ItemServer refused b (its share was full): b leaves the cache with its pending change
        cache.applyOwn("b", cache.rowOf("b"), new float[] {1f, 1f}, 1f);
        cache.apply(ItemUpdate.removed("b", false), 0);
        assertThat(cache.matrix().indexOf("b")).isEqualTo(-1);
        assertThat(cache.flush("run", 1, 0)).extracting(d -> d.item).containsExactly();
        assertThat(cache.admit("d")).isTrue();
        assertThat(cache.matrix().size()).isEqualTo(3);
    }

    @Test
    void broadcastItemsAreTakenPastMaxItemsUpToTwiceIt() {
        ItemCache cache = new ItemCache(ModelConfig.builder().dimension(DIM).seed(5).maxItems(2).build());
        assertThat(cache.admit("own1")).isTrue();
        assertThat(cache.admit("own2")).isTrue();
        // the ItemServers admitted two other items before they saw ours: the replica takes them
        cache.apply(new ItemUpdate("x", new float[] {1f, 1f}, 0f, 1), 0);
        cache.apply(new ItemUpdate("y", new float[] {1f, 1f}, 0f, 1), 0);
        assertThat(cache.matrix().size()).isEqualTo(4);
        cache.apply(new ItemUpdate("z", new float[] {1f, 1f}, 0f, 1), 0); // past the hard limit: refused, no crash
        assertThat(cache.matrix().size()).isEqualTo(4);
        assertThat(cache.matrix().indexOf("z")).isEqualTo(-1);
        assertThat(cache.refusedItems()).isEqualTo(1);
    }

    @Test
    void aRetiredItemIsDroppedAndRefusedUntilItsVectorComesBack() {
        ItemCache cache = new ItemCache(model);
        cache.apply(new ItemUpdate("a", new float[] {1f, 1f}, 0f, 10), 0);
        cache.apply(new ItemUpdate("b", new float[] {2f, 2f}, 0f, 10), 0);
        cache.apply(ItemUpdate.removed("a", true), 0);
        assertThat(cache.matrix().indexOf("a")).isEqualTo(-1);
        assertThat(cache.matrix().indexOf("b")).isZero(); // moved into the gap
        assertThat(cache.retiredItems()).isEqualTo(1);
        assertThat(cache.admit("a")).isFalse();
        assertThat(cache.refusedItems()).isEqualTo(1);

        cache.apply(new ItemUpdate("a", new float[] {3f, 3f}, 0.5f, 10), 0); // un-retired: the ItemServer sends it again
        assertThat(cache.retiredItems()).isZero();
        assertThat(cache.admit("a")).isTrue();
        assertThat(cache.matrix().vectorAt(cache.rowOf("a"))).containsExactly(3f, 3f);
    }

    @Test
    void afterRemovalsTheSamplingOrderIsThatOfACacheBuiltWithTheRemainingItems() {
        ItemCache churned = new ItemCache(model);
        for (int i = 0; i < 600; i++) { // past the order's tail size, so main and tail both hold rows
            churned.apply(new ItemUpdate("i" + i, new float[] {i, 0f}, 0f, 1), 0);
        }
        ItemCache fresh = new ItemCache(model);
        for (int i = 599; i >= 0; i--) {
            if (i % 7 == 0) {
                churned.apply(ItemUpdate.removed("i" + i, i % 2 == 0), 0);
            } else {
                fresh.apply(new ItemUpdate("i" + i, new float[] {i, 0f}, 0f, 1), 0);
            }
        }
        assertThat(churned.size()).isEqualTo(fresh.size()).isEqualTo(600 - 86);
        java.util.Set<Integer> rows = new java.util.HashSet<>();
        for (int p = 0; p < churned.size(); p++) {
            int row = churned.rowInSamplingOrder(p);
            rows.add(row);
            assertThat(churned.matrix().idAt(row)).isEqualTo(fresh.matrix().idAt(fresh.rowInSamplingOrder(p)));
            assertThat(churned.matrix().vectorAt(row)[0]).isEqualTo(Float.parseFloat(churned.matrix().idAt(row).substring(1)));
        }
        assertThat(rows).hasSize(churned.size()); // every row once
    }
}
