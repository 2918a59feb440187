package io.streamrec.cli.ui;

import io.streamrec.cli.cluster.FlinkRestClient;
import io.streamrec.cli.compare.ActivePrefix;
import io.streamrec.sinks.redis.Recommendations;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.RedisRecommendations;
import io.streamrec.sinks.redis.internal.RedisUrl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.resps.Tuple;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/streamrec ui}: a small web page over what StreamRec writes to Redis and what Flink's
 * REST API says about the job. Read-only; it never writes to Redis or changes the job.
 *
 * <p>The page ({@code index.html}, plain HTML and JavaScript) calls a JSON API:
 * <ul>
 *   <li>{@code /api/user?id=U}: U's list with scores and meta ({@code version}, {@code updated},
 *       {@code interactions}, {@code eventTs}), or the popular list when U has none;</li>
 *   <li>{@code /api/popular}: the popular list;</li>
 *   <li>{@code /api/item?id=I}: I's stats ({@code interactions}, {@code bias}, {@code lastTs});</li>
 *   <li>{@code /api/quality}: the live quality figures ({@code _metrics}) and their history since
 *       the page server started (it reads them every {@code pollInterval}; Redis keeps only the
 *       newest);</li>
 *   <li>{@code /api/job}: the jobs the Flink cluster knows, with the newest one's checkpoints.</li>
 * </ul>
 * Thread-safety: requests run on a small pool; Redis access goes through a connection pool.
 */
public final class RecommendationsPage implements AutoCloseable {

    /** Quality samples kept: an hour at the default poll interval. */
    static final int HISTORY = 1800;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIST_LIMIT = 100;

    /** The configured prefix; what the page reads is the active one under it ({@link #prefix()}). */
    private final String basePrefix;
    private final String redisUrl;
    private final String restUrl;
    /** A reader per prefix the alias has named so far. */
    private final Map<String, RedisRecommendations> lists = new ConcurrentHashMap<>();
    private final JedisPool redis;
    private final FlinkRestClient rest;
    private final HttpServer server;
    private final ScheduledExecutorService poller;
    private final Deque<ObjectNode> history = new ArrayDeque<>();
    private long lastSampleUpdated = Long.MIN_VALUE;

