package io.streamrec.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A small client of the Flink 2.x REST API (the one the web UI and {@code flink} CLI use): jar
 * upload and run, stop-with-savepoint, savepoints, job, checkpoint and cluster overviews.
 *
 * <p>Asynchronous operations (savepoints) are triggered and then polled until they complete;
 * failures surface as {@link FlinkRestException} with the cluster's own message. Thread-safe: the
 * underlying {@link HttpClient} is, and the client holds no other mutable state.
 *
 * <p>Long (just over 400 lines) because it holds every REST call the commands make, each a thin
 * method over one endpoint, plus the asynchronous-operation polling they share.
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private final URI base;
    private final HttpClient http;

    public FlinkRestClient(String baseUrl) {
        String url = Objects.requireNonNull(baseUrl, "baseUrl");
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String baseUrl() {
        return base.toString();
    }

    // ------------------------------------------------------------------ cluster

    /** {@code GET /overview}: task managers, slots, jobs by state, Flink version. */
    public JsonNode overview() {
        return get("overview");
    }

    /** True when the REST endpoint answers and at least {@code taskManagers} with {@code slots} are registered. */
    public boolean isReady(int taskManagers, int slots) {
        try {
            JsonNode overview = overview();
            return overview.path("taskmanagers").asInt() >= taskManagers && overview.path("slots-total").asInt() >= slots;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    /** {@code GET /taskmanagers}. */
    public JsonNode taskManagers() {
        return get("taskmanagers");
    }

    // ------------------------------------------------------------------ jars and jobs

    /** Uploads a job jar ({@code POST /jars/upload}) and returns its id on the cluster. */
    public String uploadJar(Path jar) {
        String boundary = "streamrec-" + UUID.randomUUID();
        byte[] body;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(("--" + boundary + "\r\n"
                    + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                    + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(Files.readAllBytes(jar));
            out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            body = out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read job jar " + jar, e);
        }
        JsonNode response = send(HttpRequest.newBuilder(base.resolve("jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        String file = response.path("filename").asText();
        if (file.isEmpty()) {
            throw new FlinkRestException("jar upload returned no file name: " + response);
        }
        return Path.of(file).getFileName().toString();
    }

    /**
     * Runs an uploaded jar ({@code POST /jars/:id/run}) and returns the job id.
     *
     * @param parallelism   default parallelism of the job, or -1 for the cluster's
     * @param savepointPath savepoint or retained checkpoint to restore, or null for a fresh start
     */
    public String runJar(String jarId, String entryClass, List<String> programArgs, int parallelism,
                         String savepointPath, boolean allowNonRestoredState) {
        ObjectNode request = JSON.createObjectNode();
        if (entryClass != null) {
            request.put("entryClass", entryClass);
        }
        ArrayNode args = request.putArray("programArgsList");
        programArgs.forEach(args::add);
        if (parallelism > 0) {
            request.put("parallelism", parallelism);
        }
        if (savepointPath != null) {
            request.put("savepointPath", savepointPath);
            request.put("allowNonRestoredState", allowNonRestoredState);
        }
        JsonNode response = post("jars/" + jarId + "/run", request);
        String job = response.path("jobid").asText();
        if (job.isEmpty()) {
            throw new FlinkRestException("run returned no job id: " + response);
        }
        return job;
    }

    /** {@code GET /jobs/overview}: every job the cluster knows, with its state. */
    public JsonNode jobsOverview() {
        return get("jobs/overview");
    }

    /** Ids of the jobs in state RUNNING (or restarting, created, ...: anything not terminal). */
    public List<String> activeJobs() {
        List<String> ids = new ArrayList<>();
        for (JsonNode job : jobsOverview().path("jobs")) {
            String state = job.path("state").asText();
            if (!List.of("FINISHED", "CANCELED", "FAILED").contains(state)) {
                ids.add(job.path("jid").asText());
            }
        }
        return ids;
    }

    /** {@code GET /jobs/:id}: state, vertices with their status and parallelism. */
    public JsonNode job(String jobId) {
        return get("jobs/" + jobId);
    }

    public String jobState(String jobId) {
        return job(jobId).path("state").asText();
    }

    /** True when the job is RUNNING and so is every subtask of every vertex. */
    public boolean allTasksRunning(String jobId) {
        JsonNode job = job(jobId);
        if (!job.path("state").asText().equals("RUNNING")) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            JsonNode tasks = vertex.path("tasks");
            if (tasks.path("RUNNING").asInt() != vertex.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** {@code GET /jobs/:id/vertices/:vertex}: subtasks with their TaskManager ids. */
    public JsonNode vertex(String jobId, String vertexId) {
        return get("jobs/" + jobId + "/vertices/" + vertexId);
    }

    /**
     * Sum over all subtasks of the vertex of every operator metric whose name ends with
     * {@code suffix} (e.g. {@code .pendingRecords} of a source), or -1 if no such metric is
     * reported (yet).
     */
    public long vertexMetricSum(String jobId, String vertexId, String suffix) {
        String path = "jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics";
        List<String> ids = new ArrayList<>();
        for (JsonNode metric : get(path)) {
            String id = metric.path("id").asText();
            if (id.endsWith(suffix)) {
                ids.add(id);
            }
        }
        if (ids.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (JsonNode metric : get(path + "?agg=sum&get=" + java.net.URLEncoder.encode(String.join(",", ids),
                StandardCharsets.UTF_8))) {
            sum += metric.path("sum").asLong();
        }
        return sum;
    }

    /**
     * For every metric of the vertex whose id the filter accepts (ids look like
     * {@code Parse_+_validate.reason.not_json.rejected}), its sum over all subtasks.
     */
    public java.util.Map<String, Double> vertexMetricSums(String jobId, String vertexId,
                                                          java.util.function.Predicate<String> filter) {
        String path = "jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics";
        List<String> ids = new ArrayList<>();
        for (JsonNode metric : get(path)) {
            String id = metric.path("id").asText();
            if (filter.test(id)) {
                ids.add(id);
            }
        }
        java.util.Map<String, Double> sums = new java.util.TreeMap<>();
        for (int from = 0; from < ids.size(); from += 40) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 40));
            for (JsonNode metric : get(path + "?agg=sum&get=" + java.net.URLEncoder.encode(String.join(",", chunk),
                    StandardCharsets.UTF_8))) {
                sums.put(metric.path("id").asText(), metric.path("sum").asDouble());
            }
        }
        return sums;
    }

    /** A job-level metric ({@code GET /jobs/:id/metrics?get=NAME}, e.g. {@code numRestarts}); -1 if not reported. */
    public long jobMetric(String jobId, String name) {
        JsonNode metric = get("jobs/" + jobId + "/metrics?get=" + name).path(0);
        return name.equals(metric.path("id").asText()) ? metric.path("value").asLong(-1) : -1;
    }

    /** {@code GET /jobs/:id/checkpoints}: counts, latest completed / restored, summary. */
    public JsonNode checkpoints(String jobId) {
        return get("jobs/" + jobId + "/checkpoints");
    }

    /** {@code GET /jobs/:id/exceptions}: the exception history (failovers). */
    public JsonNode exceptions(String jobId) {
        return get("jobs/" + jobId + "/exceptions");
    }

    /**
     * Asks for a cancel without a savepoint ({@code PATCH /jobs/:id?mode=cancel}) and returns at
     * once: the job is CANCELLING, still holding its slots, its consumer group and its Redis prefix.
     */
    public void cancel(String jobId) {
        send(HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /**
     * Cancels the job and waits until it has ended: returns its final state (CANCELED, or FINISHED
     * or FAILED if it ended first); fails naming the state it is still in after {@code timeout}.
     */
    public String cancelAndAwait(String jobId, Duration timeout) {
        cancel(jobId);
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = jobState(jobId);
        while (!List.of("CANCELED", "FINISHED", "FAILED").contains(state)) {
            if (System.nanoTime() > deadline) {
                throw new FlinkRestException(String.format("job %s still %s %.1f s after the cancel", jobId, state,
                        timeout.toMillis() / 1000.0));
            }
            sleep(POLL_INTERVAL);
            state = jobState(jobId);
        }
        return state;
    }

    // ------------------------------------------------------------------ savepoints

    /**
     * Stops the job with a savepoint ({@code POST /jobs/:id/stop}): sources stop, a final
     * synchronous savepoint is taken and committed (Kafka transactions and Redis writes included),
     * then the job finishes. Returns the savepoint's path.
     *
     * @param targetDirectory null for the cluster's {@code execution.checkpointing.savepoint-dir}
     * @param drain           true to emit MAX_WATERMARK first (ends event-time windows); StreamRec
     *                        does not need it and a resumed job should not get it
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, boolean drain, Duration timeout) {
        ObjectNode request = JSON.createObjectNode();
        if (targetDirectory != null) {
            request.put("targetDirectory", targetDirectory);
        }
        request.put("drain", drain);
        String trigger = post("jobs/" + jobId + "/stop", request).path("request-id").asText();
        return awaitSavepoint(jobId, trigger, timeout);
    }

    /** Takes a savepoint of a running job ({@code POST /jobs/:id/savepoints}); returns its path. */
    public String triggerSavepoint(String jobId, String targetDirectory, Duration timeout) {
        ObjectNode request = JSON.createObjectNode();
        if (targetDirectory != null) {
            request.put("target-directory", targetDirectory);
        }
        request.put("cancel-job", false);
        String trigger = post("jobs/" + jobId + "/savepoints", request).path("request-id").asText();
        return awaitSavepoint(jobId, trigger, timeout);
    }

    private String awaitSavepoint(String jobId, String triggerId, Duration timeout) {
        if (triggerId.isEmpty()) {
            throw new FlinkRestException("savepoint of job " + jobId + " was not triggered");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("jobs/" + jobId + "/savepoints/" + triggerId);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.hasNonNull("location")) {
                    return operation.get("location").asText();
                }
                throw new FlinkRestException("savepoint of job " + jobId + " failed: "
                        + rootCause(operation.path("failure-cause")));
            }
            sleep(POLL_INTERVAL);
        }
        throw new FlinkRestException("savepoint of job " + jobId + " did not complete within " + timeout);
    }

    /** The first line of a stack trace and, if there is one, its last "Caused by", which users can act on. */
    private static String rootCause(JsonNode failure) {
        String trace = failure.isTextual() ? failure.asText() : failure.path("stack-trace").asText(failure.toString());
        String first = trace.lines().findFirst().orElse(trace);
        String cause = null;
        for (String line : trace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length());
            }
        }
        return cause == null || cause.equals(first) ? first : first + " -- caused by: " + cause;
    }

    // ------------------------------------------------------------------ HTTP

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    private JsonNode post(String path, JsonNode body) {
        try {
            return send(HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        HttpRequest built = request.timeout(REQUEST_TIMEOUT).build();
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FlinkRestException("cannot reach Flink at " + base + " (" + built.method() + " "
                    + built.uri().getPath() + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRestException("interrupted", e);
        }
        JsonNode body;
        try {
            body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            body = JSON.createObjectNode().put("body", response.body());
        }
        if (response.statusCode() >= 300) {
            throw new FlinkRestException(built.method() + " " + built.uri().getPath() + " returned "
                    + response.statusCode() + ": " + errors(body));
        }
        return body;
    }

    private static String errors(JsonNode body) {
        JsonNode errors = body.path("errors");
        if (!errors.isArray() || errors.isEmpty()) {
            return body.toString();
        }
        List<String> messages = new ArrayList<>();
        for (JsonNode e : errors) {
            // Flink puts a whole stack trace into one error string: its first line and its root cause
            messages.add(rootCause(e));
        }
        return String.join("; ", messages);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRestException("interrupted", e);
        }
    }

    /** A REST call failed or a cluster-side operation failed; the message says which and why. */
    public static final class FlinkRestException extends RuntimeException {
        FlinkRestException(String message) {
            super(message);
        }

        FlinkRestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
