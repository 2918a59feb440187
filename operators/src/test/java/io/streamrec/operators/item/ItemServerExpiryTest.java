package io.streamrec.operators.item;

import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.ItemUpdate;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code state.item-ttl} on the ItemServer: the clock of applied interactions, timers, restore. */
class ItemServerExpiryTest {

    private static final ModelConfig MODEL = ModelConfig.builder().dimension(3).seed(5).maxNorm(10f).maxItems(3).build();
    private static final long HOUR = 3_600_000L;
    private static final long T0 = 1_790_000_000_000L;
    /** 10 h: timers are rounded up to 6 minutes (1%). */
    private static final Duration TTL = Duration.ofHours(10);

    private static KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> harness(Duration ttl) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new ItemServer(MODEL, "run-1", ttl), (ItemDelta d) -> d.item,
                Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static StreamRecord<ItemDelta> interaction(String item, long ts) {
        ItemDelta d = new ItemDelta(item, 3);
        d.dq[0] = 0.25f;
        d.interactions = 1;
        d.popularityLog = 0;
        d.maxTs = ts;
        d.origin = "run-1";
        return new StreamRecord<>(d);
    }

    private static StreamRecord<ItemDelta> negativeOnly(String item) {
        ItemDelta d = new ItemDelta(item, 3);
        d.dq[1] = -0.5f;
        d.origin = "run-1";
        return new StreamRecord<>(d);
    }

    @Test
    void anItemIdleForTheTtlOfAppliedInteractionTimeLeavesTheModelAndFreesItsPlaceUnderTheCap() throws Exception {
        try (var h = harness(TTL)) {
            h.open();
            h.processElement(interaction("a", T0));
            h.processElement(interaction("b", T0));
            h.processElement(interaction("b", T0 + 8 * HOUR));
            h.processElement(negativeOnly("a")); // sampled as a negative: not an interaction, no younger
            h.processElement(interaction("c", T0 + 10 * HOUR)); // due for a: T0 + 10 h 6 min, not yet
            assertThat(expired(h)).isEmpty();

            h.processElement(interaction("c", T0 + 10 * HOUR + 7 * 60_000));
            assertThat(expired(h)).containsExactly("a");
            List<ItemStats> stats = values(h.getSideOutput(ItemServer.ITEM_STATS));
            assertThat(stats).filteredOn(s -> s.expired).singleElement().satisfies(s -> {
                assertThat(s.item).isEqualTo("a");
                assertThat(s.interactions).isEqualTo(1);
            });
            // the cap is 3: with a gone, a fourth item fits
            h.getOutput().clear();
            h.processElement(interaction("d", T0 + 11 * HOUR));
            assertThat(items(h.extractOutputValues())).singleElement().satisfies(u -> {
                assertThat(u.item).isEqualTo("d");
                assertThat(u.removed).isFalse();
            });

            // negatives of the expired item do not bring it back; an interaction does, as a new item
            h.getOutput().clear();
            h.processElement(negativeOnly("a"));
            assertThat(items(h.extractOutputValues())).singleElement().satisfies(u -> {
                assertThat(u.removed).isTrue();
                assertThat(u.expired).isFalse();
            });
            h.processElement(interaction("e", T0 + 11 * HOUR)); // the cap: e is refused
            h.getOutput().clear();
            h.processElement(interaction("b", T0 + 19 * HOUR)); // b's due: 18 h 6 min, its timer moved
            assertThat(expired(h)).isEmpty();
            h.processElement(interaction("c", T0 + 21 * HOUR + 7 * 60_000)); // d's due: 21 h 6 min
            assertThat(expired(h)).containsExactly("d");
        }
    }

    @Test
    void anExpiredItemComesBackFromItsInitialVectorWithItsNewInteractionsOnly() throws Exception {
        try (var h = harness(TTL)) {
            h.open();
            h.processElement(interaction("a", T0));
            h.processElement(interaction("a", T0));
            h.processElement(interaction("z", T0 + 11 * HOUR));
            assertThat(expired(h)).containsExactly("a");
            h.getOutput().clear();
            h.processElement(interaction("a", T0 + 12 * HOUR));
            ItemUpdate back = items(h.extractOutputValues()).get(0);
            float[] expected = FactorMath.initVector("a", 3, MODEL.initScale(), MODEL.seed());
            expected[0] += 0.25f;
            assertThat(back.q).containsExactly(expected);
            assertThat(back.interactions).isEqualTo(1);
        }
    }

    @Test
    void theClockAndTheTimersSurviveARestoreAndUpstreamWatermarksDoNotExpireAnything() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(TTL)) {
            h.open();
            h.processElement(interaction("a", T0));
            h.processElement(interaction("b", T0 + 5 * HOUR));
            h.processWatermark(new Watermark(Long.MAX_VALUE)); // the end of a bounded gradient source
            assertThat(expired(h)).isEmpty();
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(TTL)) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(1); // the resend after the restore
            // an older interaction does not move the restored clock back, and a's timer is still there
            h.processElement(interaction("c", T0 + 2 * HOUR));
            assertThat(expired(h)).isEmpty();
            h.processElement(interaction("c", T0 + 10 * HOUR + 7 * 60_000));
            assertThat(expired(h)).containsExactly("a");
        }
    }

    @Test
    void stateWithoutExpiryTimersGetsThemWhenTheTtlIsTurnedOn() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(Duration.ZERO)) {
            h.open();
            h.processElement(interaction("a", T0));
            h.processElement(interaction("b", T0 + 5 * HOUR));
            h.processElement(interaction("c", T0 + 30 * HOUR));
            assertThat(expired(h)).isEmpty(); // kept forever
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(TTL)) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(1); // registers every item's timer, then the resend
            h.processElement(interaction("c", T0 + 31 * HOUR));
            assertThat(expired(h)).containsExactlyInAnyOrder("a", "b");
        }
    }

    @Test
    void itemsWithoutAnInteractionTimeCountFromTheFirstInteractionTheRestoredRunApplies() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(Duration.ZERO)) { // like a model bootstrapped from factor files: no times
            h.open();
            h.processElement(interaction("a", 0));
            h.processElement(interaction("b", 0));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(TTL)) {
            h.initializeState(snapshot);
            h.open();
            h.setProcessingTime(1);
            h.processElement(interaction("c", T0));
            h.processElement(interaction("b", T0 + HOUR));
            h.processElement(interaction("c", T0 + 9 * HOUR));
            assertThat(expired(h)).isEmpty(); // not at once: their idle time starts at T0
            h.processElement(interaction("c", T0 + 10 * HOUR + 7 * 60_000));
            assertThat(expired(h)).containsExactly("a");
        }
    }

    private static List<String> expired(KeyedOneInputStreamOperatorTestHarness<String, ItemDelta, ItemUpdate> h) {
        return items(h.extractOutputValues()).stream().filter(u -> u.expired).map(u -> u.item).collect(Collectors.toList());
    }

    private static List<ItemUpdate> items(List<ItemUpdate> out) {
        return ItemServerTest.items(out);
    }

    private static <T> List<T> values(java.util.Collection<StreamRecord<T>> records) {
        return ItemServerTest.values(records);
    }
}
