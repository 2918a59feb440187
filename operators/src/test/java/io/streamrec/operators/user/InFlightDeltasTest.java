package io.streamrec.operators.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemDeltaSerde;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a checkpoint of the in-flight deltas holds: exactly the deltas not confirmed at that
 * checkpoint, although each flight's chunks are encoded only once.
 */
class InFlightDeltasTest {

    private static ItemDelta delta(String item, long checkpoint) {
        ItemDelta d = new ItemDelta(item, 3);
        d.dq[0] = item.length() + checkpoint;
        d.interactions = 1;
        d.checkpointId = checkpoint;
        d.sender = 0;
        return d;
    }

    /** Writes a checkpoint and reads every partition back, as a restore does. */
    private static List<String> checkpointAndRestore(InFlightDeltas deltas) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        List<Integer> starts = new ArrayList<>();
        deltas.write(out, () -> starts.add(bytes.size()));
        byte[] all = bytes.toByteArray();
        List<String> restored = new ArrayList<>();
        for (int p = 0; p < starts.size(); p++) {
            int end = p + 1 < starts.size() ? starts.get(p + 1) : all.length;
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, starts.get(p), end - starts.get(p)));
            for (ItemDelta d : InFlightDeltas.read(in)) {
                restored.add(d.item + "@" + d.checkpointId);
            }
            assertThat(in.available()).as("partition %d read to its end", p).isZero();
        }
        return restored;
    }

    @Test
    void aCheckpointHoldsTheDeltasUnconfirmedAtItThoughItsFlightWasEncodedEarlier() throws IOException {
        InFlightDeltas deltas = new InFlightDeltas();
        deltas.sent(1, List.of(delta("a", 1), delta("b", 1), delta("c", 1)));
        assertThat(checkpointAndRestore(deltas)).containsExactly("a@1", "b@1", "c@1");

        deltas.sent(2, List.of(delta("b", 2), delta("d", 2)));
        assertThat(deltas.finish("b", e -> e.delta.checkpointId <= 1)).as("b@2 remains")
                .extracting(e -> e.delta.checkpointId).containsExactly(2L);
        assertThat(checkpointAndRestore(deltas)).containsExactly("a@1", "c@1", "b@2", "d@2");

        deltas.drop("a");
        assertThat(deltas.finish("c", e -> true)).isNull();
        assertThat(deltas.of("c")).isNull();
        assertThat(deltas.flights()).as("the first flight is done").isEqualTo(1);
        assertThat(checkpointAndRestore(deltas)).containsExactly("b@2", "d@2");
        assertThat(deltas.all()).extracting(d -> d.item).containsExactly("b", "d");
    }

    @Test
    void manyDeltasSpanSeveralChunksAndEachChunkKeepsItsOwnConfirmations() throws IOException {
        InFlightDeltas deltas = new InFlightDeltas();
        List<ItemDelta> sent = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            ItemDelta d = new ItemDelta("item-" + i, 48);
            d.checkpointId = 7;
            sent.add(d);
        }
        deltas.sent(7, sent);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            expected.add("item-" + i + "@7");
        }
        assertThat(checkpointAndRestore(deltas)).containsExactlyElementsOf(expected);
        assertThat(ItemDeltaSerde.chunks(sent, ItemDeltaSerde.CHUNK_BYTES)).as("more than one chunk").hasSizeGreaterThan(1);

        for (int i = 0; i < 5_000; i += 3) {
            deltas.finish("item-" + i, e -> true);
            expected.remove("item-" + i + "@7");
        }
        assertThat(checkpointAndRestore(deltas)).containsExactlyElementsOf(expected);
    }

    @Test
    void deltasWaitingLongerThanTenCheckpointsLeaveWithTheirFlight() {
        InFlightDeltas deltas = new InFlightDeltas();
        deltas.sent(1, List.of(delta("a", 1)));
        deltas.sent(2, List.of(delta("a", 2)));
        deltas.sent(11, List.of());
        assertThat(deltas.all()).extracting(d -> d.checkpointId).containsExactly(1L, 2L);
        deltas.sent(12, List.of(delta("b", 12)));
        assertThat(deltas.all()).extracting(d -> d.item + "@" + d.checkpointId).containsExactly("a@2", "b@12");
        assertThat(deltas.of("a")).extracting(e -> e.delta.checkpointId).containsExactly(2L);
        assertThat(deltas.expired()).isEqualTo(1);
        deltas.sent(13, List.of());
        assertThat(deltas.of("a")).isNull();
        assertThat(deltas.flights()).isEqualTo(1);
        assertThat(deltas.expired()).isEqualTo(2);
    }

    @Test
    void restoredDeltasAreGroupedByCheckpointAndMarkedUntilResolved() throws IOException {
        InFlightDeltas deltas = new InFlightDeltas();
        deltas.restore(List.of(delta("a", 5), delta("b", 4), delta("a", 4)));
        assertThat(deltas.flights()).isEqualTo(2);
        assertThat(deltas.of("a")).allMatch(e -> e.restored);
        assertThat(checkpointAndRestore(deltas)).containsExactly("b@4", "a@4", "a@5");
        deltas.resolveRestored();
        assertThat(deltas.of("a")).noneMatch(e -> e.restored);
    }

    @Test
    void aPartitionInTheLayoutBeforeFlightsIsReadWhole() throws IOException {
        byte[] chunk = ItemDeltaSerde.chunks(List.of(delta("a", 3), delta("b", 3)), ItemDeltaSerde.CHUNK_BYTES).get(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(chunk.length);
        out.write(chunk);
        List<ItemDelta> read = InFlightDeltas.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(read).extracting(d -> d.item + "@" + d.checkpointId).containsExactly("a@3", "b@3");
    }
}
