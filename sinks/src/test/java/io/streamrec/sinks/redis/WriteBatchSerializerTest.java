package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WriteBatchSerializerTest {

    private final WriteBatchSerializer serializer = new WriteBatchSerializer();

    private static List<VersionedWrite> writes() {
        return List.of(
                new VersionedWrite("rec:u1", (3L << 32) + 7, 1_700_000_000_000L, new String[] {"a", "b", "ü"},
                        new double[] {2.5, 1.25, -0.5}, Map.of("interactions", "12", "eventTs", "99"), Set.of("interactions"))
                        .expiringAfter(86_400_000L),
                VersionedWrite.deletion("rec:u2", 9, 10),
                new VersionedWrite("rec:_popular", 4, 5, new String[0], new double[0]));
    }

    @Test
    void aBatchComesBackWithEveryWriteInOrder() throws IOException {
        WriteBatch batch = WriteBatch.of(writes());
        WriteBatch back = serializer.deserialize(serializer.getVersion(), serializer.serialize(batch));

        assertThat(back.size()).isEqualTo(3);
        List<VersionedWrite> read = back.writes();
        assertThat(read).extracting(VersionedWrite::key, VersionedWrite::version, VersionedWrite::isDeletion)
                .containsExactly(
                        tuple("rec:u1", (3L << 32) + 7, false),
                        tuple("rec:u2", 9L, true),
                        tuple("rec:_popular", 4L, false));
        VersionedWrite first = read.get(0);
        assertThat(first.updatedMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(first.size()).isEqualTo(3);
        assertThat(first.member(2)).isEqualTo("ü");
        assertThat(first.score(1)).isEqualTo(1.25);
        assertThat(first.extraMeta()).containsEntry("interactions", "12").containsEntry("eventTs", "99");
        assertThat(first.monotonicMeta()).containsExactly("interactions");
        assertThat(first.ttlMillis()).isEqualTo(86_400_000L);
        assertThat(read.get(2).size()).isZero();
    }

    @Test
    void aBatchIsEncodedOnceAndABatchReadFromBytesIsWrittenBackAsThoseBytes() throws IOException {
        WriteBatch batch = WriteBatch.of(writes());
        byte[] bytes = serializer.serialize(batch);
        assertThat(serializer.serialize(batch)).isSameAs(bytes);

        WriteBatch back = serializer.deserialize(serializer.getVersion(), bytes);
        assertThat(serializer.serialize(back)).isSameAs(bytes);
        assertThat(back.size()).isEqualTo(3);
    }

    @Test
    void aSingleWriteCommittableOfTheReleaseBeforeBatchesIsABatchOfThatWrite() throws IOException {
        VersionedWrite old = writes().get(0);
        byte[] version4 = new VersionedWriteSerializer().serialize(old);

        WriteBatch back = serializer.deserialize(4, version4);
        assertThat(back.size()).isEqualTo(1);
        assertThat(back.writes()).singleElement().satisfies(w -> {
            assertThat(w.key()).isEqualTo("rec:u1");
            assertThat(w.version()).isEqualTo((3L << 32) + 7);
            assertThat(w.ttlMillis()).isEqualTo(86_400_000L);
        });
        // written again, it is in this release's layout
        WriteBatch again = serializer.deserialize(serializer.getVersion(), serializer.serialize(back));
        assertThat(again.writes()).extracting(VersionedWrite::key).containsExactly("rec:u1");
    }

    @Test
    void anUnknownVersionIsAClearError() {
        assertThatThrownBy(() -> serializer.deserialize(6, new byte[4]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 6")
                .hasMessageContaining("versions 1 to 5");
    }
}
