package io.streamrec.cli.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A headless Chromium driven through {@code chromedriver}'s W3C WebDriver protocol (JSON over
 * HTTP), so a test can type, click and read a page the way a user does, without a Selenium
 * dependency. Debian: {@code apt-get install chromium chromium-driver}.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String session;

    /** The chromium and chromedriver executables, if both are installed. */
    static Optional<Path[]> installed() {
        Optional<Path> chromium = onPath("chromium").or(() -> onPath("chromium-browser"));
        Optional<Path> driver = onPath("chromedriver");
        return chromium.isPresent() && driver.isPresent()
                ? Optional.of(new Path[] {chromium.get(), driver.get()}) : Optional.empty();
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    HeadlessChromium(Path chromium, Path chromedriver, int width, int height) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        driver = new ProcessBuilder(chromedriver.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (call("GET", "/status", null).path("value").path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException notYet) {
                // chromedriver is still starting
            }
            if (System.nanoTime() > deadline) {
                driver.destroyForcibly();
                throw new IllegalStateException("chromedriver did not start on port " + port);
            }
            Thread.sleep(100);
        }
        ObjectNode capabilities = JSON.createObjectNode();
        ObjectNode always = capabilities.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode options = always.putObject("goog:chromeOptions");
        options.put("binary", chromium.toString());
        options.set("args", JSON.valueToTree(List.of("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=" + width + "," + height, "--hide-scrollbars")));
        JsonNode created = call("POST", "/session", capabilities);
        session = created.path("value").path("sessionId").asText();
        if (session.isEmpty()) {
            driver.destroyForcibly();
            throw new IllegalStateException("chromedriver did not start a session: " + created);
        }
    }

    void open(String url) throws Exception {
        command("POST", "/url", JSON.createObjectNode().put("url", url));
    }

    /** Types into the element (real key events, as a user would). */
    void type(String css, String text) throws Exception {
        String element = find(css);
        command("POST", "/element/" + element + "/clear", JSON.createObjectNode());
        command("POST", "/element/" + element + "/value", JSON.createObjectNode().put("text", text));
    }

    void click(String css) throws Exception {
        command("POST", "/element/" + find(css) + "/click", JSON.createObjectNode());
    }

    /** The rendered text of the first element matching {@code css}. */
    String text(String css) throws Exception {
        return command("GET", "/element/" + find(css) + "/text", null).asText();
    }

    /** Runs JavaScript in the page and returns its result. */
    JsonNode script(String script) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return command("POST", "/execute/sync", body);
    }

    /** Waits until {@code script}'s result satisfies {@code condition}, and returns it. */
    JsonNode await(String script, Predicate<JsonNode> condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = script(script);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last: " + last);
    }

    void screenshot(Path file) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(command("GET", "/screenshot", null).asText()));
    }

    private String find(String css) throws Exception {
        JsonNode element = command("POST", "/element",
                JSON.createObjectNode().put("using", "css selector").put("value", css));
        return element.path(ELEMENT).asText();
    }

    private JsonNode command(String method, String path, JsonNode body) throws Exception {
        JsonNode answer = call(method, "/session/" + session + path, body);
        JsonNode value = answer.path("value");
        if (value.has("error")) {
            throw new IllegalStateException(method + " " + path + ": " + value.path("error").asText() + ": "
                    + value.path("message").asText());
        }
        return value;
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return JSON.readTree(http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (Exception ignored) {
            // the driver is stopped below anyway
        } finally {
            driver.destroy();
        }
    }
}
