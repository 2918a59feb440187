package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.cli.cluster.LocalCluster;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.operators.input.InteractionParser;
import io.streamrec.operators.input.ItemMetadataParser;
import io.streamrec.operators.input.RejectReason;
import io.streamrec.operators.input.RejectionTally;
import io.streamrec.operators.input.ValidationRules;
import io.streamrec.testkit.Interaction;
import io.streamrec.testkit.InteractionProducer;
import io.streamrec.testkit.MovieLensReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code bin/streamrec produce --file PATH --format movielens|json|items}: loads a file into the
 * interactions topic of the running local cluster (or {@code --kafka.bootstrap}); {@code --format
 * items} loads item metadata (one JSON record a line) into the item topic instead.
 *
 * <p>Before sending, every record is checked against the rules the job applies: those of the job
 * options given here, on top of the options the running job was submitted with (remembered by
 * {@code bin/streamrec submit}). What the job would reject is reported per reason with an example;
 * if it would reject every record, nothing is sent unless {@code --force}. MovieLens ratings are
 * from the 1990s, before the job's default {@code input.min-timestamp}: {@code --shift-timestamps}
 * moves them so the newest is now, keeping their order and spacing.
 */
final class ProduceCommand {
    private ProduceCommand() {}

    static int run(Path home, CommandArgs args) {
        String file = args.take("file", null);
        if (file == null) {
            throw new IllegalArgumentException("--file PATH is required");
        }
        String format = args.take("format", "json");
        if (!format.equals("json") && !format.equals("movielens") && !format.equals("items")) {
            throw new IllegalArgumentException("--format must be movielens, json or items, got '" + format + "'");
        }
        boolean shift = Boolean.parseBoolean(args.take("shift-timestamps", "false"));
        if (shift && !format.equals("movielens")) {
            throw new IllegalArgumentException("--shift-timestamps applies to --format movielens only");
        }
        boolean force = Boolean.parseBoolean(args.take("force", "false"));
        Optional<String> topicFlag = Optional.ofNullable(args.take("topic", null));
        Endpoints endpoints = Endpoints.of(home, Optional.ofNullable(args.take("state-dir", null)));

        // the rules of the running job, overridden by the options given here; unknown options fail now
        Map<String, String> given = new LinkedHashMap<>(args.remainingOptions());
        StreamRecOptions.fromMap(given);
        Map<String, String> jobOptions = new LinkedHashMap<>();
        Optional<LocalCluster> cluster = endpoints.localCluster();
        cluster.ifPresent(c -> jobOptions.putAll(c.lastJobOptions()));
        boolean fromJob = !jobOptions.isEmpty();
        jobOptions.putAll(given);
        StreamRecOptions options = StreamRecOptions.fromMap(jobOptions);
        ValidationRules rules = options.validationRules();
        boolean items = format.equals("items");
        String topic = topicFlag.orElse(options.get(items ? StreamRecOptions.TOPIC_ITEMS : StreamRecOptions.TOPIC_INTERACTIONS));

        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file: " + path.toAbsolutePath().normalize());
        }
        List<String> records = read(path, items ? "json" : format, shift);

        RejectionTally tally = items ? checkItems(records, rules, System.currentTimeMillis())
                : check(records, rules, System.currentTimeMillis());
        boolean rulesGiven = given.keySet().stream().anyMatch(k -> k.startsWith("input."));
        System.out.printf("checked %,d records against the job's rules (%s): %,d would be rejected%n",
                tally.total(), fromJob ? "options of job " + cluster.get().lastJobOptionsOf().orElse("?")
                        + (rulesGiven ? " and those given here" : "") : rulesGiven ? "options given here" : "defaults",
                tally.rejected());
        if (tally.rejected() > 0) {
            System.out.print("warning: the job would send these to its dead-letter topic:\n" + tally.describe("  "));
            if (tally.count(RejectReason.TIMESTAMP_OUT_OF_RANGE) > 0) {
                System.out.println(timestampHint(records, rules, format, shift));
            }
            if (tally.rejected() == tally.total() && !force) {
                throw new IllegalStateException("not sending: the job would reject every record (--force sends anyway)");
            }
        }

        Endpoints.Endpoint kafka = endpoints.kafka(given);
        Endpoints.announce(System.out, kafka);
        if (Endpoints.ensureTopic(kafka, topic, 4)) {
            System.out.println("created topic " + topic + " (4 partitions)");
        }
        long sent;
        try (InteractionProducer producer = new InteractionProducer(kafka.address())) {
            sent = producer.send(topic, records.stream());
        }
        System.out.printf("sent %,d records from %s to %s on %s%n", sent, path, topic, kafka.address());
        return 0;
    }

    private static List<String> read(Path path, String format, boolean shift) {
        if (format.equals("json")) {
            try (Stream<String> lines = Files.lines(path)) {
                return lines.filter(l -> !l.isBlank()).collect(Collectors.toList());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
        List<Interaction> ratings = MovieLensReader.read(path);
        if (shift && !ratings.isEmpty()) {
            long delta = shiftToNow(ratings, System.currentTimeMillis());
            System.out.printf("moved the %,d ratings' timestamps by %.1f days: they now end now, order and spacing kept%n",
                    ratings.size(), delta / 86_400_000.0);
            ratings = ratings.stream().map(r -> new Interaction(r.id(), r.user(), r.item(), r.type(), r.value(), r.ts() + delta))
                    .collect(Collectors.toList());
        }
        return ratings.stream().map(Interaction::toJson).collect(Collectors.toList());
    }

    /** The shift that moves the newest of the (time-ordered) ratings to {@code now}. */
    static long shiftToNow(List<Interaction> ratings, long now) {
        return now - ratings.get(ratings.size() - 1).ts();
    }

    /** Checks each record as the job's validator would at {@code now}. */
    static RejectionTally check(List<String> records, ValidationRules rules, long now) {
        InteractionParser parser = new InteractionParser(rules);
        RejectionTally tally = new RejectionTally();
        for (String record : records) {
            tally.add(parser.parse(record, now), record);
        }
        return tally;
    }

    /** Checks each item-metadata record as the job's item validator would at {@code now}. */
    static RejectionTally checkItems(List<String> records, ValidationRules rules, long now) {
        ItemMetadataParser parser = new ItemMetadataParser(rules);
        RejectionTally tally = new RejectionTally();
        for (String record : records) {
            ItemMetadataParser.Result result = parser.parse(record, now);
            tally.add(result.reason(), result.detail(), record);
        }
        return tally;
    }

    private static String timestampHint(List<String> records, ValidationRules rules, String format, boolean shifted) {
        String min = Instant.ofEpochMilli(rules.minTimestamp()).atOffset(ZoneOffset.UTC).toLocalDate().toString();
        if (format.equals("movielens") && !shifted) {
            return "  The job accepts event times from " + min + " (input.min-timestamp " + rules.minTimestamp() + ")."
                    + " MovieLens is older. Either add --shift-timestamps (moves the ratings so the newest is now,"
                    + " order and spacing kept), or submit the job with --input.min-timestamp 0 and give the same"
                    + " option to produce.";
        }
        return "  The job accepts event times from " + min + " (input.min-timestamp " + rules.minTimestamp()
                + ") to one day ahead of now; lower --input.min-timestamp (on submit and here) for older history.";
    }
}
