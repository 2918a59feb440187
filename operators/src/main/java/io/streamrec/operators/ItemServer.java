package io.streamrec.operators;

import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.ItemUpdate;
import io.streamrec.operators.state.ItemState;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The item side of the parameter server: owner of every item's vector q_i, bias b_i and counters
 * (keyed state, keyed by item). It applies the aggregated {@link ItemDelta}s that the UserWorkers
 * push through the gradient topic, and broadcasts the new vector to every UserWorker's cache.
 *
 * <p>After a start or restore it re-sends all of its items followed by a marker carrying its
 * subtask index, so the UserWorkers can rebuild their (non-checkpointed) caches and know when they
 * are complete. Deltas that would make a vector non-finite or larger than the configured norm are
 * refused and counted, never stored.
 */
public class ItemServer extends AbstractStreamOperator<ItemUpdate>
        implements OneInputStreamOperator<ItemDelta, ItemUpdate> {

    private static final long serialVersionUID = 1L;
    static final String STATE_NAME = "item";

    /** Side output: per-item counters after each applied delta. */
    public static final OutputTag<ItemStats> ITEM_STATS =
            new OutputTag<>("item-stats", TypeInformation.of(ItemStats.class));

    private final ModelConfig model;

    private transient ValueState<ItemState> itemState;
    private transient Counter deltasApplied;
    private transient Counter deltasRejected;

    public ItemServer(ModelConfig model) {
        this.model = model;
    }

    @Override
    public void open() throws Exception {
        super.open();
        itemState = getPartitionedState(new ValueStateDescriptor<>(STATE_NAME, ItemState.class));
        deltasApplied = getMetricGroup().counter("deltasApplied");
        deltasRejected = getMetricGroup().counter("deltasRejected");
        // Emitting from open() is not allowed; a timer callback runs on the task thread right away.
        getProcessingTimeService().registerTimer(
                getProcessingTimeService().getCurrentProcessingTime(), t -> resendAll());
    }

    @Override
    public void processElement(StreamRecord<ItemDelta> element) throws Exception {
        ItemDelta d = element.getValue();
        ItemState s = itemState.value();
        if (s == null) {
            s = new ItemState();
            s.q = FactorMath.initVector(d.item, model.dimension(), model.initScale(), model.seed());
        }
        if (d.dq.length != s.q.length) {
            throw new IllegalStateException("gradient for item '" + d.item + "' has dimension " + d.dq.length
                    + " but the model has " + s.q.length + " (did the dimension option change?)");
        }
        float[] q = s.q.clone();
        for (int k = 0; k < q.length; k++) {
            q[k] += d.dq[k];
        }
        float b = s.b + d.db;
        if (FactorMath.isSane(q, model.maxNorm()) && FactorMath.isSane(b, model.maxNorm())) {
            s.q = q;
            s.b = b;
            deltasApplied.inc();
        } else {
            s.rejectedDeltas++;
            deltasRejected.inc();
        }
        // counts are applied even when the vector update is refused: the interactions did happen
        s.interactions += d.interactions;
        s.popularityLog = FactorMath.logAdd(s.popularityLog, d.popularityLog);
        s.lastTs = Math.max(s.lastTs, d.maxTs);
        itemState.update(s);
        output.collect(new StreamRecord<>(new ItemUpdate(d.item, s.q, s.b, s.interactions)));
        output.collect(ITEM_STATS, new StreamRecord<>(
                new ItemStats(d.item, s.interactions, s.b, s.popularityLog, s.lastTs)));
    }

    private void resendAll() throws Exception {
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        List<String> keys = new ArrayList<>();
        try (Stream<String> stream = backend.getKeys(STATE_NAME, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        Object previous = getCurrentKey();
        for (String key : keys) {
            setCurrentKey(key);
            ItemState s = itemState.value();
            if (s != null) {
                output.collect(new StreamRecord<>(new ItemUpdate(key, s.q, s.b, s.interactions)));
            }
        }
        if (previous != null) {
            setCurrentKey(previous);
        }
        output.collect(new StreamRecord<>(ItemUpdate.marker(
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks())));
        LOG.info("ItemServer subtask {} re-sent {} items to the scorers' caches",
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), keys.size());
    }
}
