package io.streamrec.operators;

import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.input.InteractionParser;
import io.streamrec.operators.input.ParseResult;
import io.streamrec.operators.input.RejectReason;
import io.streamrec.operators.input.ValidationRules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.EnumMap;

/**
 * Parses and validates raw interaction records. Valid ones continue; every other record goes to
 * {@link #DEAD_LETTERS} as a JSON object with the original payload, the reason and a readable
 * detail, and is counted (in total and per reason). No input can fail the job.
 */
public class InteractionValidator extends ProcessFunction<String, Interaction> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final ValidationRules rules;

    private transient InteractionParser parser;
    private transient ObjectMapper json;
    private transient Counter valid;
    private transient Counter rejected;
    private transient EnumMap<RejectReason, Counter> rejectedByReason;

    public InteractionValidator(ValidationRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new InteractionParser(rules);
        json = new ObjectMapper();
        valid = getRuntimeContext().getMetricGroup().counter("interactionsValid");
        rejected = getRuntimeContext().getMetricGroup().counter("interactionsRejected");
        rejectedByReason = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            rejectedByReason.put(reason,
                    getRuntimeContext().getMetricGroup().addGroup("reason", reason.wireName()).counter("rejected"));
        }
    }

    @Override
    public void processElement(String payload, Context ctx, Collector<Interaction> out) {
        ParseResult result = parser.parse(payload, System.currentTimeMillis());
        if (result.ok()) {
            valid.inc();
            out.collect(result.interaction());
            return;
        }
        rejected.inc();
        rejectedByReason.get(result.reason()).inc();
        ctx.output(DEAD_LETTERS, deadLetter(payload, result));
    }

    private String deadLetter(String payload, ParseResult result) {
        ObjectNode node = json.createObjectNode();
        node.put("reason", result.reason().wireName());
        node.put("detail", result.detail());
        node.put("payload", payload);
        node.put("rejectedAt", System.currentTimeMillis());
        return node.toString();
    }
}
