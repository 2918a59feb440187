package io.streamrec.operators.scoring;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CosineNeighboursTest {

    private static ItemMatrix matrix(int segmentRows, float[]... vectors) {
        ItemMatrix m = new ItemMatrix(vectors[0].length, 1, segmentRows, 1000);
        for (int i = 0; i < vectors.length; i++) {
            m.upsert("i" + i, vectors[i], 100f * i); // biases must not matter
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

    @Test
    void ranksByCosineNotByDotProductAndLeavesTheItemOut() {
        ItemMatrix m = matrix(8,
                new float[] {1, 0, 0},      // i0: the query
                new float[] {10, 10, 0},    // i1: long, 45 degrees: cos 0.7071
                new float[] {0.5f, 0.1f, 0}, // i2: short, close in direction: cos 0.9806
                new float[] {0, 0, 3},      // i3: orthogonal: cos 0
                new float[] {-1, 0, 0});    // i4: opposite: cos -1
        ScoredItems r = CosineNeighbours.of(m, 0, 3);
        assertThat(ids(m, r)).containsExactly("i2", "i1", "i3");
        assertThat(r.scores[0]).isCloseTo((float) (0.5 / Math.sqrt(0.26)), within(1e-6f));
        assertThat(r.scores[1]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
        assertThat(r.scores[2]).isCloseTo(0f, within(1e-6f));
    }

    @Test
    void scansEverySegmentAndSkipsZeroVectors() {
        float[][] vectors = new float[20][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = new float[] {1, i, 0}; // turning away from the query as i grows
        }
        vectors[3] = new float[] {0, 0, 0};
        vectors[19] = new float[] {1, 0.001f, 0}; // in the last of five 4-row segments, nearest to i0
        ItemMatrix m = matrix(4, vectors);
        ScoredItems r = CosineNeighbours.of(m, 0, 4);
        assertThat(ids(m, r)).containsExactly("i19", "i1", "i2", "i4");
    }

    @Test
    void aZeroQueryHasNoNeighbours() {
        ItemMatrix m = matrix(8, new float[] {0, 0}, new float[] {1, 0});
        assertThat(CosineNeighbours.of(m, 0, 5).size()).isZero();
    }

    @Test
    void distanceIsOneMinusCosineAndIgnoresLength() {
        assertThat(CosineNeighbours.distance(new float[] {1, 0}, new float[] {5, 0})).isCloseTo(0, within(1e-12));
        assertThat(CosineNeighbours.distance(new float[] {1, 0}, new float[] {0, 2})).isCloseTo(1, within(1e-12));
        assertThat(CosineNeighbours.distance(new float[] {1, 0}, new float[] {-1, 0})).isCloseTo(2, within(1e-12));
        assertThat(CosineNeighbours.distance(new float[] {1, 1}, new float[] {1, 0}))
                .isCloseTo(1 - Math.sqrt(0.5), within(1e-12));
        assertThat(CosineNeighbours.distance(new float[] {0, 0}, new float[] {1, 0})).isEqualTo(2);
    }
}
