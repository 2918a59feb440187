package io.streamrec.operators.input;


import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumMap;

/**
 * Parses and validates raw interaction records. Valid ones continue; every other record goes to
 * {@link #DEAD_LETTERS} as a JSON object with the original payload, the reason and a readable
 * detail, and is counted (in total and per reason). No input can fail the job.
 *
 * <p>The job also says when its input is wrong: a {@link RejectionMonitor} tallies each window of
 * processing time, and when the rejected share of a window reaches the threshold (or all of its
 * records are rejected) this subtask logs a warning with counts and one example payload per reason,
 * at most once a minute. The last window's figures are gauges: {@code rejectedShareLastWindow},
 * {@code recordsLastWindow}, {@code rejectedLastWindow}, {@code reason.<reason>.rejectedLastWindow};
 * {@code rejectionWarnings} counts the warnings. Windows close on a processing-time timer too, so a
 * burst of bad input followed by silence still warns.
 */
public class InteractionValidator extends ProcessFunction<String, Interaction> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InteractionValidator.class);

    public static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /** At most one rejection warning per subtask per this interval. */
    public static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

    private final ValidationRules rules;
    private final Duration window;
    private final double warnShare;

    private transient InteractionParser parser;
    private transient ObjectMapper json;
    private transient Counter valid;
    private transient Counter rejected;
    private transient Counter warnings;
    private transient EnumMap<RejectReason, Counter> rejectedByReason;
    private transient RejectionMonitor monitor;
    private transient String subtask;
    private transient ProcessingTimeService time; // null outside a stream task: then the system clock

    /** Rejection warnings over 10 s windows from a 10% share. */
    public InteractionValidator(ValidationRules rules) {
        this(rules, Duration.ofSeconds(10), 0.1);
    }

    /**
     * @param window    length of the windows over which the rejected share is measured
     * @param warnShare rejected share (0..1] of a window from which the job warns
     */
    public InteractionValidator(ValidationRules rules, Duration window, double warnShare) {
        this.rules = rules;
        this.window = window;
        this.warnShare = warnShare;
    }

    @Override
    public void open(OpenContext openContext) {
        parser = new InteractionParser(rules);
        json = new ObjectMapper();
        monitor = new RejectionMonitor(window, warnShare, WARNING_INTERVAL);
        RuntimeContext context = getRuntimeContext();
        subtask = (context.getTaskInfo().getIndexOfThisSubtask() + 1) + "/" + context.getTaskInfo().getNumberOfParallelSubtasks();
        MetricGroup metrics = context.getMetricGroup();
        valid = metrics.counter("interactionsValid");
        rejected = metrics.counter("interactionsRejected");
        warnings = metrics.counter("rejectionWarnings");
        metrics.gauge("rejectedShareLastWindow", () -> monitor.lastWindow().rejectedShare());
        metrics.gauge("recordsLastWindow", () -> monitor.lastWindow().total());
        metrics.gauge("rejectedLastWindow", () -> monitor.lastWindow().rejected());
        rejectedByReason = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            MetricGroup group = metrics.addGroup("reason", reason.wireName());
            rejectedByReason.put(reason, group.counter("rejected"));
            group.gauge("rejectedLastWindow", () -> monitor.lastWindow().rejected(reason));
        }
        if (context instanceof StreamingRuntimeContext streaming) {
            time = streaming.getProcessingTimeService();
            scheduleWindowCheck();
        }
    }

    /** Closes idle windows: without it a burst of bad records followed by silence would never warn. */
    private void scheduleWindowCheck() {
        time.registerTimer(time.getCurrentProcessingTime() + window.toMillis(), timestamp -> {
            checkWindow(timestamp);
            scheduleWindowCheck();
        });
    }

    private long now() {
        return time != null ? time.getCurrentProcessingTime() : System.currentTimeMillis();
    }

    @Override
    public void processElement(String payload, Context ctx, Collector<Interaction> out) {
        long now = now();
        checkWindow(now);
        ParseResult result = parser.parse(payload, System.currentTimeMillis());
        monitor.add(result, payload, now);
        if (result.ok()) {
            valid.inc();
            out.collect(result.interaction());
            return;
        }
        rejected.inc();
        rejectedByReason.get(result.reason()).inc();
        ctx.output(DEAD_LETTERS, deadLetter(payload, result));
    }

    private void checkWindow(long now) {
        monitor.poll(now).ifPresent(warning -> {
            warnings.inc();
            LOG.warn("Parse + validate (subtask {}): {}", subtask, warning);
        });
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
