package io.streamrec.operators.input;


import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by {@link Interaction#dedupKey()}: lets the first event with a key through and drops (and
 * counts) every later one within the de-duplication window after it, measured in <em>event
 * time</em>: a key is remembered until the watermark passes the first event's time plus the window
 * (an event-time timer then clears it). The state is therefore bounded by the distinct events of one
 * window of event time, also when a backfill replays months of history in an hour.
 *
 * <p>Savepoints of earlier versions kept keys in the state {@code seen} with a processing-time TTL;
 * it is still read (a key there is a duplicate) and expires by its TTL.
 */
public class Deduplicator extends KeyedProcessFunction<String, Interaction, Interaction> {

    private static final long serialVersionUID = 1L;

    private final Duration window;

    private transient ValueState<Long> seenUntil;
    private transient ValueState<Boolean> seenBefore;
    private transient Counter duplicates;

    public Deduplicator(Duration window) {
        this.window = window;
    }

    @Override
    public void open(OpenContext openContext) {
        seenUntil = getRuntimeContext().getState(new ValueStateDescriptor<>("seenUntil", Long.class));
        ValueStateDescriptor<Boolean> legacy = new ValueStateDescriptor<>("seen", Boolean.class);
        legacy.enableTimeToLive(StateTtlConfig.newBuilder(window)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        seenBefore = getRuntimeContext().getState(legacy);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(Interaction event, Context ctx, Collector<Interaction> out) throws Exception {
        if (seenUntil.value() != null || seenBefore.value() != null) {
            duplicates.inc();
            return;
        }
        long until = saturatedAdd(event.ts, window.toMillis());
        seenUntil.update(until);
        ctx.timerService().registerEventTimeTimer(until);
        out.collect(event);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Interaction> out) {
        seenUntil.clear();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
