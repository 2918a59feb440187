package io.streamrec.operators.item;

import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.records.ItemStats;
import io.streamrec.operators.records.PopularList;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the global most-popular items (time-decayed interaction counts) and emits the fallback list
 * once per checkpoint when it changed. Runs with parallelism 1.
 *
 * <p>Popularity is kept in log space relative to a fixed epoch, {@code log Σ w·e^{λ(t−epoch)}}, so
 * every item decays at the same rate and the ranking never needs re-computing as time passes; an
 * item's value only grows, so a bounded candidate set of the best {@code capacity} items is exact.
 * State: the candidates (operator list state), O(capacity), independent of the number of items.
 * Retired, expired and unavailable items leave the candidates; an item that is available again
 * comes back with its next stats (the ItemServer emits them on the change), at its full value.
 */
public class PopularityRanker extends AbstractStreamOperator<PopularList>
        implements OneInputStreamOperator<ItemStats, PopularList> {

    private static final long serialVersionUID = 1L;

    private final ModelConfig model;
    private final int topN;
    private final int capacity;

    private transient Map<String, Double> candidates;
    private transient long version;
    private transient long newestTs;
    private transient boolean changed;
    private transient ListState<Tuple2<String, Double>> candidateState;
    private transient ListState<Long> versionState;
    private transient ListState<Long> newestTsState;

    public PopularityRanker(ModelConfig model, int topN) {
        this.model = model;
        this.topN = topN;
        this.capacity = Math.max(4 * topN, 100);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        candidateState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(
                "popular-candidates", TypeInformation.of(new org.apache.flink.api.common.typeinfo.TypeHint<Tuple2<String, Double>>() {})));
        versionState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("popular-version", Long.class));
        newestTsState = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("popular-newest-ts", Long.class));
        for (Long ts : newestTsState.get()) {
            newestTs = Math.max(newestTs, ts);
        }
        candidates = new HashMap<>();
        for (Tuple2<String, Double> c : candidateState.get()) {
            candidates.merge(c.f0, c.f1, Math::max);
        }
        for (Long v : versionState.get()) {
            version = Math.max(version, v);
        }
    }

    @Override
    public void processElement(StreamRecord<ItemStats> element) {
        ItemStats s = element.getValue();
        newestTs = Math.max(newestTs, s.lastTs);
        if (s.republished) {
            // a republish request: write the list again at the next barrier even if nothing moved
            changed = true;
        }
        if (s.retired || s.expired || s.unavailable) { // unavailable: until its next stats say otherwise
            changed |= candidates.remove(s.item) != null;
            return;
        }
        if (s.popularityLog == Double.NEGATIVE_INFINITY) {
            return;
        }
        Double current = candidates.get(s.item);
        if (current != null) {
            if (s.popularityLog > current) {
                candidates.put(s.item, s.popularityLog);
                changed = true;
            }
            return;
        }
        if (candidates.size() < capacity) {
            candidates.put(s.item, s.popularityLog);
            changed = true;
            return;
        }
        Map.Entry<String, Double> weakest = null;
        for (Map.Entry<String, Double> e : candidates.entrySet()) {
            if (weakest == null || e.getValue() < weakest.getValue()) {
                weakest = e;
            }
        }
        if (weakest != null && s.popularityLog > weakest.getValue()) {
            candidates.remove(weakest.getKey());
            candidates.put(s.item, s.popularityLog);
            changed = true;
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (!changed || candidates.isEmpty()) {
            return;
        }
        List<Map.Entry<String, Double>> ranked = new ArrayList<>(candidates.entrySet());
        ranked.sort((a, b) -> {
            int c = Double.compare(b.getValue(), a.getValue());
            return c != 0 ? c : a.getKey().compareTo(b.getKey());
        });
        int n = Math.min(topN, ranked.size());
        PopularList list = new PopularList();
        list.items = new String[n];
        list.scores = new float[n];
        double nowExponent = model.popularityDecayPerMilli() * (newestTs - ModelConfig.POPULARITY_EPOCH_MS);
        for (int k = 0; k < n; k++) {
            list.items[k] = ranked.get(k).getKey();
            // decayed count as of the newest event seen
            list.scores[k] = (float) Math.exp(ranked.get(k).getValue() - nowExponent);
        }
        list.version = ++version;
        list.updated = getProcessingTimeService().getCurrentProcessingTime();
        output.collect(new StreamRecord<>(list));
        changed = false;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        candidateState.clear();
        for (Map.Entry<String, Double> e : candidates.entrySet()) {
            candidateState.add(Tuple2.of(e.getKey(), e.getValue()));
        }
        versionState.update(List.of(version));
        newestTsState.update(List.of(newestTs));
    }
}
