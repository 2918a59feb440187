package io.streamrec.cli;

import io.streamrec.job.CommandArgs;
import io.streamrec.cli.cluster.Endpoints;
import io.streamrec.cli.cluster.FlinkRestClient;
import io.streamrec.cli.cluster.LocalCluster;
import io.streamrec.job.OperatorIds;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.internal.RedisUrl;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code bin/streamrec status}: one screen about the running job, from the Flink REST API (job
 * state, input rate, rejections by reason, source lag, last checkpoint), Kafka (the consumer group's
 * committed offsets against the topic's end) and Redis (reachability, how fresh the lists are).
 *
 * <p>Exit status 0 when the job runs and Kafka and Redis answer, 3 otherwise (1 if Flink itself
 * does not answer). Read-only: it changes nothing anywhere.
 */
final class StatusCommand {

    /** At most this many list meta hashes are read for the freshness figures. */
    static final int MAX_LISTS = 20_000;

    private final PrintStream out;
    private boolean healthy = true;

    private StatusCommand(PrintStream out) {
        this.out = out;
    }

    static int run(Path home, CommandArgs args) {
        Endpoints endpoints = Endpoints.of(home, Optional.ofNullable(args.take("state-dir", null)));
        Endpoints.Endpoint flink = endpoints.flink(Optional.ofNullable(args.take("rest", null)));
        Optional<String> jobFlag = Optional.ofNullable(args.take("job", null));
        Map<String, String> given = new LinkedHashMap<>(args.remainingOptions());
        StreamRecOptions.fromMap(given); // unknown options fail before any call
        Endpoints.Endpoint kafka = endpoints.kafka(given);
        Endpoints.Endpoint redis = endpoints.redis(given);

        FlinkRestClient rest = new FlinkRestClient(flink.address());
        Endpoints.checkFlink(flink, rest);
        String job = jobFlag.orElseGet(() -> oneJob(rest, endpoints));

        // topics, group and prefix: the ones the job was submitted with, if the local cluster remembers them
        Map<String, String> jobOptions = new LinkedHashMap<>();
        endpoints.localCluster().filter(c -> c.lastJobOptionsOf().map(job::equals).orElse(false))
                .ifPresent(c -> jobOptions.putAll(c.lastJobOptions()));
        jobOptions.remove(StreamRecOptions.KAFKA_BOOTSTRAP.key());
        jobOptions.remove(StreamRecOptions.REDIS_URL.key());
        jobOptions.putAll(given);
        StreamRecOptions options = StreamRecOptions.fromMap(jobOptions);

        StatusCommand status = new StatusCommand(System.out);
        status.out.printf("%-13s%s, %s, %s%n", "endpoints", flink, kafka, redis);
        status.job(rest, job, options);
        status.kafka(kafka.address(), options);
        status.redis(redis.address(), options.get(StreamRecOptions.REDIS_PREFIX));
        return status.healthy ? 0 : 3;
    }

    private static String oneJob(FlinkRestClient rest, Endpoints endpoints) {
        List<String> active = rest.activeJobs();
        if (active.size() == 1) {
            return active.get(0);
        }
        if (active.isEmpty()) {
            throw new IllegalStateException("no job is running on " + rest.baseUrl()
                    + " (bin/streamrec submit starts one; bin/streamrec cluster status lists finished ones)");
        }
        throw new IllegalArgumentException("several jobs are running " + active + "; choose one with --job ID");
    }

    // ------------------------------------------------------------------ Flink

    private void job(FlinkRestClient rest, String jobId, StreamRecOptions options) {
        JsonNode job = rest.job(jobId);
        String state = job.path("state").asText();
        healthy &= state.equals("RUNNING");
        int parallelism = 0;
        String source = null;
        List<String> vertices = new ArrayList<>();
        for (JsonNode vertex : job.path("vertices")) {
            vertices.add(vertex.path("id").asText());
            parallelism = Math.max(parallelism, vertex.path("parallelism").asInt());
            if (vertex.path("name").asText().contains(OperatorIds.NAME_INTERACTIONS_SOURCE)) {
                source = vertex.path("id").asText();
                vertices.add(0, source); // the validator is chained to the source: look there first
            }
        }
        out.printf("%-13s%s %s for %s, parallelism %d%n", "job", jobId, state,
                duration(job.path("duration").asLong()), parallelism);
        if (!state.equals("RUNNING")) {
            return;
        }

        String validator = vertexWith(rest, jobId, vertices, ".interactionsValid");
        if (validator == null) {
            out.printf("%-13s(the job reports no validator metrics yet)%n", "input");
        } else {
            Map<String, Double> metrics = validatorMetrics(rest, jobId, validator);
            long valid = sum(metrics, ".interactionsValid");
            long rejected = sum(metrics, ".interactionsRejected");
            // Flink's meter of the validator's input: records per second, averaged over the last minute
            String operator = metrics.keySet().stream().filter(id -> id.endsWith(".interactionsValid")).findFirst()
                    .map(id -> id.substring(0, id.length() - ".interactionsValid".length())).orElse("");
            double rate = rest.vertexMetricSums(jobId, validator, id -> id.equals(operator + ".numRecordsInPerSecond"))
                    .values().stream().mapToDouble(Double::doubleValue).sum();
            out.printf("%-13s%,.0f records/s (last minute); since start %,d read: %,d valid, %,d rejected (%s)%n", "input",
                    rate, valid + rejected, valid, rejected, percent(rejected, valid + rejected));
            rejections(metrics, options);
        }
        if (source != null) {
            long pending = rest.vertexMetricSum(jobId, source, ".pendingRecords");
            out.printf("%-13s%s%n", "source lag", pending < 0 ? "not reported yet"
                    : String.format(Locale.ROOT, "%,d records not yet read by the job (Flink pendingRecords)", pending));
        }
        checkpoint(rest.checkpoints(jobId));
    }

    private static String vertexWith(FlinkRestClient rest, String jobId, List<String> vertices, String suffix) {
        for (String vertex : vertices) {
            if (!rest.vertexMetricSums(jobId, vertex, id -> id.endsWith(suffix)).isEmpty()) {
                return vertex;
            }
        }
        return null;
    }

    private static Map<String, Double> validatorMetrics(FlinkRestClient rest, String jobId, String vertex) {
        return rest.vertexMetricSums(jobId, vertex, id -> id.endsWith(".interactionsValid")
                || id.endsWith(".interactionsRejected") || id.endsWith("LastWindow") || id.endsWith(".rejected")
                || id.endsWith(".rejectionWarnings"));
    }

    private void rejections(Map<String, Double> metrics, StreamRecOptions options) {
        Map<String, long[]> byReason = new TreeMap<>(); // reason -> {since start, last window}
        metrics.forEach((id, value) -> {
            int at = id.indexOf(".reason.");
            if (at < 0) {
                return;
            }
            String rest = id.substring(at + ".reason.".length());
            int dot = rest.lastIndexOf('.');
            String reason = rest.substring(0, dot);
            long[] counts = byReason.computeIfAbsent(reason, r -> new long[2]);
            counts[rest.endsWith(".rejected") ? 0 : 1] += value.longValue();
        });
        long windowRecords = sum(metrics, ".recordsLastWindow");
        long windowRejected = sum(metrics, ".rejectedLastWindow");
        long warnings = sum(metrics, ".rejectionWarnings");
        double share = windowRecords == 0 ? 0 : (double) windowRejected / windowRecords;
        double threshold = options.get(StreamRecOptions.REJECTION_WARNING_SHARE);
        long rejectedTotal = sum(metrics, ".interactionsRejected");
        long readTotal = sum(metrics, ".interactionsValid") + rejectedTotal;
        boolean alarming = (windowRejected > 0 && share >= threshold)
                || (rejectedTotal > 0 && (double) rejectedTotal / readTotal >= threshold);
        out.printf("%-13slast %s window: %,d of %,d records rejected (%s)%s; rejection warnings logged: %,d%n", "rejections",
                duration(options.get(StreamRecOptions.REJECTION_WINDOW).toMillis()), windowRejected, windowRecords,
                percent(windowRejected, windowRecords), alarming ? "  <-- WARNING: the job rejects much of its input" : "",
                warnings);
        byReason.forEach((reason, counts) -> {
            if (counts[0] > 0 || counts[1] > 0) {
                out.printf("%-13s  %-24s %,d since start, %,d in the last window%n", "", reason, counts[0], counts[1]);
            }
        });
        if (alarming || byReason.values().stream().anyMatch(c -> c[0] > 0)) {
            out.printf("%-13s  (payloads and details: the dead-letter topic %s, and WARN lines in the TaskManager logs)%n", "",
                    options.get(StreamRecOptions.TOPIC_DEAD_LETTERS));
        }
    }

    private void checkpoint(JsonNode checkpoints) {
        JsonNode latest = checkpoints.path("latest").path("completed");
        JsonNode counts = checkpoints.path("counts");
        if (latest.isMissingNode() || latest.isNull()) {
            out.printf("%-13snone completed yet (%d in progress, %d failed)%n", "checkpoint",
                    counts.path("in_progress").asInt(), counts.path("failed").asInt());
            return;
        }
        long age = System.currentTimeMillis() - latest.path("latest_ack_timestamp").asLong();
        out.printf("%-13s#%d completed %s ago in %d ms, %s; %d completed, %d failed%n", "checkpoint",
                latest.path("id").asLong(), duration(age), latest.path("end_to_end_duration").asLong(),
                bytes(latest.path("checkpointed_size").asLong(latest.path("state_size").asLong())),
                counts.path("completed").asInt(), counts.path("failed").asInt());
    }

    // ------------------------------------------------------------------ Kafka

    private void kafka(String bootstrap, StreamRecOptions options) {
        String topic = options.get(StreamRecOptions.TOPIC_INTERACTIONS);
        String group = options.get(StreamRecOptions.KAFKA_GROUP);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
        try (Admin admin = Admin.create(props)) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(latest).all().get(15, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
            long end = 0;
            long lag = 0;
            int uncommitted = 0;
            for (var e : ends.entrySet()) {
                end += e.getValue().offset();
                OffsetAndMetadata c = committed.get(e.getKey());
                if (c == null) {
                    uncommitted++;
                    lag += e.getValue().offset();
                } else {
                    lag += Math.max(0, e.getValue().offset() - c.offset());
                }
            }
            out.printf("%-13s%,d records behind the end of %s (%,d records, %d partitions) at group %s's committed offsets"
                    + "%s; they advance with each checkpoint%n", "consumer lag", lag, topic, end, ends.size(), group,
                    uncommitted == 0 ? "" : " (" + uncommitted + " partitions without a committed offset)");
        } catch (Exception e) {
            healthy = false;
            out.printf("%-13sKafka at %s: %s%n", "consumer lag", bootstrap, rootMessage(e));
        }
    }

    // ------------------------------------------------------------------ Redis

    private void redis(String redisUrl, String prefix) {
        RedisUrl url = RedisUrl.parse(redisUrl);
        try (Jedis jedis = new Jedis(url.hostAndPort(), url.clientConfig(Duration.ofSeconds(5), "streamrec-status"))) {
            long start = System.nanoTime();
            jedis.ping();
            double pingMillis = (System.nanoTime() - start) / 1e6;
            long popular = jedis.zcard(RedisKeys.popularList(prefix));
            out.printf("%-13s%s answers (PING %.1f ms), %,d keys; popular list %d items%n", "redis", redisUrl,
                    pingMillis, jedis.dbSize(), popular);
            List<String> lines = freshness(lists(jedis, prefix), System.currentTimeMillis());
            for (int i = 0; i < lines.size(); i++) {
                out.printf("%-13s%s%n", i == 0 ? "lists" : "freshness", lines.get(i));
            }
        } catch (RuntimeException e) {
            healthy = false;
            out.printf("%-13s%s: %s%n", "redis", redisUrl, rootMessage(e));
        }
    }

    /** {@code updated} and {@code eventTs} of (at most {@link #MAX_LISTS}) users' list meta hashes. */
    private static List<long[]> lists(Jedis jedis, String prefix) {
        List<String> keys = new ArrayList<>();
        ScanParams params = new ScanParams().match(prefix + "*" + RedisKeys.META_SUFFIX).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            for (String key : page.getResult()) {
                if (!key.startsWith(prefix + "_")) { // _popular, _item:..., _metrics
                    keys.add(key);
                }
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && keys.size() < MAX_LISTS);
        Pipeline pipeline = jedis.pipelined();
        List<Response<List<String>>> responses = new ArrayList<>();
        for (String key : keys) {
            responses.add(pipeline.hmget(key, "updated", "eventTs"));
        }
        pipeline.sync();
        List<long[]> lists = new ArrayList<>();
        for (Response<List<String>> r : responses) {
            List<String> v = r.get();
            if (v.get(0) != null && v.get(1) != null) {
                lists.add(new long[] {Long.parseLong(v.get(0)), Long.parseLong(v.get(1))});
            }
        }
        return lists;
    }

    /**
     * Lines about the lists' freshness: how many there are, how long ago the newest was written
     * (refresh lag: grows when the job stops writing), and event time → list written for the lists
     * written in the last minute (p50, max). {@code lists} holds {updated, eventTs} pairs.
     */
    static List<String> freshness(List<long[]> lists, long now) {
        if (lists.isEmpty()) {
            return List.of("no user lists yet");
        }
        long newest = lists.stream().mapToLong(l -> l[0]).max().getAsLong();
        List<Long> recent = lists.stream().filter(l -> l[0] >= newest - 60_000).map(l -> l[0] - l[1])
                .sorted().collect(Collectors.toList());
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%,d users have a list; newest written %s ago (refresh lag)",
                lists.size(), duration(now - newest)));
        long p50 = recent.get((recent.size() - 1) / 2);
        long max = recent.get(recent.size() - 1);
        lines.add(String.format(Locale.ROOT, "event -> list: p50 %s, max %s over the %,d lists written in the newest list's last minute%s",
                duration(p50), duration(max), recent.size(),
                p50 > 3_600_000 ? " (event times are far in the past: a replay of history)" : ""));
        return lines;
    }

    // ------------------------------------------------------------------ formatting

    private static long sum(Map<String, Double> metrics, String suffix) {
        return metrics.entrySet().stream().filter(e -> e.getKey().endsWith(suffix) && !e.getKey().contains(".reason."))
                .mapToLong(e -> e.getValue().longValue()).sum();
    }

    static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    static String duration(long millis) {
        if (millis < 0) {
            return "-";
        }
        if (millis < 10_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long s = millis / 1000;
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        if (s < 3 * 86400) {
            return (s / 3600) + " h " + (s % 3600 / 60) + " min";
        }
        return (s / 86400) + " days";
    }

    private static String bytes(long bytes) {
        return bytes >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
