package io.streamrec.operators.user;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SamplingOrderTest {

    @Test
    void everyPositionNamesTheSameItemWhateverTheArrivalOrderAndAcrossMerges() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            ids.add("i" + i);
        }
        List<String> expected = new ArrayList<>(ids);
        expected.sort(Comparator.comparingLong(SamplingOrder::key).thenComparing(Comparator.naturalOrder()));

        for (long shuffleSeed : new long[] {1, 2, 3}) {
            List<String> arrival = new ArrayList<>(ids);
            Collections.shuffle(arrival, new Random(shuffleSeed));
            SamplingOrder order = new SamplingOrder(arrival::get);
            for (int row = 0; row < arrival.size(); row++) {
                order.add(row);
                // check part of the way too: while the tail holds entries that are not merged yet
                if (row == 300 || row == 1_234) {
                    List<String> sofar = new ArrayList<>(arrival.subList(0, row + 1));
                    sofar.sort(Comparator.comparingLong(SamplingOrder::key).thenComparing(Comparator.naturalOrder()));
                    for (int pos = 0; pos <= row; pos++) {
                        assertThat(arrival.get(order.rowAt(pos))).as("position %d of %d", pos, row + 1).isEqualTo(sofar.get(pos));
                    }
                }
            }
            assertThat(order.size()).isEqualTo(ids.size());
            for (int pos = 0; pos < ids.size(); pos++) {
                assertThat(arrival.get(order.rowAt(pos))).as("position %d, shuffle %d", pos, shuffleSeed).isEqualTo(expected.get(pos));
            }
        }
    }

    @Test
    void positionsStayRightWhileItemsComeAndGoBetweenMerges() {
        Random random = new Random(11);
        List<String> rows = new ArrayList<>(); // the matrix: a removal moves the last row into the gap
        SamplingOrder order = new SamplingOrder(rows::get);
        int next = 0;
        for (int step = 0; step < 6_000; step++) {
            if (rows.isEmpty() || random.nextInt(10) < 7) {
                rows.add("i" + next++);
                order.add(rows.size() - 1);
            } else {
                int row = random.nextInt(rows.size());
                int last = rows.size() - 1;
                order.remove(row);
                if (row != last) {
                    order.move(last, row);
                    rows.set(row, rows.get(last));
                }
                rows.remove(last);
            }
            if (step % 500 == 499) {
                List<String> sorted = new ArrayList<>(rows);
                sorted.sort(Comparator.comparingLong(SamplingOrder::key).thenComparing(Comparator.naturalOrder()));
                assertThat(order.size()).isEqualTo(rows.size());
                for (int pos = 0; pos < sorted.size(); pos++) {
                    assertThat(rows.get(order.rowAt(pos))).as("position %d after step %d", pos, step).isEqualTo(sorted.get(pos));
                }
            }
        }
    }
}
