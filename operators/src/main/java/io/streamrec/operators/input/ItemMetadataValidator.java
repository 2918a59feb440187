package io.streamrec.operators.input;

import io.streamrec.operators.records.ItemMetadata;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.EnumMap;

/**
 * Parses and validates the records of the item topic ({@link ItemMetadataParser}). Valid ones go on
 * to the ItemServers; every other record goes to {@link #DEAD_LETTERS} (the job's dead-letter
 * topic) as {@code {"reason":...,"detail":...,"payload":...,"rejectedAt":...,"source":"items"}} and
 * is counted: {@code itemRecordsValid}, {@code itemRecordsRejected}, {@code reason.<reason>.rejected}.
 * No input can fail the job.
 */
public class ItemMetadataValidator extends ProcessFunction<String, ItemMetadata> {

    private static final long serialVersionUID = 1L;

    /** Rejected item records, as dead-letter JSON. */
    public static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("item-dead-letters") {};

    /** The {@code source} field of this validator's dead letters (interactions' have none). */
    public static final String SOURCE = "items";

    private final ValidationRules rules;

    private transient ItemMetadataParser parser;
    private transient ObjectMapper json;
    private transient Counter valid;
    private transient Counter rejected;
    private transient EnumMap<RejectReason, Counter> rejectedByReason;

    public ItemMetadataValidator(ValidationRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new ItemMetadataParser(rules);
        json = new ObjectMapper();
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        valid = metrics.counter("itemRecordsValid");
        rejected = metrics.counter("itemRecordsRejected");
        rejectedByReason = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            rejectedByReason.put(reason, metrics.addGroup("reason", reason.wireName()).counter("rejected"));
        }
    }

    @Override
    public void processElement(String payload, Context ctx, Collector<ItemMetadata> out) {
        ItemMetadataParser.Result result = parser.parse(payload, System.currentTimeMillis());
        if (result.ok()) {
            valid.inc();
            out.collect(result.metadata());
            return;
        }
        rejected.inc();
        rejectedByReason.get(result.reason()).inc();
        ObjectNode node = json.createObjectNode();
        node.put("reason", result.reason().wireName());
        node.put("detail", result.detail());
        node.put("payload", payload);
        node.put("rejectedAt", System.currentTimeMillis());
        node.put("source", SOURCE);
        ctx.output(DEAD_LETTERS, node.toString());
    }
}