    private RecommendationsPage(String redisUrl, String prefix, String restUrl, HttpServer server, Duration pollInterval) {
        this.basePrefix = prefix;
        this.redisUrl = redisUrl;
        this.restUrl = restUrl;
        RedisUrl url = RedisUrl.parse(redisUrl);
        this.redis = new JedisPool(url.hostAndPort(), url.clientConfig(Duration.ofSeconds(5), "streamrec-ui"));
        this.rest = new FlinkRestClient(restUrl);
        this.server = server;
        server.createContext("/", this::page);
        server.createContext("/api/user", exchange -> api(exchange, () -> user(param(exchange, "id"))));
        server.createContext("/api/popular", exchange -> api(exchange, this::popular));
        server.createContext("/api/item", exchange -> api(exchange, () -> item(param(exchange, "id"))));
        server.createContext("/api/quality", exchange -> api(exchange, this::quality));
        server.createContext("/api/job", exchange -> api(exchange, this::job));
        server.setExecutor(Executors.newFixedThreadPool(4, daemon("streamrec-ui-http")));
        this.poller = Executors.newSingleThreadScheduledExecutor(daemon("streamrec-ui-poll"));
        poller.scheduleWithFixedDelay(this::sampleQuality, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts serving on {@code host:port} (0: a free port).
     *
     * @param restUrl the Flink REST API, e.g. {@code http://localhost:8081}
     */
    public static RecommendationsPage start(String host, int port, String redisUrl, String prefix, String restUrl,
                                            Duration pollInterval) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            RecommendationsPage page = new RecommendationsPage(redisUrl, prefix, restUrl, server, pollInterval);
            server.start();
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://localhost:" + port() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
        poller.shutdownNow();
        lists.values().forEach(RedisRecommendations::close);
        redis.close();
    }

    // ------------------------------------------------------------------ API

    /**
     * The prefix applications read now: the one {@code bin/streamrec promote} named in the alias
     * {@code {base}_active}, else the configured one; looked up on every request, so a promotion
     * shows at once.
     */
    String prefix() {
        try (Jedis jedis = redis.getResource()) {
            return ActivePrefix.resolve(jedis, basePrefix);
        }
    }

    private RedisRecommendations lists() {
        return lists.computeIfAbsent(prefix(), p -> RedisRecommendations.connect(redisUrl, p));
    }

    ObjectNode user(String user) {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("give a user: /api/user?id=u42");
        }
        Recommendations recs = lists().forUser(user.trim(), LIST_LIMIT);
        ObjectNode out = JSON.createObjectNode();
        out.put("user", user.trim());
        out.put("hasList", !recs.popularFallback());
        out.set("list", list(recs));
        // version, updated, interactions, eventTs (of the popular list when the user has none)
        out.set("meta", JSON.valueToTree(new TreeMap<>(recs.meta())));
        return out;
    }

    ObjectNode popular() {
        Recommendations recs = lists().popular(LIST_LIMIT);
        ObjectNode out = JSON.createObjectNode();
        out.set("list", list(recs));
        out.set("meta", JSON.valueToTree(new TreeMap<>(recs.meta())));
        return out;
    }

    ObjectNode item(String item) {
        if (item == null || item.isBlank()) {
            throw new IllegalArgumentException("give an item: /api/item?id=i7");
        }
        Map<String, String> meta;
        try (Jedis jedis = redis.getResource()) {
            meta = jedis.hgetAll(RedisKeys.meta(RedisKeys.item(ActivePrefix.resolve(jedis, basePrefix), item.trim())));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("item", item.trim());
        out.put("known", !meta.isEmpty());
        out.set("meta", JSON.valueToTree(new TreeMap<>(meta)));
        out.set("similar", list(lists().similarTo(item.trim(), LIST_LIMIT)));
        return out;
    }

    ObjectNode quality() {
        ObjectNode out = JSON.createObjectNode();
        out.set("current", currentQuality());
        ArrayNode samples = out.putArray("history");
        synchronized (history) {
            history.forEach(samples::add);
        }
        return out;
    }

    ObjectNode job() {
        ObjectNode out = JSON.createObjectNode();
        out.put("rest", restUrl);
        out.put("redis", redisUrl);
        out.put("prefix", prefix());
        out.put("basePrefix", basePrefix);
        try {
            JsonNode jobs = rest.jobsOverview().path("jobs");
            ArrayNode list = out.putArray("jobs");
            JsonNode newest = null;
            for (JsonNode job : jobs) {
                ObjectNode j = list.addObject();
                j.put("id", job.path("jid").asText());
                j.put("name", job.path("name").asText());
                j.put("state", job.path("state").asText());
                j.put("startTime", job.path("start-time").asLong());
                j.put("durationMs", job.path("duration").asLong());
                boolean running = job.path("state").asText().equals("RUNNING");
                if (newest == null || (running && !newest.path("state").asText().equals("RUNNING"))
                        || (running == newest.path("state").asText().equals("RUNNING")
                        && job.path("start-time").asLong() > newest.path("start-time").asLong())) {
                    newest = job;
                }
            }
            out.put("reachable", true);
            if (newest != null) {
                JsonNode checkpoints = rest.checkpoints(newest.path("jid").asText());
                JsonNode latest = checkpoints.path("latest").path("completed");
                ObjectNode c = out.putObject("checkpoints");
                c.put("jobId", newest.path("jid").asText());
                c.put("completed", checkpoints.path("counts").path("completed").asLong());
                c.put("failed", checkpoints.path("counts").path("failed").asLong());
                if (!latest.isMissingNode() && !latest.isNull()) {
                    c.put("latestId", latest.path("id").asLong());
                    c.put("latestBytes", latest.path("checkpointed_size").asLong(latest.path("state_size").asLong()));
                    c.put("latestDurationMs", latest.path("end_to_end_duration").asLong());
                    c.put("latestAt", latest.path("latest_ack_timestamp").asLong());
                }
            }
        } catch (RuntimeException e) {
            out.put("reachable", false);
            out.put("error", e.getMessage());
        }
        return out;
    }

    private ObjectNode currentQuality() {
        List<Tuple> figures;
        Map<String, String> meta;
        String prefix;
        try (Jedis jedis = redis.getResource()) {
            prefix = ActivePrefix.resolve(jedis, basePrefix);
            figures = jedis.zrangeWithScores(RedisKeys.metrics(prefix), 0, -1);
            meta = jedis.hgetAll(RedisKeys.meta(RedisKeys.metrics(prefix)));
        }
        ObjectNode out = JSON.createObjectNode();
        ObjectNode values = out.putObject("figures");
        for (Tuple t : figures) {
            values.put(t.getElement(), t.getScore());
        }
        String updated = meta.get("updated");
        out.put("updated", updated == null ? -1 : Long.parseLong(updated));
        out.put("prefix", prefix);
        return out;
    }

    /** Keeps one history sample per new version of the quality figures. */
    private void sampleQuality() {
        try {
            ObjectNode current = currentQuality();
            long updated = current.path("updated").asLong();
            if (updated < 0 || updated == lastSampleUpdated) {
                return;
            }
            lastSampleUpdated = updated;
            synchronized (history) {
                history.addLast(current);
                while (history.size() > HISTORY) {
                    history.removeFirst();
                }
            }
        } catch (RuntimeException e) {
            // Redis unreachable for a moment: the next poll tries again; the page shows the error
        }
    }

    private static ArrayNode list(Recommendations recs) {
        ObjectNode holder = JSON.createObjectNode();
        ArrayNode items = holder.putArray("items");
        for (Recommendations.ScoredItem item : recs.items()) {
            items.addObject().put("item", item.item()).put("score", item.score());
        }
        return items;
    }

    // ------------------------------------------------------------------ HTTP

    private interface Answer {
        ObjectNode get() throws Exception;
    }

    private void api(HttpExchange exchange, Answer answer) throws IOException {
        int status = 200;
        ObjectNode body;
        try {
            body = answer.get();
        } catch (IllegalArgumentException e) {
            status = 400;
            body = JSON.createObjectNode().put("error", e.getMessage());
        } catch (Exception e) {
            status = 503;
            body = JSON.createObjectNode().put("error", String.valueOf(e.getMessage()));
        }
        send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private void page(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            send(exchange, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = RecommendationsPage.class.getResourceAsStream("index.html")) {
            if (in == null) {
                throw new IllegalStateException("index.html is missing from the classpath");
            }
            send(exchange, 200, "text/html; charset=utf-8", in.readAllBytes());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String param(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params.get(name);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
