package io.streamrec.operators.records;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ItemDeltaSerdeTest {

    @Test
    void roundTripKeepsEveryField() throws IOException {
        ItemDelta d = new ItemDelta("item-ü-7", 3);
        d.dq[0] = 0.5f;
        d.dq[1] = -1.25f;
        d.dq[2] = Float.MIN_VALUE;
        d.db = 0.125f;
        d.interactions = 17;
        d.popularityLog = 12.5;
        d.maxTs = 1_700_000_000_123L;
        d.origin = "0123abcd";
        d.checkpointId = 42;

        ItemDelta back = ItemDeltaSerde.deserialize(ItemDeltaSerde.serialize(d));
        assertThat(back.item).isEqualTo("item-ü-7");
        assertThat(back.dq).containsExactly(0.5f, -1.25f, Float.MIN_VALUE);
        assertThat(back.db).isEqualTo(0.125f);
        assertThat(back.interactions).isEqualTo(17);
        assertThat(back.popularityLog).isEqualTo(12.5);
        assertThat(back.maxTs).isEqualTo(1_700_000_000_123L);
        assertThat(back.origin).isEqualTo("0123abcd");
        assertThat(back.checkpointId).isEqualTo(42);
        assertThat(back.republish).isNull();
        assertThat(back.isRepublishMarker()).isFalse();
    }

    @Test
    void aRepublishMarkerKeepsItsRequestId() throws IOException {
        ItemDelta back = ItemDeltaSerde.deserialize(ItemDeltaSerde.serialize(ItemDelta.republishMarker("_republish#3", 2, "r-9")));
        assertThat(back.isRepublishMarker()).isTrue();
        assertThat(back.republish).isEqualTo("r-9");
        assertThat(back.item).isEqualTo("_republish#3");
        assertThat(back.dq).containsExactly(0f, 0f);
    }

    @Test
    void aRetirementMarkerKeepsItsKindAndVersion3HasNone() throws IOException {
        ItemDelta retire = ItemDeltaSerde.deserialize(ItemDeltaSerde.serialize(ItemDelta.retirementMarker("i7", 2, true)));
        assertThat(retire.isRetirementMarker()).isTrue();
        assertThat(retire.retirement).isEqualTo(ItemDelta.RETIRE);
        assertThat(retire.item).isEqualTo("i7");
        ItemDelta undo = ItemDeltaSerde.deserialize(ItemDeltaSerde.serialize(ItemDelta.retirementMarker("i7", 2, false)));
        assertThat(undo.retirement).isEqualTo(ItemDelta.UNRETIRE);

        ItemDelta d = new ItemDelta("x", 1);
        d.republish = "r-1";
        byte[] v4 = ItemDeltaSerde.serialize(d);
        assertThat(v4[0]).isEqualTo((byte) 4);
        byte[] v3 = java.util.Arrays.copyOf(v4, v4.length - 1); // version 3: no retirement byte
        v3[0] = 3;
        ItemDelta back = ItemDeltaSerde.deserialize(v3);
        assertThat(back.republish).isEqualTo("r-1");
        assertThat(back.isRetirementMarker()).isFalse();
    }

    @Test
    void readsTheVersion2FormatOfTheReleaseBefore() throws IOException {
        ItemDelta d = new ItemDelta("x", 1);
        d.origin = "run";
        d.checkpointId = 5;
        d.sender = 1;
        byte[] v4 = ItemDeltaSerde.serialize(d);
        // version 2 is version 4 without the trailing republish flag (3) and retirement byte (4)
        byte[] v2 = java.util.Arrays.copyOf(v4, v4.length - 2);
        v2[0] = 2;
        ItemDelta back = ItemDeltaSerde.deserialize(v2);
        assertThat(back.origin).isEqualTo("run");
        assertThat(back.checkpointId).isEqualTo(5);
        assertThat(back.sender).isEqualTo(1);
        assertThat(back.republish).isNull();
    }

    /** The bytes of the release before this writer: the same fields through a DataOutputStream. */
    private static byte[] throughDataOutputStream(ItemDelta d) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(4);
            out.writeUTF(d.item);
            out.writeShort(d.dq.length);
            for (float x : d.dq) {
                out.writeFloat(x);
            }
            out.writeFloat(d.db);
            out.writeLong(d.interactions);
            out.writeDouble(d.popularityLog);
            out.writeLong(d.maxTs);
            out.writeBoolean(d.origin != null);
            if (d.origin != null) {
                out.writeUTF(d.origin);
            }
            out.writeLong(d.checkpointId);
            out.writeInt(d.sender);
            out.writeBoolean(d.republish != null);
            if (d.republish != null) {
                out.writeUTF(d.republish);
            }
            out.writeByte(d.retirement);
        }
        return bytes.toByteArray();
    }

    @Test
    void writesTheSameBytesAsTheStreamsOfTheReleaseBeforeForEveryKindOfCharacter() throws IOException {
        // ASCII, a NUL (two bytes in modified UTF-8), two- and three-byte chars, a surrogate pair
        String[] ids = {"i42", "a\u0000b", "caf\u00e9-\u00fc", "\u4e2d\u6587", "emoji-\ud83d\ude00", ""};
        for (String id : ids) {
            ItemDelta d = new ItemDelta(id, 4);
            d.dq[0] = -0.0f;
            d.dq[1] = Float.NaN;
            d.dq[2] = 3.5e-9f;
            d.dq[3] = -Float.MAX_VALUE;
            d.db = 0.75f;
            d.interactions = -1L;
            d.popularityLog = -Math.PI;
            d.maxTs = Long.MIN_VALUE;
            d.origin = id.isEmpty() ? null : "run-" + id;
            d.checkpointId = 0x0102030405060708L;
            d.sender = 3;
            d.republish = id.length() == 3 ? null : "req-" + id;
            d.retirement = ItemDelta.UNRETIRE;
            assertThat(ItemDeltaSerde.serialize(d)).as(id).isEqualTo(throughDataOutputStream(d));
            ItemDelta back = ItemDeltaSerde.deserialize(ItemDeltaSerde.serialize(d));
            assertThat(back.item).isEqualTo(id);
            assertThat(back.origin).isEqualTo(d.origin);
            assertThat(back.republish).isEqualTo(d.republish);
        }
    }

    @Test
    void anIdLongerThanTheFormatCarriesIsAClearError() {
        ItemDelta d = new ItemDelta("\u4e2d".repeat(30_000), 1);
        assertThatThrownBy(() -> ItemDeltaSerde.serialize(d))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("90000 encoded bytes");
    }

    @Test
    void serializeOnceEncodesADeltaOnceAndFlinkNeverSeesTheRememberedBytes() {
        ItemDelta d = new ItemDelta("i1", 2);
        d.dq[0] = 1f;
        byte[] first = ItemDeltaSerde.serializeOnce(d);
        assertThat(first).isEqualTo(ItemDeltaSerde.serialize(d));
        assertThat(ItemDeltaSerde.serializeOnce(d)).isSameAs(first);
        TypeInformation<ItemDelta> type = TypeInformation.of(ItemDelta.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<ItemDelta> pojo = (PojoTypeInfo<ItemDelta>) type;
        assertThat(pojo.getFieldIndex("encoded")).isEqualTo(-1);
        assertThat(pojo.getFieldIndex("dq")).isNotEqualTo(-1);
    }

    @Test
    void inFlightDeltasGoIntoChunksOfBoundedSizeAndComeBackInOrder() throws IOException {
        List<ItemDelta> deltas = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ItemDelta d = new ItemDelta("i" + i, 8);
            d.dq[i % 8] = i;
            d.checkpointId = i / 100;
            d.sender = 1;
            deltas.add(d);
        }
        int one = ItemDeltaSerde.serialize(deltas.get(999)).length;
        List<byte[]> chunks = ItemDeltaSerde.chunks(deltas, 10_000);

        assertThat(chunks).allSatisfy(c -> assertThat(c.length).isLessThanOrEqualTo(10_000));
        assertThat(chunks.size()).isBetween(1_000 * (one + 4) / 10_000, 1_000 * (one + 4) / 10_000 + 2);
        List<ItemDelta> back = new ArrayList<>();
        for (byte[] c : chunks) {
            back.addAll(ItemDeltaSerde.deserializeStateElement(c));
        }
        assertThat(back).extracting(d -> d.item).containsExactlyElementsOf(deltas.stream().map(d -> d.item).toList());
        assertThat(back.get(457).dq[457 % 8]).isEqualTo(457f);
        assertThat(back.get(457).checkpointId).isEqualTo(4);
        assertThat(ItemDeltaSerde.chunks(List.of(), 10_000)).isEmpty();
    }

    @Test
    void aDeltaLargerThanAChunkGetsAChunkOfItsOwnAndOldSingleDeltaElementsStillRead() throws IOException {
        ItemDelta small = new ItemDelta("a", 2);
        ItemDelta large = new ItemDelta("b", 1_000);
        large.dq[999] = 9f;
        List<byte[]> chunks = ItemDeltaSerde.chunks(List.of(small, large, small), 500);
        assertThat(chunks).hasSize(3);
        assertThat(ItemDeltaSerde.deserializeStateElement(chunks.get(1))).singleElement()
                .satisfies(d -> assertThat(d.dq[999]).isEqualTo(9f));
        // the in-flight state of releases before chunks: one delta per element
        assertThat(ItemDeltaSerde.deserializeStateElement(ItemDeltaSerde.serialize(large))).singleElement()
                .satisfies(d -> assertThat(d.item).isEqualTo("b"));
    }

    @Test
    void emptyPopularityStaysNegativeInfinity() throws IOException {
        ItemDelta d = new ItemDelta("x", 1);
        assertThat(ItemDeltaSerde.deserialize(ItemDeltaSerde.serialize(d)).popularityLog)
                .isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void unknownFormatVersionIsAClearError() {
        byte[] bytes = ItemDeltaSerde.serialize(new ItemDelta("x", 1));
        bytes[0] = 99;
        assertThatThrownBy(() -> ItemDeltaSerde.deserialize(bytes)).hasMessageContaining("format version 99");
    }
}
