package io.streamrec.cli;

import io.streamrec.job.StreamRecOptions;
import io.streamrec.testkit.InteractionProducer;
import io.streamrec.testkit.MovieLensReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** {@code bin/streamrec produce --file PATH --format movielens|json}: loads a file into the topic. */
final class ProduceCommand {
    private ProduceCommand() {}

    static int run(CliArgs args) throws Exception {
        String file = args.take("file", null);
        if (file == null) {
            throw new IllegalArgumentException("--file PATH is required");
        }
        String format = args.take("format", "json");
        String bootstrap = args.take(StreamRecOptions.KAFKA_BOOTSTRAP.key(), StreamRecOptions.KAFKA_BOOTSTRAP.defaultValue());
        String topic = args.take("topic", StreamRecOptions.TOPIC_INTERACTIONS.defaultValue());
        args.rejectUnknown(Set.of());
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file: " + path);
        }
        long sent;
        switch (format) {
            case "movielens":
                List<String> records = MovieLensReader.readJson(path);
                sent = InteractionProducer.produce(bootstrap, topic, records.stream());
                break;
            case "json":
                try (Stream<String> lines = Files.lines(path)) {
                    sent = InteractionProducer.produce(bootstrap, topic, lines.filter(l -> !l.isBlank()));
                }
                break;
            default:
                throw new IllegalArgumentException("--format must be movielens or json, got '" + format + "'");
        }
        System.out.printf("sent %d records from %s to %s on %s%n", sent, path, topic, bootstrap);
        return 0;
    }
}
