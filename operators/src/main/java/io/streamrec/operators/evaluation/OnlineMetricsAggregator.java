package io.streamrec.operators.evaluation;

import io.streamrec.operators.records.OnlineHit;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Aggregates the UserWorkers' test-then-learn measurements ({@link OnlineHit}) into the job's live
 * quality figures: hit rate @N, mean reciprocal rank and the number of evaluated interactions over
 * the last minute and the last ten minutes of processing time, and since the job started
 * (cumulative across restores). Lists longer than 10 items are also measured at 10 ({@code hr@10:*},
 * gauges {@code hitRate1mAt10}, ...), the cut-off the offline evaluation reports.
 *
 * <p>Runs with parallelism 1 (the input is one small record per interaction). Emits one
 * {@link OnlineMetricsSnapshot} per checkpoint, in {@link #prepareSnapshotPreBarrier}, when
 * something was measured since the last one, so the Redis write it becomes commits with that
 * checkpoint. The version is the processing time (kept strictly increasing), so a restarted job
 * without state still overwrites older figures. State: one byte array of rolling counters in
 * operator state (a few tens of KiB).
 *
 * <p>Next to the processing-time figures it keeps sums per 10 s of <em>event</em> time for the
 * newest {@code recs.evaluation-retention} of event time (an hour by default; {@link
 * EventTimeQuality}), emitted with each snapshot ({@code rec:_metrics:windows}): two jobs on the
 * same stream evaluate the same events in the same buckets, which is what {@code bin/streamrec
 * compare} aligns. The buckets' state stores each bucket's start, not the retention, so a savepoint
 * restores into any retention: a longer one keeps every stored bucket and fills up from there, a
 * shorter one keeps the newest. Restored from a savepoint taken before they existed, the buckets
 * start empty.
 */
public class OnlineMetricsAggregator extends AbstractStreamOperator<OnlineMetricsSnapshot>
        implements OneInputStreamOperator<OnlineHit, OnlineMetricsSnapshot> {

    private static final long serialVersionUID = 1L;

    /** Windows reported, in seconds, with their suffixes in the metric names. */
    static final int[] WINDOW_SECONDS = {60, 600};
    static final String[] WINDOW_NAMES = {"1m", "10m"};
    static final int HORIZON_SECONDS = 600;

    /** The fixed cut-off reported next to hr@N (when lists are longer): HR@10, comparable across list lengths. */
    static final int FIXED_K = 10;

    /** Length of an event-time bucket. */
    public static final long EVENT_BUCKET_MILLIS = 10_000;
    /** How many buckets (the newest) are kept by default: one hour. */
    static final int EVENT_BUCKETS = 360;

    /** How many event-time buckets (the newest) are kept. */
    private final int eventBuckets;

    private transient ListState<byte[]> state;
    private transient ListState<byte[]> stateAtK;
    private transient RollingHitCounts counts;
    /** Hits within the first {@link #FIXED_K} items only; empty after a restore from a savepoint taken before it existed. */
    private transient RollingHitCounts countsAtK;
    private transient ListState<byte[]> stateByEventTime;
    private transient EventTimeQuality byEventTime;
    private transient int listSize;
    private transient long lastVersion;
    private transient boolean dirty;

    /** Keeps the newest hour of event time. */
    public OnlineMetricsAggregator() {
        this(Duration.ofMillis(EVENT_BUCKETS * EVENT_BUCKET_MILLIS));
    }

    /** @param retention event time kept in buckets ({@code recs.evaluation-retention}), a positive multiple of 10 s */
    public OnlineMetricsAggregator(Duration retention) {
        long buckets = retention.toMillis() / EVENT_BUCKET_MILLIS;
        if (buckets < 1 || buckets * EVENT_BUCKET_MILLIS != retention.toMillis() || buckets > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("retention must be a positive multiple of 10 s, got " + retention);
        }
        this.eventBuckets = (int) buckets;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        state = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("online-metrics", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        counts = new RollingHitCounts(HORIZON_SECONDS);
        Iterator<byte[]> stored = state.get().iterator();
        if (stored.hasNext()) {
            counts = RollingHitCounts.fromBytes(stored.next(), HORIZON_SECONDS);
        }
        stateAtK = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("online-metrics-at-" + FIXED_K, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        countsAtK = new RollingHitCounts(HORIZON_SECONDS);
        Iterator<byte[]> storedAtK = stateAtK.get().iterator();
        if (storedAtK.hasNext()) {
            countsAtK = RollingHitCounts.fromBytes(storedAtK.next(), HORIZON_SECONDS);
        }
        stateByEventTime = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("online-metrics-by-event-time", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        byEventTime = new EventTimeQuality(EVENT_BUCKET_MILLIS, eventBuckets);
        Iterator<byte[]> storedByEventTime = stateByEventTime.get().iterator();
        if (storedByEventTime.hasNext()) {
            byEventTime = EventTimeQuality.fromBytes(storedByEventTime.next(), EVENT_BUCKET_MILLIS, eventBuckets);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        for (int w = 0; w < WINDOW_SECONDS.length; w++) {
            int seconds = WINDOW_SECONDS[w];
            getMetricGroup().gauge("hitRate" + WINDOW_NAMES[w],
                    () -> counts.window(now(), seconds).hitRate());
            getMetricGroup().gauge("hitRate" + WINDOW_NAMES[w] + "At" + FIXED_K,
                    () -> countsAtK.window(now(), seconds).hitRate());
        }
        getMetricGroup().gauge("hitRateTotal", () -> counts.cumulative().hitRate());
        getMetricGroup().gauge("hitRateTotalAt" + FIXED_K, () -> countsAtK.cumulative().hitRate());
        getMetricGroup().gauge("mrrTotal", () -> counts.cumulative().mrr());
    }

    @Override
    public void processElement(StreamRecord<OnlineHit> element) {
        OnlineHit hit = element.getValue();
        counts.add(now(), hit.rank);
        countsAtK.add(now(), hit.rank < FIXED_K ? hit.rank : -1);
        byEventTime.add(hit.ts, hit.rank);
        listSize = Math.max(listSize, hit.listSize);
        dirty = true;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (dirty) {
            output.collect(new StreamRecord<>(snapshot(now())));
            dirty = false;
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        state.update(List.of(counts.toBytes()));
        stateAtK.update(List.of(countsAtK.toBytes()));
        stateByEventTime.update(List.of(byEventTime.toBytes()));
    }

    @Override
    public void finish() throws Exception {
        prepareSnapshotPreBarrier(-1);
        super.finish();
    }

    /** The current figures; the version is strictly larger than the previous snapshot's. */
    OnlineMetricsSnapshot snapshot(long nowMs) {
        String hr = "hr@" + listSize;
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int w = 0; w < WINDOW_SECONDS.length; w++) {
            add(names, values, WINDOW_NAMES[w], hr, counts.window(nowMs, WINDOW_SECONDS[w]));
        }
        add(names, values, "total", hr, counts.cumulative());
        if (listSize > FIXED_K) {
            // lists longer than 10: HR@10 too, so that figures compare across list lengths
            for (int w = 0; w < WINDOW_SECONDS.length; w++) {
                names.add("hr@" + FIXED_K + ":" + WINDOW_NAMES[w]);
                values.add(countsAtK.window(nowMs, WINDOW_SECONDS[w]).hitRate());
            }
            names.add("hr@" + FIXED_K + ":total");
            values.add(countsAtK.cumulative().hitRate());
        }
        long version = Math.max(nowMs, lastVersion + 1);
        lastVersion = version;
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        OnlineMetricsSnapshot snapshot = new OnlineMetricsSnapshot(version, nowMs, names.toArray(new String[0]), v);
        List<String> bucketNames = new ArrayList<>();
        List<Double> bucketValues = new ArrayList<>();
        byEventTime.appendMembers(bucketNames, bucketValues);
        snapshot.windowNames = bucketNames.toArray(new String[0]);
        snapshot.windowValues = bucketValues.stream().mapToDouble(Double::doubleValue).toArray();
        return snapshot;
    }

    private static void add(List<String> names, List<Double> values, String window, String hr,
                            RollingHitCounts.Totals totals) {
        names.add(hr + ":" + window);
        values.add(totals.hitRate());
        names.add("mrr:" + window);
        values.add(totals.mrr());
        names.add("evaluated:" + window);
        values.add((double) totals.evaluated());
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
