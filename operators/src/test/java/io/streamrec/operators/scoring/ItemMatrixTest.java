package io.streamrec.operators.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ItemMatrixTest {

    @Test
    void assignsDenseRowsAndGrowsKeepingContents() {
        ItemMatrix m = new ItemMatrix(3, 2);
        for (int i = 0; i < 100; i++) {
            assertThat(m.upsert("i" + i, new float[] {i, i + 1, i + 2}, i / 10f)).isEqualTo(i);
        }
        assertThat(m.size()).isEqualTo(100);
        assertThat(m.dim()).isEqualTo(3);
        assertThat(m.indexOf("i42")).isEqualTo(42);
        assertThat(m.indexOf("nope")).isEqualTo(-1);
        assertThat(m.idAt(42)).isEqualTo("i42");
        assertThat(m.vectorAt(42)).containsExactly(42, 43, 44);
        assertThat(m.biasAt(42)).isEqualTo(4.2f);
        // row-major segments: row r is local row r % segmentRows of segment r / segmentRows
        assertThat(m.segmentRows()).isEqualTo(ItemMatrix.DEFAULT_SEGMENT_ROWS);
        assertThat(m.vectorSegment(0)[42 * 3 + 1]).isEqualTo(43f);
        assertThat(m.biasSegment(0)[42]).isEqualTo(4.2f);
    }

    @Test
    void growsByAddingSegmentsWithoutCopyingFullOnes() {
        ItemMatrix m = new ItemMatrix(3, 1, 16, ItemMatrix.MAX_ROWS);
        for (int i = 0; i < 16; i++) {
            m.upsert("i" + i, new float[] {i, i + 1, i + 2}, i / 10f);
        }
        float[] first = m.vectorSegment(0);
        for (int i = 16; i < 100; i++) {
            m.upsert("i" + i, new float[] {i, i + 1, i + 2}, i / 10f);
        }
        assertThat(m.vectorSegment(0)).isSameAs(first); // a full segment is never copied again
        assertThat(m.usedSegments()).isEqualTo(7);
        assertThat(m.rowsIn(6)).isEqualTo(4);
        assertThat(m.rowsIn(7)).isZero();
        // row 42 = local row 10 of segment 2
        assertThat(m.vectorSegment(2)[10 * 3 + 1]).isEqualTo(43f);
        assertThat(m.biasSegment(2)[10]).isEqualTo(4.2f);
        assertThat(m.vectorAt(42)).containsExactly(42, 43, 44);
        assertThat(m.idAt(99)).isEqualTo("i99");
    }

    @Test
    void refusesNewItemsPastMaxRowsButStillUpdatesKnownOnes() {
        ItemMatrix m = new ItemMatrix(2, 1, 2, 3);
        assertThat(m.upsert("a", new float[] {1, 1}, 0f)).isZero();
        assertThat(m.upsert("b", new float[] {2, 2}, 0f)).isEqualTo(1);
        assertThat(m.upsert("c", new float[] {3, 3}, 0f)).isEqualTo(2);
        assertThat(m.upsert("d", new float[] {4, 4}, 0f)).isEqualTo(-1);
        assertThat(m.size()).isEqualTo(3);
        assertThat(m.indexOf("d")).isEqualTo(-1);
        assertThat(m.upsert("b", new float[] {5, 5}, 1f)).isEqualTo(1);
        assertThat(m.vectorAt(1)).containsExactly(5, 5);
        m.remove("a");
        assertThat(m.upsert("d", new float[] {4, 4}, 0f)).isEqualTo(2);
        assertThat(m.maxRows()).isEqualTo(3);
    }

    @Test
    void removeMovesTheLastRowIntoTheGapAcrossSegments() {
        ItemMatrix m = new ItemMatrix(2, 1, 4, ItemMatrix.MAX_ROWS);
        for (int i = 0; i < 10; i++) {
            m.upsert("i" + i, new float[] {i, -i}, i);
            m.setInteractions(i, 100 + i);
        }
        assertThat(m.remove("i1")).isEqualTo(1);
        assertThat(m.size()).isEqualTo(9);
        assertThat(m.indexOf("i1")).isEqualTo(-1);
        assertThat(m.indexOf("i9")).isEqualTo(1);
        assertThat(m.idAt(1)).isEqualTo("i9");
        assertThat(m.vectorAt(1)).containsExactly(9, -9);
        assertThat(m.biasAt(1)).isEqualTo(9f);
        assertThat(m.interactionsAt(1)).isEqualTo(109);
        assertThat(m.idHashAt(1)).isEqualTo("i9".hashCode());
        assertThat(m.idHashAt(0)).isEqualTo("i0".hashCode());
        assertThat(m.remove("i8")).isEqualTo(8); // the last row itself
        assertThat(m.size()).isEqualTo(8);
        assertThat(m.remove("i8")).isEqualTo(-1);
        assertThat(m.rowsIn(1)).isEqualTo(4);
        assertThat(m.rowsIn(2)).isZero();
        // a new item takes the next free row
        assertThat(m.upsert("new", new float[] {7, 7}, 0f)).isEqualTo(8);
        assertThat(m.interactionsAt(8)).isZero();
        assertThat(m.idHashAt(8)).isEqualTo("new".hashCode());
    }

    @Test
    void aRemovalCountsBothRowsAsMoved() {
        ItemMatrix m = new ItemMatrix(2, 1, 4, ItemMatrix.MAX_ROWS);
        for (int i = 0; i < 6; i++) {
            m.upsert("i" + i, new float[] {1, 1}, 0f);
        }
        m.markMoves(0.5f);
        m.remove("i2"); // i5 moves into row 2
        assertThat(m.movedRows()).isEqualTo(2);
        m.upsert("i5", new float[] {9, 9}, 0f); // already counted
        assertThat(m.movedRows()).isEqualTo(2);
    }

    @Test
    void rejectsSegmentSizesThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> new ItemMatrix(2, 1, 12, 100)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new ItemMatrix(2, 1, 16, 0)).hasMessageContaining("maxRows");
    }

    @Test
    void upsertOfAKnownItemOverwritesItsRow() {
        ItemMatrix m = new ItemMatrix(2);
        m.upsert("a", new float[] {1, 2}, 0f);
        m.upsert("b", new float[] {3, 4}, 0f);
        assertThat(m.upsert("a", new float[] {5, 6}, 1f)).isZero();
        assertThat(m.size()).isEqualTo(2);
        assertThat(m.vectorAt(0)).containsExactly(5, 6);
        assertThat(m.biasAt(0)).isEqualTo(1f);
    }

    @Test
    void vectorAtReturnsACopy() {
        ItemMatrix m = new ItemMatrix(2);
        m.upsert("a", new float[] {1, 2}, 0f);
        m.vectorAt(0)[0] = 99;
        assertThat(m.vectorAt(0)).containsExactly(1, 2);
    }

    @Test
    void rejectsWrongDimensionAndNonFiniteValues() {
        ItemMatrix m = new ItemMatrix(2);
        assertThatThrownBy(() -> m.upsert("a", new float[] {1}, 0f)).hasMessageContaining("expected 2");
        assertThatThrownBy(() -> m.upsert("a", new float[] {1, Float.NaN}, 0f)).hasMessageContaining("not finite");
        assertThatThrownBy(() -> m.upsert("a", new float[] {1, 2}, Float.POSITIVE_INFINITY))
                .hasMessageContaining("bias");
        assertThat(m.size()).isZero();
        assertThatThrownBy(() -> m.idAt(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void dotOfARowEqualsTheDotOfItsCopy() {
        ItemMatrix m = new ItemMatrix(3);
        m.upsert("a", new float[] {1f, 2f, 3f}, 0f);
        int b = m.upsert("b", new float[] {-1f, 0.5f, 2f}, 0f);
        float[] v = {0.25f, -2f, 4f};
        assertThat(m.dot(b, v)).isEqualTo(io.streamrec.operators.model.FactorMath.dot(m.vectorAt(b), v)).isEqualTo(6.75f);
    }

    @Test
    void countsRowsThatMovedPastTheToleranceSinceTheMark() {
        ItemMatrix m = new ItemMatrix(2, 1);
        m.upsert("a", new float[] {3, 0}, 0f); // norm² 9
        m.upsert("b", new float[] {0, 3}, 0f); // norm² 9: mean 9, tolerance 0.5 -> limit 2.25
        assertThat(m.movedRows()).isZero();
        m.markMoves(0.5f);

        m.upsert("a", new float[] {4, 0}, 0f); // step² 1
        assertThat(m.movedRows()).isZero();
        m.upsert("a", new float[] {4, 1}, 0.5f); // + 1.25 = 2.25: not past the limit
        assertThat(m.movedRows()).isZero();
        m.upsert("a", new float[] {4, 1.5f}, 0.5f); // + 0.25: past it, counted once
        m.upsert("a", new float[] {5, 1.5f}, 0.5f);
        m.upsert("c", new float[] {9, 9}, 9f); // a new row is not a move
        for (int i = 0; i < 50; i++) {
            m.upsert("grow" + i, new float[] {0, 0}, 0f); // growing keeps the counts
        }
        assertThat(m.movedRows()).isEqualTo(1);

        m.markMoves(0.5f);
        assertThat(m.movedRows()).isZero();
        assertThatThrownBy(() -> m.markMoves(0f)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void normsFollowUpsertsAndRemovals() {
        ItemMatrix m = new ItemMatrix(2, 1, 4, 100); // segments of 4 rows: removals move rows across them
        for (int i = 0; i < 10; i++) {
            m.upsert("i" + i, new float[] {i, 0f}, 0f);
        }
        m.upsert("i3", new float[] {3f, 4f}, 0f);
        m.remove("i1"); // i9 moves to row 1
        for (int row = 0; row < m.size(); row++) {
            float[] v = m.vectorAt(row);
            assertThat(m.normSegment(row / 4)[row % 4]).as("row %d", row)
                    .isEqualTo((float) Math.sqrt(v[0] * v[0] + v[1] * v[1]));
        }
        assertThat(m.normSegment(0)[1]).isEqualTo(9f);
        assertThat(m.normSegment(0)[3]).isEqualTo(5f);
    }

    @Test
    void aChangeListFollowsWritesUntilARemovalAMaskOrItsLimit() {
        ItemMatrix m = new ItemMatrix(2);
        m.upsert("a", new float[] {1, 0}, 0f);
        RowChanges changes = m.trackChanges();
        assertThat(changes.complete()).as("nothing known before the first restart").isFalse();

        changes.restart(3);
        m.upsert("b", new float[] {0, 1}, 0f);
        m.upsert("a", new float[] {2, 0}, 1f);
        m.upsert("a", new float[] {3, 0}, 1f);
        assertThat(changes.complete()).isTrue();
        assertThat(changes.count()).isEqualTo(3);
        assertThat(new int[] {changes.row(0), changes.row(1), changes.row(2)}).containsExactly(1, 0, 0);
        m.upsert("b", new float[] {0, 2}, 0f);
        assertThat(changes.complete()).as("past its limit").isFalse();

        changes.restart(10);
        m.setMasked(1, true);
        assertThat(changes.complete()).as("after a mask").isFalse();
        changes.restart(10);
        m.remove("a");
        assertThat(changes.complete()).as("after a removal").isFalse();

        changes.restart(10);
        m.untrackChanges(changes);
        m.upsert("c", new float[] {1, 1}, 0f);
        assertThat(changes.count()).as("no longer tracked").isZero();
        assertThatThrownBy(() -> changes.restart(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUpdateByRowIsAnUpsertOfTheRowsItem() {
        ItemMatrix byRow = new ItemMatrix(2);
        ItemMatrix byId = new ItemMatrix(2);
        for (ItemMatrix m : new ItemMatrix[] {byRow, byId}) {
            m.upsert("a", new float[] {1, 0}, 0f);
            m.upsert("b", new float[] {0, 1}, 0f);
            m.setMasked(1, true);
        }
        RowChanges changes = byRow.trackChanges();
        changes.restart(10);

        byRow.update(1, new float[] {3, 4}, 2f);
        byId.upsert("b", new float[] {3, 4}, 2f);

        assertThat(byRow.vectorAt(1)).containsExactly(byId.vectorAt(1));
        assertThat(byRow.biasAt(1)).isEqualTo(2f);
        assertThat(byRow.normSegment(0)[1]).isEqualTo(byId.normSegment(0)[1]).isEqualTo(5f);
        assertThat(byRow.isMasked(1)).as("a masked row stays masked").isTrue();
        assertThat(byRow.biasSegment(0)[1]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(changes.count()).isEqualTo(1);
        assertThat(changes.row(0)).isEqualTo(1);
        assertThatThrownBy(() -> byRow.update(0, new float[] {Float.NaN, 0}, 0f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> byRow.update(2, new float[] {1, 1}, 0f)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(byRow.vectorAt(0)).containsExactly(1f, 0f);
    }
}
