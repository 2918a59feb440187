package io.streamrec.cli.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The REST client against a stub of the Flink REST API: requests it sends, answers it understands. */
class FlinkRestClientTest {

    private HttpServer server;
    private FlinkRestClient client;
    private final Map<String, String> requests = new ConcurrentHashMap<>();

    @BeforeEach
    void startStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.start();
        client = new FlinkRestClient("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stopStub() {
        server.stop(0);
    }

    private void answer(String path, int status, String body) {
        server.createContext(path, exchange -> reply(exchange, status, body));
    }

    private void reply(HttpExchange exchange, int status, String body) throws IOException {
        requests.put(exchange.getRequestMethod() + " " + exchange.getRequestURI(),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void uploadsJarAsMultipartAndReturnsItsId(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("job.jar");
        Files.write(jar, new byte[] {1, 2, 3, 'P', 'K'});
        answer("/jars/upload", 200, "{\"filename\":\"/tmp/flink-web/upload/abc_job.jar\",\"status\":\"success\"}");

        assertThat(client.uploadJar(jar)).isEqualTo("abc_job.jar");
        String body = requests.get("POST /jars/upload");
        assertThat(body).contains("name=\"jarfile\"; filename=\"job.jar\"", "application/x-java-archive",
                new String(new byte[] {1, 2, 3, 'P', 'K'}, StandardCharsets.ISO_8859_1));
    }

    @Test
    void runsJarWithArgumentsParallelismAndSavepoint() {
        answer("/jars/abc_job.jar/run", 200, "{\"jobid\":\"j1\"}");

        String job = client.runJar("abc_job.jar", "io.streamrec.job.StreamRecJob", List.of("--redis.prefix", "rec:"),
                4, "file:/sp/savepoint-1", false);

        assertThat(job).isEqualTo("j1");
        assertThat(requests.get("POST /jars/abc_job.jar/run"))
                .contains("\"entryClass\":\"io.streamrec.job.StreamRecJob\"", "\"programArgsList\":[\"--redis.prefix\",\"rec:\"]",
                        "\"parallelism\":4", "\"savepointPath\":\"file:/sp/savepoint-1\"", "\"allowNonRestoredState\":false");
    }

    @Test
    void stopWithSavepointPollsUntilTheSavepointCompletes() {
        answer("/jobs/j1/stop", 202, "{\"request-id\":\"t1\"}");
        AtomicInteger polls = new AtomicInteger();
        server.createContext("/jobs/j1/savepoints/t1", exchange -> reply(exchange, 200, polls.incrementAndGet() < 3
                ? "{\"status\":{\"id\":\"IN_PROGRESS\"}}"
                : "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":{\"location\":\"file:/sp/savepoint-j1\"}}"));

        assertThat(client.stopWithSavepoint("j1", null, false, Duration.ofSeconds(10))).isEqualTo("file:/sp/savepoint-j1");
        assertThat(polls).hasValue(3);
        assertThat(requests.get("POST /jobs/j1/stop")).isEqualTo("{\"drain\":false}");
    }

    @Test
    void failedSavepointReportsTheRootCause() {
        answer("/jobs/j1/savepoints", 202, "{\"request-id\":\"t2\"}");
        answer("/jobs/j1/savepoints/t2", 200, "{\"status\":{\"id\":\"COMPLETED\"},\"operation\":{\"failure-cause\":"
                + "{\"stack-trace\":\"java.util.concurrent.CompletionException: x\\n\\tat a.b(C.java:1)\\n"
                + "Caused by: org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint expired\\n\"}}}");

        assertThatThrownBy(() -> client.triggerSavepoint("j1", "file:/sp", Duration.ofSeconds(10)))
                .isInstanceOf(FlinkRestClient.FlinkRestException.class)
                .hasMessageContaining("savepoint of job j1 failed")
                .hasMessageContaining("CheckpointException: Checkpoint expired");
    }

    @Test
    void errorResponsesCarryFlinksMessageAndCause() {
        answer("/jars/x/run", 400, "{\"errors\":[\"org.apache.flink.runtime.rest.handler.RestHandlerException: "
                + "Could not execute application.\\n\\tat x.y(Z.java:1)\\nCaused by: java.lang.IllegalStateException: "
                + "Max parallelism mismatch\\n\\tat q.r(S.java:2)\\n\"]}");

        assertThatThrownBy(() -> client.runJar("x", null, List.of(), -1, null, false))
                .hasMessageContaining("returned 400")
                .hasMessageContaining("Could not execute application.")
                .hasMessageContaining("caused by: java.lang.IllegalStateException: Max parallelism mismatch");
    }

    @Test
    void cancelWaitsUntilTheJobIsCanceled() {
        AtomicInteger polls = new AtomicInteger();
        server.createContext("/jobs/j1", exchange -> {
            boolean patch = exchange.getRequestMethod().equals("PATCH");
            reply(exchange, patch ? 202 : 200, patch ? "{}"
                    : polls.incrementAndGet() < 3 ? "{\"state\":\"CANCELLING\"}" : "{\"state\":\"CANCELED\"}");
        });

        assertThat(client.cancelAndAwait("j1", Duration.ofSeconds(10))).isEqualTo("CANCELED");
        assertThat(polls).hasValue(3);
        assertThat(requests).containsKey("PATCH /jobs/j1?mode=cancel");
    }

    @Test
    void cancelThatDoesNotEndNamesTheState() {
        server.createContext("/jobs/j1", exchange -> reply(exchange, exchange.getRequestMethod().equals("PATCH") ? 202 : 200,
                exchange.getRequestMethod().equals("PATCH") ? "{}" : "{\"state\":\"CANCELLING\"}"));

        assertThatThrownBy(() -> client.cancelAndAwait("j1", Duration.ofMillis(300)))
                .isInstanceOf(FlinkRestClient.FlinkRestException.class)
                .hasMessage("job j1 still CANCELLING 0.3 s after the cancel");
    }

    @Test
    void activeJobsAreTheNotTerminalOnes() {
        answer("/jobs/overview", 200, "{\"jobs\":[{\"jid\":\"a\",\"state\":\"RUNNING\"},{\"jid\":\"b\",\"state\":\"FINISHED\"},"
                + "{\"jid\":\"c\",\"state\":\"RESTARTING\"},{\"jid\":\"d\",\"state\":\"CANCELED\"}]}");

        assertThat(client.activeJobs()).containsExactly("a", "c");
    }

    @Test
    void allTasksRunningNeedsEverySubtaskOfEveryVertex() {
        AtomicInteger calls = new AtomicInteger();
        server.createContext("/jobs/j1", exchange -> reply(exchange, 200, calls.incrementAndGet() == 1
                ? "{\"state\":\"RUNNING\",\"vertices\":[{\"parallelism\":2,\"tasks\":{\"RUNNING\":2}},"
                        + "{\"parallelism\":2,\"tasks\":{\"RUNNING\":1,\"INITIALIZING\":1}}]}"
                : "{\"state\":\"RUNNING\",\"vertices\":[{\"parallelism\":2,\"tasks\":{\"RUNNING\":2}},"
                        + "{\"parallelism\":2,\"tasks\":{\"RUNNING\":2}}]}"));

        assertThat(client.allTasksRunning("j1")).isFalse();
        assertThat(client.allTasksRunning("j1")).isTrue();
    }

    @Test
    void unreachableClusterIsNamed() {
        FlinkRestClient nowhere = new FlinkRestClient("http://127.0.0.1:1");
        assertThatThrownBy(nowhere::overview).hasMessageContaining("cannot reach Flink at http://127.0.0.1:1/");
        assertThat(nowhere.isReady(1, 1)).isFalse();
    }
}
