package io.streamrec.modelexport;

import io.streamrec.job.KafkaAndRedis;

import io.streamrec.job.StreamRecOptions;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model of the real job: the production graph runs on a mini cluster (RocksDB, parallelism 2)
 * against a real Kafka broker and Redis server, is stopped with a canonical savepoint, and the
 * export of that savepoint holds every user's and item's exact interaction count (a native RocksDB
 * savepoint of the same state exports the same model). The export is
 * then bootstrapped into a new savepoint, the job is started from it and continues the counts.
 */
class ModelExportJobITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(ModelJobSupport.clusterConfiguration())
                    .build());

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    @TempDir
    Path tmp;

    @Test
    void exportOfAJobSavepointHoldsExactCountsAndTheJobResumesFromItsBootstrap() throws Exception {
        int dim = 16;
        StreamRecOptions options = ModelJobSupport.options(INFRA.kafka(), INFRA.redis(), "mx", dim);
        ModelJobSupport.Interactions data = ModelJobSupport.Interactions.generate("e-", 40, 60, 400, 5);
        ModelJobSupport.produce(INFRA.kafka(), options.get(StreamRecOptions.TOPIC_INTERACTIONS), data.payloads);

        // 1. stream, wait until every count is visible (the gradient loop is drained), stop with a savepoint
        JobClient job = ModelJobSupport.start(options, null, "model export ITCase");
        String savepoint;
        String nativeSavepoint;
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            ModelJobSupport.await(() -> ModelJobSupport.mismatches(jedis, "mx:", data.perUser, data.perItem).isEmpty(),
                    180, "per-user and per-item interaction counts in Redis");
            nativeSavepoint = job.triggerSavepoint(tmp.resolve("native").toUri().toString(), SavepointFormatType.NATIVE)
                    .get(120, TimeUnit.SECONDS);
            savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            job.cancel();
            throw e;
        }

        // 2. export: exact counts, finite vectors of the job's dimension, one version per emitted list
        Path export = tmp.resolve("export");
        ModelMetadata meta = ModelExport.export(StreamExecutionEnvironment.getExecutionEnvironment(), savepoint, export);
        Map<String, FactorRow> users = BootstrapExportRoundTripITCase.read(export.resolve("users.csv"), FactorCsv.Side.USERS);
        Map<String, FactorRow> items = BootstrapExportRoundTripITCase.read(export.resolve("items.csv"), FactorCsv.Side.ITEMS);
        assertThat(counts(users)).isEqualTo(data.perUser);
        assertThat(counts(items)).isEqualTo(data.perItem);
        assertThat(meta.dimension).isEqualTo(dim);
        assertThat(meta.users).isEqualTo(data.perUser.size());
        assertThat(meta.items).isEqualTo(data.perItem.size());
        assertThat(meta.userInteractions).isEqualTo(400).isEqualTo(meta.itemInteractions);
        assertThat(meta.maxParallelism).isEqualTo(128);
        for (FactorRow r : users.values()) {
            assertThat(r.vector).hasSize(dim);
            assertThat(r.version).as("list version of %s", r.id).isPositive();
            for (float v : r.vector) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
        assertThat(items.values()).allSatisfy(r -> assertThat(r.vector).hasSize(dim));

        // a RocksDB native-format savepoint of the same state exports the same model
        Path nativeExport = tmp.resolve("native-export");
        ModelExport.export(StreamExecutionEnvironment.getExecutionEnvironment(), nativeSavepoint, nativeExport);
        assertThat(BootstrapExportRoundTripITCase.read(nativeExport.resolve("users.csv"), FactorCsv.Side.USERS)).isEqualTo(users);
        assertThat(BootstrapExportRoundTripITCase.read(nativeExport.resolve("items.csv"), FactorCsv.Side.ITEMS)).isEqualTo(items);

        // 3. export → bootstrap → start the job from it: counts continue from the exported ones
        String bootstrapped = tmp.resolve("bootstrapped").toString();
        ModelBootstrap.bootstrap(StreamExecutionEnvironment.getExecutionEnvironment(), export.toString(), bootstrapped, 128);
        StreamRecOptions resumed = ModelJobSupport.options(INFRA.kafka(), INFRA.redis(), "mx2", dim);
        ModelJobSupport.Interactions more = ModelJobSupport.Interactions.generate("f-", 40, 60, 120, 6);
        ModelJobSupport.produce(INFRA.kafka(), resumed.get(StreamRecOptions.TOPIC_INTERACTIONS), more.payloads);
        Map<String, Long> userTotals = sum(data.perUser, more.perUser);
        Map<String, Long> itemTotals = sum(data.perItem, more.perItem);
        Map<String, Long> touchedUsers = new HashMap<>();
        more.perUser.keySet().forEach(u -> touchedUsers.put(u, userTotals.get(u)));
        Map<String, Long> touchedItems = new HashMap<>();
        more.perItem.keySet().forEach(i -> touchedItems.put(i, itemTotals.get(i)));

        JobClient second = ModelJobSupport.start(resumed, bootstrapped, "model bootstrap ITCase");
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            ModelJobSupport.await(() -> ModelJobSupport.mismatches(jedis, "mx2:", touchedUsers, touchedItems).isEmpty(),
                    180, "counts continuing from the bootstrapped savepoint");
            for (String user : more.perUser.keySet()) {
                List<String> list = jedis.zrevrange("mx2:" + user, 0, -1);
                assertThat(list).as("list of %s", user).isNotEmpty();
                assertThat(Long.parseLong(jedis.hget("mx2:" + user + ":meta", "version")))
                        .as("version of %s continues from the exported one", user)
                        .isGreaterThan(users.get(user) == null ? 0 : users.get(user).version);
            }
        } finally {
            second.cancel().get();
        }
    }

    private static Map<String, Long> counts(Map<String, FactorRow> rows) {
        Map<String, Long> counts = new HashMap<>();
        rows.forEach((id, r) -> counts.put(id, r.interactions));
        return counts;
    }

    private static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> s = new HashMap<>(a);
        b.forEach((k, v) -> s.merge(k, v, Long::sum));
        return s;
    }
}
