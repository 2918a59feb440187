package io.streamrec.evaluation.data;

import io.streamrec.testkit.Interaction;
import io.streamrec.testkit.InteractionGenerator;
import io.streamrec.testkit.MovieLensReader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A data set given as {@code movielens:PATH} ({@code u.data}, {@code ratings.csv},
 * {@code ratings.dat}) or {@code json:PATH} (JSON lines of the input contract), read into
 * interactions in timestamp order (stable: ties keep file order).
 */
public record Dataset(String spec, List<Interaction> events) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static Dataset load(String spec) {
        int colon = spec.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(
                    "--dataset must be movielens:PATH, json:PATH or generated:[key=value,...], got '" + spec + "'");
        }
        String kind = spec.substring(0, colon);
        if (kind.equals("generated")) {
            return generated(spec, spec.substring(colon + 1));
        }
        Path path = Path.of(spec.substring(colon + 1));
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("--dataset: no such file " + path);
        }
        switch (kind) {
            case "movielens":
                return new Dataset(spec, MovieLensReader.read(path));
            case "json":
                return new Dataset(spec, readJson(path));
            default:
                throw new IllegalArgumentException("--dataset must be movielens:PATH or json:PATH, got '" + spec + "'");
        }
    }

    /**
     * A synthetic stream from the testkit's {@link InteractionGenerator}: users with planted latent
     * tastes that drift, Zipf item popularity. Keys (all optional): {@code users} (1000),
     * {@code items} (500), {@code events} (100000), {@code days} of event time the stream spans
     * (60), {@code drift} of tastes per day (0.05), {@code seed} (42).
     */
    private static Dataset generated(String spec, String settings) {
        Map<String, String> values = new HashMap<>(Map.of(
                "users", "1000", "items", "500", "events", "100000", "days", "60", "drift", "0.05", "seed", "42"));
        for (String pair : settings.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            if (kv.length != 2 || !values.containsKey(kv[0].trim())) {
                throw new IllegalArgumentException("--dataset generated: unknown setting '" + pair
                        + "'; known: " + new TreeSet<>(values.keySet()));
            }
            values.put(kv[0].trim(), kv[1].trim());
        }
        int events = Integer.parseInt(values.get("events"));
        double days = Double.parseDouble(values.get("days"));
        InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(Integer.parseInt(values.get("users")))
                .items(Integer.parseInt(values.get("items")))
                .seed(Long.parseLong(values.get("seed")))
                .tasteDriftPerDay(Double.parseDouble(values.get("drift")))
                .eventsPerSecond(events / (days * 86_400.0))
                .startTimestampMillis(1_700_000_000_000L)
                .build());
        List<Interaction> out = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            out.add(generator.nextInteraction());
        }
        return new Dataset(spec, out);
    }

    private static List<Interaction> readJson(Path path) {
        List<Interaction> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                out.add(new Interaction(n.path("id").asText(), n.path("user").asText(), n.path("item").asText(),
                        n.path("type").asText("rating"), n.hasNonNull("value") ? n.get("value").asDouble() : null,
                        n.path("ts").asLong()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        out.sort(Comparator.comparingLong(Interaction::ts));
        return out;
    }

    /** The first {@code n} events (all when n ≤ 0). */
    public Dataset head(int n) {
        return n <= 0 || n >= events.size() ? this : new Dataset(spec + " (first " + n + ")", events.subList(0, n));
    }

    /**
     * The same events placed on the timeline the job's input validation accepts
     * ({@link PassTimeline} with one pass): a history that starts before {@code notBeforeMillis}
     * (MovieLens 100K is from 1997, the job accepts 2000 onwards by default) is moved forward by one
     * constant, and one that would run past {@code notAfterMillis} is compressed. Order is kept.
     */
    public Dataset placedBetween(long notBeforeMillis, long notAfterMillis) {
        if (events.isEmpty()) {
            return this;
        }
        PassTimeline timeline = PassTimeline.of(events.get(0).ts(), events.get(events.size() - 1).ts(), 1,
                notBeforeMillis, notAfterMillis);
        List<Interaction> placed = new ArrayList<>(events.size());
        for (Interaction e : events) {
            placed.add(new Interaction(e.id(), e.user(), e.item(), e.type(), e.value(), timeline.at(0, e.ts())));
        }
        return new Dataset(spec, placed);
    }

    /** Only ratings of at least {@code minValue} (non-rating events are kept). */
    public Dataset minRating(double minValue) {
        List<Interaction> kept = new ArrayList<>();
        for (Interaction e : events) {
            if (e.value() == null || !e.type().equals("rating") || e.value() >= minValue) {
                kept.add(e);
            }
        }
        return new Dataset(spec + " (rating >= " + minValue + ")", kept);
    }
}
