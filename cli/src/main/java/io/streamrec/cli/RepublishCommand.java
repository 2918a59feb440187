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
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code bin/streamrec republish}: asks the running job to write every list it keeps state for to
 * Redis again — every user's list, the popular list and the item meta — for example after Redis lost
 * its data (a restart without persistence, {@code FLUSHALL}). It sends one control record to the
 * interactions topic; the job does the rest without restarting (docs/OPERATIONS.md, "Redis lost its
 * data").
 */
public final class RepublishCommand {
    private RepublishCommand() {}

    /** The control record; {@code id} names the request (the job acts once per id). */
    public static String record(String id, long ts) {
        return "{\"id\":\"" + id + "\",\"type\":\"republish\",\"ts\":" + ts + "}";
    }

    static int run(Path home, CommandArgs args) {
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
        String id = "republish-" + UUID.randomUUID();
        InteractionProducer.produce(kafka.address(), topic, Stream.of(record(id, System.currentTimeMillis())));
        System.out.printf("sent republish request %s to %s on %s%n", id, topic, kafka.address());
        System.out.println("every list is written again after the job's next two checkpoints and the scoring of all"
                + " users (spread by the refresh pacer); `bin/streamrec status` shows lists emitted");
        return 0;
    }
}
