package io.streamrec.job;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka topics a StreamRec job reads and writes, defined once for everything that creates them
 * (the demo, the local cluster, {@code submit}, evaluation): the interactions, the internal item
 * gradients (its partitions bound the ItemServer's useful parallelism), the dead letters, and the
 * item metadata.
 */
public final class JobTopics {

    private JobTopics() {}

    /** The topics of a job with these options: interactions, item gradients, dead letters, items. */
    public static List<String> of(StreamRecOptions options) {
        return List.of(options.get(StreamRecOptions.TOPIC_INTERACTIONS),
                options.get(StreamRecOptions.TOPIC_GRADIENTS),
                options.get(StreamRecOptions.TOPIC_DEAD_LETTERS),
                options.get(StreamRecOptions.TOPIC_ITEMS));
    }

    /**
     * Creates the job's topics that do not exist yet, with {@code partitions} partitions and
     * replication 1 (for local set-ups; production topics are created by their owners). Returns the
     * topics it created.
     */
    public static List<String> ensure(Admin admin, StreamRecOptions options, int partitions, long timeoutMillis)
            throws Exception {
        Set<String> existing = admin.listTopics().names().get(timeoutMillis, TimeUnit.MILLISECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (String topic : of(options)) {
            if (!existing.contains(topic)) {
                missing.add(new NewTopic(topic, partitions, (short) 1));
            }
        }
        List<String> created = new ArrayList<>();
        if (!missing.isEmpty()) {
            var results = admin.createTopics(missing).values();
            for (NewTopic topic : missing) {
                try {
                    results.get(topic.name()).get(timeoutMillis, TimeUnit.MILLISECONDS);
                    created.add(topic.name());
                } catch (java.util.concurrent.ExecutionException e) {
                    // the listing can lag behind a creation (ours a moment ago, or another client's)
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        return created;
    }
}
