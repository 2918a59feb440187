package io.streamrec.cli.evaluation;

import io.streamrec.testkit.Interaction;
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
import java.util.List;

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
            throw new IllegalArgumentException("--dataset must be movielens:PATH or json:PATH, got '" + spec + "'");
        }
        String kind = spec.substring(0, colon);
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
     * The same events with every timestamp moved by one constant so that the first is at
     * {@code startMillis} when it lies before {@code notBeforeMillis}: order and spacing are kept.
     * The job's input validation rejects timestamps before 2000 (MovieLens 100k is from 1997).
     */
    public Dataset shiftedIfBefore(long notBeforeMillis, long startMillis) {
        if (events.isEmpty() || events.get(0).ts() >= notBeforeMillis) {
            return this;
        }
        long offset = startMillis - events.get(0).ts();
        List<Interaction> shifted = new ArrayList<>(events.size());
        for (Interaction e : events) {
            shifted.add(new Interaction(e.id(), e.user(), e.item(), e.type(), e.value(), e.ts() + offset));
        }
        return new Dataset(spec, shifted);
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
