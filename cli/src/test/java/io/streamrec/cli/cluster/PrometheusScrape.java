package io.streamrec.cli.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of Prometheus text-format scrapes (what Flink's Prometheus reporter serves at
 * {@code /metrics}): enough of the format for tests, i.e. {@code name{label="value",...} number}
 * lines; comments, {@code # TYPE} and {@code # HELP} lines are skipped.
 */
final class PrometheusScrape {

    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)(\\s+\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final List<Sample> samples;

    private PrometheusScrape(List<Sample> samples) {
        this.samples = samples;
    }

    /** Scrapes every endpoint and merges their samples. */
    static PrometheusScrape of(Collection<String> endpoints) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<Sample> all = new ArrayList<>();
        for (String endpoint : endpoints) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(endpoint))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException(endpoint + " answered " + response.statusCode());
            }
            all.addAll(parse(response.body()));
        }
        return new PrometheusScrape(all);
    }

    /** {@link #of}, for use in conditions: I/O failures unchecked. */
    static PrometheusScrape ofUnchecked(Collection<String> endpoints) {
        try {
            return of(endpoints);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<Sample> parse(String text) {
        List<Sample> parsed = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            parsed.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return parsed;
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    List<Sample> samples(String name, Predicate<Sample> filter) {
        return samples(name).stream().filter(filter).toList();
    }

    /** The sum over all series of a metric (e.g. a counter over all subtasks); fails if there is none. */
    double sum(String name) {
        List<Sample> series = samples(name);
        if (series.isEmpty()) {
            throw new AssertionError("no metric " + name + " in the scrape; StreamRec's: " + names().stream()
                    .filter(n -> n.startsWith("flink_taskmanager_job_task_operator_")).toList());
        }
        return series.stream().mapToDouble(Sample::value).sum();
    }

    /** Label names seen on a metric. */
    Set<String> labels(String name) {
        Set<String> labels = new TreeSet<>();
        samples(name).forEach(s -> labels.addAll(s.labels().keySet()));
        return labels;
    }
}
