package io.streamrec.cli;

import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.cli.cluster.LocalCluster;
import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.testkit.InteractionProducer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Sends a control record (republish, retire, unretire) to the running job's interactions topic:
 * the topic from {@code --topic}, else from the options the job was last submitted with on the
 * local cluster, else the default; Kafka from {@code --kafka.bootstrap} or the local set-up.
 */
final class ControlRecords {
    private ControlRecords() {}

    /** Sends {@code record}; returns where it went ("topic on address"). Fails if the topic does not exist. */
    static String send(Path home, CommandArgs args, String record) {
        Optional<String> topicFlag = Optional.ofNullable(args.take("topic", null));
        Endpoints endpoints = Endpoints.of(home, Optional.ofNullable(args.take("state-dir", null)));
        Map<String, String> given = new LinkedHashMap<>(args.remainingOptions());
        Map<String, String> jobOptions = new LinkedHashMap<>();
        endpoints.localCluster().map(LocalCluster::lastJobOptions).ifPresent(jobOptions::putAll);
        jobOptions.putAll(given);
        String topic = topicFlag.orElse(StreamRecOptions.fromMap(jobOptions).get(StreamRecOptions.TOPIC_INTERACTIONS));

        Endpoints.Endpoint kafka = endpoints.kafka(given);
        Endpoints.announce(System.out, kafka);
        if (!Endpoints.topicExists(kafka, topic)) {
            throw new IllegalStateException("topic '" + topic + "' does not exist on Kafka at " + kafka.address()
                    + ": no job reads it (give --topic, or the job's --" + StreamRecOptions.TOPIC_INTERACTIONS.key() + ")");
        }
        InteractionProducer.produce(kafka.address(), topic, Stream.of(record));
        return topic + " on " + kafka.address();
    }
}
