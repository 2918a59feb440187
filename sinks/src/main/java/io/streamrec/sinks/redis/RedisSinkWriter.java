package io.streamrec.sinks.redis;

import java.util.Collection;
import java.util.Collections;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Collects the lists of one checkpoint interval and hands them to the committer at the checkpoint.
 *
 * <p>Writes are coalesced per key, keeping the highest version, so a user updated a thousand times
 * between two checkpoints costs one Redis write. Nothing is written to Redis here: lists become
 * visible only when {@link RedisCommitter} commits the checkpoint that produced them, so the
 * writer needs no connection. Memory is bounded by the number of distinct keys per interval. At a
 * checkpoint the writes go to the committer as one {@link WriteBatch}.
 */
final class RedisSinkWriter<IN> implements CommittingSinkWriter<IN, WriteBatch> {

    private final RedisWriteSerializer<IN> serializer;
    private final WriteCoalescer pending = new WriteCoalescer();
    private final Counter coalesced;

    RedisSinkWriter(RedisWriteSerializer<IN> serializer, MetricGroup metrics) {
        this.serializer = serializer;
        this.coalesced = metrics.counter("redisWritesCoalesced");
        metrics.gauge("redisPendingLists", pending::size);
    }

    @Override
    public void write(IN element, Context context) {
        VersionedWrite write = serializer.serialize(element);
        if (write == null) {
            return;
        }
        if (pending.add(write)) {
            coalesced.inc();
        }
    }

    /** Nothing to flush: all pending lists leave through {@link #prepareCommit()}. */
    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public Collection<WriteBatch> prepareCommit() {
        if (pending.size() == 0) {
            return Collections.emptyList();
        }
        return Collections.singletonList(WriteBatch.of(pending.drain()));
    }

    @Override
    public void close() {}
}
