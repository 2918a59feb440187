package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.Collection;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class RedisSinkWriterTest {

    /** Elements are "user:version". */
    private final RedisSinkWriter<String> writer =
            new RedisSinkWriter<>(
                    element -> {
                        String[] parts = element.split(":");
                        if (parts[0].equals("skip")) {
                            return null;
                        }
                        return new VersionedWrite(
                                "rec:" + parts[0],
                                Long.parseLong(parts[1]),
                                0,
                                new String[] {"v" + parts[1]},
                                new double[] {1});
                    },
                    new UnregisteredMetricsGroup());

    @Test
    void keepsOnlyTheNewestWritePerKeyUntilTheCheckpoint() {
        for (String element : new String[] {"a:1", "b:5", "a:3", "a:2", "b:4", "skip:1"}) {
            writer.write(element, null);
        }
        writer.flush(false);

        assertThat(onlyBatch(writer.prepareCommit()).writes())
                .extracting(VersionedWrite::key, VersionedWrite::version)
                .containsExactly(
                        tuple("rec:a", 3L),
                        tuple("rec:b", 5L));
        assertThat(writer.prepareCommit()).isEmpty();
    }

    @Test
    void aDeletionFollowedByANewStartOfTheKeyCommitsBothInOrder() {
        RedisSinkWriter<VersionedWrite> raw = new RedisSinkWriter<>(w -> w, new UnregisteredMetricsGroup());
        raw.write(new VersionedWrite("rec:a", 5, 0, new String[] {"x"}, new double[] {1}), null);
        raw.write(VersionedWrite.deletion("rec:a", 6, 0), null);
        raw.write(new VersionedWrite("rec:a", 1, 0, new String[] {"y"}, new double[] {1}), null);
        raw.write(VersionedWrite.deletion("rec:a", 2, 0), null);
        raw.write(new VersionedWrite("rec:a", 1, 0, new String[] {"z"}, new double[] {1}), null);
        raw.write(VersionedWrite.deletion("rec:b", 3, 0), null);
        assertThat(onlyBatch(raw.prepareCommit()).writes())
                .extracting(VersionedWrite::key, VersionedWrite::version, VersionedWrite::isDeletion)
                .containsExactly(
                        // the first deletion is the one that meets what Redis holds now
                        tuple("rec:a", 6L, true),
                        tuple("rec:a", 1L, false),
                        tuple("rec:b", 3L, true));
    }

    private static WriteBatch onlyBatch(Collection<WriteBatch> committables) {
        assertThat(committables).hasSize(1);
        return committables.iterator().next();
    }
}
