package io.streamrec.operators.scoring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ItemNeighboursTest {

    private static ItemMatrix matrix(int segmentRows, float[] biases, float[]... vectors) {
        ItemMatrix m = new ItemMatrix(vectors[0].length, 1, segmentRows, 1000);
        for (int i = 0; i < vectors.length; i++) {
            m.upsert("i" + i, vectors[i], biases == null ? 0f : biases[i]);
        }
        return m;
    }

    private static List<String> ids(ItemMatrix m, ScoredItems r) {
        List<String> out = new ArrayList<>();
        for (int row : r.rows) {
            out.add(m.idAt(row));
        }
        return out;
    }

    private static ScoredItems of(ScoringKernel kernel, ItemMatrix m, int row, int n) {
        return ItemNeighbours.of(new BatchSizeKernel(kernel.create()), m, new int[] {row}, n)[0];
    }

    @ParameterizedTest
    @EnumSource(value = ScoringKernel.class, names = {"JAVA", "VECTOR"})
    void scoresTheOtherItemsAsForAUserWithTheItemsVectorAndLeavesTheItemOut(ScoringKernel kernel) {
        ItemMatrix m = matrix(8, new float[] {5f, 0.1f, 0f, 0.8f, 0f},
                new float[] {1, 0, 0},      // i0: the query (its own bias is the largest: it must still be left out)
                new float[] {0.5f, 0.5f, 0}, // i1: 0.5 + 0.1
                new float[] {0.9f, 0, 0},   // i2: 0.9
                new float[] {0, 1, 0},      // i3: 0 + 0.8 (orthogonal, but liked by everyone)
                new float[] {-1, 0, 0});    // i4: -1
        ScoredItems r = of(kernel, m, 0, 3);
        assertThat(ids(m, r)).containsExactly("i2", "i3", "i1");
        assertThat(r.scores[0]).isCloseTo(0.9f, within(1e-6f));
        assertThat(r.scores[1]).isCloseTo(0.8f, within(1e-6f));
        assertThat(r.scores[2]).isCloseTo(0.6f, within(1e-6f));
    }

    @ParameterizedTest
    @EnumSource(value = ScoringKernel.class, names = {"JAVA", "VECTOR"})
    void scansEverySegment(ScoringKernel kernel) {
        float[][] vectors = new float[20][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = new float[] {1f / (i + 1), 0, 1}; // the query is i0; scores fall with i
        }
        vectors[0] = new float[] {1, 0, 0};
        vectors[19] = new float[] {2, 0, 0}; // in the last of five 4-row segments, best for i0
        ItemMatrix m = matrix(4, null, vectors);
        ScoredItems r = of(kernel, m, 0, 4);
        assertThat(ids(m, r)).containsExactly("i19", "i1", "i2", "i3");
        assertThat(r.scores[0]).isEqualTo(2f);
    }

    @ParameterizedTest
    @EnumSource(value = ScoringKernel.class, names = {"JAVA", "VECTOR"})
    void equalScoresGoToTheLowerRow(ScoringKernel kernel) {
        ItemMatrix m = matrix(8, null, new float[] {1, 0}, new float[] {0, 1}, new float[] {0, 2}, new float[] {0, 3});
        assertThat(ids(m, of(kernel, m, 0, 2))).containsExactly("i1", "i2"); // all score 0
    }

    @ParameterizedTest
    @EnumSource(value = ScoringKernel.class, names = {"JAVA", "VECTOR"})
    void aBatchGivesEachItemTheListItGetsAlone(ScoringKernel kernel) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        float[][] vectors = new float[300][];
        float[] biases = new float[vectors.length];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = new float[16];
            for (int k = 0; k < 16; k++) {
                vectors[i][k] = (float) random.nextGaussian();
            }
            biases[i] = (float) random.nextGaussian() * 0.1f;
        }
        ItemMatrix m = matrix(64, biases, vectors);
        int[] rows = {3, 250, 17, 99, 0, 128, 64, 201, 42, 7, 299}; // 11: past the small-batch kernel
        ScoredItems[] batch = ItemNeighbours.of(new BatchSizeKernel(kernel.create()), m, rows, 10);
        assertThat(batch).hasSize(rows.length);
        for (int i = 0; i < rows.length; i++) {
            ScoredItems alone = of(kernel, m, rows[i], 10);
            assertThat(batch[i].rows).as("row " + rows[i]).containsExactly(alone.rows).doesNotContain(rows[i]);
            for (int k = 0; k < 10; k++) {
                int j = batch[i].rows[k];
                double expected = biases[j];
                for (int c = 0; c < 16; c++) {
                    expected += (double) vectors[rows[i]][c] * vectors[j][c];
                }
                assertThat((double) batch[i].scores[k]).isCloseTo(expected, within(1e-4));
            }
        }
    }

    @Test
    void relativeChangeIsTheChangesLengthOverTheListedVectorsLength() {
        assertThat(ItemNeighbours.relativeChange(new float[] {3, 4}, new float[] {3, 4})).isZero();
        assertThat(ItemNeighbours.relativeChange(new float[] {3, 4}, new float[] {3, 4.5f})).isCloseTo(0.1, within(1e-9));
        assertThat(ItemNeighbours.relativeChange(new float[] {3, 4}, new float[] {6, 8})).isCloseTo(1, within(1e-9));
        assertThat(ItemNeighbours.relativeChange(new float[] {0, 0}, new float[] {0, 0})).isInfinite();
    }
}
