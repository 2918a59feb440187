package io.streamrec.job;

import io.streamrec.operators.records.ItemStats;
import io.streamrec.sinks.redis.RedisKeys;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns the ItemServer's per-item counters into the {@code {prefix}_item:{item}:meta} write, with a
 * version that grows with every update of the item: {@link RunEpoch#version(long) the run's epoch
 * and a per-item update counter} kept in keyed state (exactly-once, restored with the checkpoint).
 * The interaction count cannot serve as the version: negative samples change the bias and leave it
 * alone, so those changes never reached Redis.
 *
 * <p>An item that expired ({@code state.item-ttl}) has its meta deleted through the same versioned
 * path, and its counter leaves the state: the deletion removes the version in Redis too, so the
 * item's next life starts from version 1 again. Each write sets the meta to expire
 * {@code state.item-ttl} after it in Redis.
 *
 * <p>Runs keyed by item on the ItemServer's own partitioning (the stream is reinterpreted as
 * keyed, no shuffle).
 */
public class ItemStatsToRedis extends KeyedProcessFunction<String, ItemStats, RedisRecord> {
    private static final long serialVersionUID = 1L;

    private final String prefix;
    private final RunEpoch run;
    private final long keyTtlMillis;
    private transient ValueState<Long> updates;

    public ItemStatsToRedis(String prefix, RunEpoch run) {
        this(prefix, run, 0);
    }

    /** @param keyTtlMillis {@code state.item-ttl}: each write sets the meta to expire this long after it (0: never) */
    public ItemStatsToRedis(String prefix, RunEpoch run, long keyTtlMillis) {
        this.prefix = prefix;
        this.run = run;
        this.keyTtlMillis = keyTtlMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        updates = getRuntimeContext().getState(new ValueStateDescriptor<>("item-meta-updates", Long.class));
    }

    @Override
    public void processElement(ItemStats stats, Context ctx, Collector<RedisRecord> out) throws Exception {
        Long before = updates.value();
        long count = (before == null ? 0 : before) + 1;
        long now = System.currentTimeMillis();
        if (stats.expired) {
            updates.clear();
            out.collect(RedisRecord.deletion(RedisKeys.item(prefix, stats.item), run.version(count), now));
            return;
        }
        updates.update(count);
        RedisRecord write = RedisWrites.itemStats(prefix, stats, now, run.version(count));
        write.ttlMillis = keyTtlMillis;
        out.collect(write);
    }
}
