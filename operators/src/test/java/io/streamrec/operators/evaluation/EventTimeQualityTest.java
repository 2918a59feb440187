package io.streamrec.operators.evaluation;

import io.streamrec.operators.evaluation.EventTimeQuality.Bucket;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EventTimeQualityTest {

    @Test
    void sumsHitsAndReciprocalRanksWithinTheFirstTenPerBucketOfEventTime() {
        EventTimeQuality q = new EventTimeQuality(10_000, 10);
        q.add(1_000, 0);   // bucket 0: rr 1
        q.add(9_999, 1);   // bucket 0: rr 1/2
        q.add(9_000, 12);  // bucket 0: in the list but below 10: a miss at 10
        q.add(10_000, -1); // bucket 10 s: a miss
        q.add(15_000, 3);  // bucket 10 s: rr 1/4
        List<Bucket> buckets = q.buckets();
        assertThat(buckets).hasSize(2);
        Bucket first = buckets.get(0);
        assertThat(first.start()).isZero();
        assertThat(first.n()).isEqualTo(3);
        assertThat(first.hits10()).isEqualTo(2);
        assertThat(first.rr()).isCloseTo(1.5, within(1e-12));
        assertThat(first.rr2()).isCloseTo(1.25, within(1e-12));
        assertThat(buckets.get(1)).isEqualTo(new Bucket(10_000, 2, 1, 0.25, 0.0625));
    }

    @Test
    void keepsTheNewestBucketsAndCountsWhatItDrops() {
        EventTimeQuality q = new EventTimeQuality(10_000, 2);
        q.add(0, 0);
        q.add(10_000, 0);
        q.add(20_000, 0); // evicts bucket 0
        q.add(5_000, 0);  // older than every kept bucket of a full set
        assertThat(q.buckets()).extracting(Bucket::start).containsExactly(10_000L, 20_000L);
        assertThat(q.dropped()).isEqualTo(2);
    }

    @Test
    void roundTripsThroughBytesAndRedisMembers() {
        EventTimeQuality q = new EventTimeQuality(10_000, 5);
        q.add(1_000, 2);
        q.add(21_000, -1);
        EventTimeQuality restored = EventTimeQuality.fromBytes(q.toBytes(), 10_000, 5);
        assertThat(restored.buckets()).isEqualTo(q.buckets());

        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        q.appendMembers(names, values);
        assertThat(names).containsExactly("0:n", "0:hits10", "0:rr", "0:rr2", "20000:n", "20000:hits10", "20000:rr", "20000:rr2");
        Map<String, Double> members = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            members.put(names.get(i), values.get(i));
        }
        members.put("something:else", 1.0);
        assertThat(Bucket.parse(members)).isEqualTo(q.buckets());
    }
}
