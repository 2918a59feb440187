package io.streamrec.operators;

import io.streamrec.operators.input.Interaction;

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
 * counts) every later one seen within the de-duplication window. The window is a state TTL, so the
 * state of this operator is bounded by the number of distinct events per window.
 */
public class Deduplicator extends KeyedProcessFunction<String, Interaction, Interaction> {

    private static final long serialVersionUID = 1L;

    private final Duration window;

    private transient ValueState<Boolean> seen;
    private transient Counter duplicates;

    public Deduplicator(Duration window) {
        this.window = window;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("seen", Boolean.class);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(window)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        seen = getRuntimeContext().getState(descriptor);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(Interaction event, Context ctx, Collector<Interaction> out) throws Exception {
        if (seen.value() != null) {
            duplicates.inc();
            return;
        }
        seen.update(Boolean.TRUE);
        out.collect(event);
    }
}
