package io.streamrec.operators.scoring;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Masked rows (unavailable items) are never returned by the kernels, and the mask follows the item. */
class MaskedRowsTest {

    private static ItemMatrix matrix(int rows, int segmentRows) {
        ItemMatrix m = new ItemMatrix(4, 1, segmentRows, 1000);
        for (int i = 0; i < rows; i++) {
            m.upsert("i" + i, new float[] {i, 1, 0, 0}, 0.5f * i);
        }
        return m;
    }

    private static List<String> ids(ItemMatrix m, ScoredItems top) {
        return Arrays.stream(top.rows()).mapToObj(m::idAt).toList();
    }

    @Test
    void kernelsAndNeighboursSkipMaskedRowsAlsoWhenFewerRowsThanNRemain() {
        ItemMatrix m = matrix(6, 4);
        m.setMasked(m.indexOf("i5"), true);
        m.setMasked(m.indexOf("i2"), true);
        float[][] user = {{1, 0, 0, 0}};
        for (TopNKernel kernel : List.of(new JavaTopNKernel(), new VectorTopNKernel())) {
            assertThat(ids(m, kernel.topN(m, user, null, null, 3)[0])).as(kernel.name()).containsExactly("i4", "i3", "i1");
            assertThat(ids(m, kernel.topN(m, user, null, null, 10)[0])).as(kernel.name())
                    .containsExactly("i4", "i3", "i1", "i0");
        }
        assertThat(ids(m, ItemNeighbours.of(new JavaTopNKernel(), m, new int[] {m.indexOf("i0")}, 10)[0]))
                .containsExactly("i4", "i3", "i1");
        assertThat(m.biasAt(m.indexOf("i5"))).isEqualTo(2.5f); // learning still sees the true bias
    }

    @Test
    void theMaskFollowsTheItemThroughUpsertsAndRemovalsAndCanBeLifted() {
        ItemMatrix m = matrix(10, 4);
        m.setMasked(m.indexOf("i9"), true);
        m.upsert("i9", new float[] {1, 1, 1, 1}, 7f);
        assertThat(m.isMasked(m.indexOf("i9"))).isTrue();
        m.remove("i1"); // the last row, i9, moves into row 1 (another segment)
        assertThat(m.indexOf("i9")).isEqualTo(1);
        assertThat(m.isMasked(1)).isTrue();
        assertThat(m.biasSegment(0)[1]).isEqualTo(Float.NEGATIVE_INFINITY);
        m.upsert("new", new float[] {0, 0, 0, 0}, 1f); // takes the freed last row: not masked
        assertThat(m.isMasked(m.indexOf("new"))).isFalse();
        for (int row = 0; row < m.size(); row++) {
            assertThat(m.isMasked(row)).as(m.idAt(row)).isEqualTo(m.idAt(row).equals("i9"));
        }
        m.setMasked(m.indexOf("i9"), false);
        assertThat(m.biasSegment(0)[1]).isEqualTo(7f);
        assertThat(ids(m, new JavaTopNKernel().topN(m, new float[][] {{0, 0, 0, 1}}, null, null, 1)[0])).containsExactly("i9");
    }
}
