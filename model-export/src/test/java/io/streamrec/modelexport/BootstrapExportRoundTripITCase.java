package io.streamrec.modelexport;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Offline factors → bootstrap → savepoint → export gives back the identical factors (bit for bit),
 * and a second export → bootstrap → export changes nothing. Runs the State Processor API jobs on a
 * Flink mini cluster with parallelism 2.
 */
class BootstrapExportRoundTripITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path tmp;

    @Test
    void bootstrapThenExportGivesTheIdenticalFactors() throws Exception {
        int dim = 24;
        Map<String, FactorRow> users = generate("user-", 700, dim, true, 1);
        Map<String, FactorRow> items = generate("item-", 300, dim, false, 2);
        Path factors = Files.createDirectories(tmp.resolve("als"));
        writeFile(factors.resolve("users.csv"), FactorCsv.Side.USERS, users);
        writeFile(factors.resolve("items.csv"), FactorCsv.Side.ITEMS, items);

        String savepoint = tmp.resolve("bootstrapped").toUri().toString();
        ModelBootstrap.Summary summary = ModelBootstrap.bootstrap(env(), factors.toString(), savepoint, 128);
        assertThat(summary.users()).isEqualTo(700);
        assertThat(summary.items()).isEqualTo(300);
        assertThat(summary.dimension()).isEqualTo(dim);

        Path export1 = tmp.resolve("export1");
        ModelMetadata meta = ModelExport.export(env(), savepoint, export1);
        assertThat(read(export1.resolve("users.csv"), FactorCsv.Side.USERS)).isEqualTo(users);
        assertThat(read(export1.resolve("items.csv"), FactorCsv.Side.ITEMS)).isEqualTo(items);
        assertThat(meta.dimension).isEqualTo(dim);
        assertThat(meta.users).isEqualTo(700);
        assertThat(meta.items).isEqualTo(300);
        assertThat(meta.maxParallelism).isEqualTo(128);
        assertThat(meta.userInteractions).isEqualTo(users.values().stream().mapToLong(r -> r.interactions).sum());
        assertThat(meta.formatVersion).isEqualTo(FactorCsv.FORMAT_VERSION);
        assertThat(ModelMetadata.readIfPresent(new org.apache.flink.core.fs.Path(export1.toUri())).users).isEqualTo(700);

        // export → bootstrap → export: the same files' content again
        String savepoint2 = tmp.resolve("rebootstrapped").toString();
        ModelBootstrap.bootstrap(env(), export1.toString(), savepoint2, 128);
        Path export2 = tmp.resolve("export2");
        ModelExport.export(env(), savepoint2, export2);
        assertThat(read(export2.resolve("users.csv"), FactorCsv.Side.USERS)).isEqualTo(users);
        assertThat(read(export2.resolve("items.csv"), FactorCsv.Side.ITEMS)).isEqualTo(items);
    }

    @Test
    void filesWithoutOptionalColumnsBootstrapWithZeroCountsAndVersions() throws Exception {
        Path factors = Files.createDirectories(tmp.resolve("minimal"));
        Files.writeString(factors.resolve("users.csv"), "user,p_0,p_1\nu1,0.5,-0.25\nu2,1,2\n");
        Files.writeString(factors.resolve("items.csv"), "item,q_1,q_0\ni1,3,4\n");
        String savepoint = tmp.resolve("sp").toString();
        ModelBootstrap.bootstrap(env(), factors.toString(), savepoint, 128);
        Path out = tmp.resolve("out");
        ModelExport.export(env(), savepoint, out);
        assertThat(Files.readAllLines(out.resolve("items.csv"))).containsExactly("item,bias,interactions,q_0,q_1", "i1,0.0,0,4.0,3.0");
        assertThat(read(out.resolve("users.csv"), FactorCsv.Side.USERS)).isEqualTo(Map.of(
                "u1", new FactorRow("u1", 0f, 0, 0, new float[] {0.5f, -0.25f}),
                "u2", new FactorRow("u2", 0f, 0, 0, new float[] {1f, 2f})));
    }

    @Test
    void refusesDuplicateIdsMismatchedDimensionsAndAnOccupiedTarget() throws Exception {
        Path dup = Files.createDirectories(tmp.resolve("dup"));
        Files.writeString(dup.resolve("users.csv"), "user,p_0\nu1,1\nu2,2\nu1,3\n");
        Files.writeString(dup.resolve("items.csv"), "item,q_0\ni1,1\n");
        assertThatThrownBy(() -> ModelBootstrap.bootstrap(env(), dup.toString(), tmp.resolve("sp1").toString(), 128))
                .hasStackTraceContaining("users.csv: user 'u1' appears twice");

        Path dims = Files.createDirectories(tmp.resolve("dims"));
        Files.writeString(dims.resolve("users.csv"), "user,p_0,p_1\nu1,1,2\n");
        Files.writeString(dims.resolve("items.csv"), "item,q_0\ni1,1\n");
        assertThatThrownBy(() -> ModelBootstrap.bootstrap(env(), dims.toString(), tmp.resolve("sp2").toString(), 128))
                .hasMessageContaining("dimension 2").hasMessageContaining("dimension 1");

        Path missing = Files.createDirectories(tmp.resolve("missing"));
        Files.writeString(missing.resolve("users.csv"), "user,p_0\nu1,1\n");
        assertThatThrownBy(() -> ModelBootstrap.bootstrap(env(), missing.toString(), tmp.resolve("sp3").toString(), 128))
                .hasMessageContaining("items.csv");

        Path occupied = Files.createDirectories(tmp.resolve("occupied"));
        Files.writeString(occupied.resolve("_metadata"), "x");
        Path valid = Files.createDirectories(tmp.resolve("valid"));
        Files.writeString(valid.resolve("users.csv"), "user,p_0\nu1,1\n");
        Files.writeString(valid.resolve("items.csv"), "item,q_0\ni1,1\n");
        assertThatThrownBy(() -> ModelBootstrap.bootstrap(env(), valid.toString(), occupied.toString(), 128))
                .hasMessageContaining("is not empty");

        assertThatThrownBy(() -> ModelExport.export(env(), tmp.resolve("no-such-savepoint").toString(), tmp.resolve("x")))
                .isInstanceOf(IOException.class);
    }

    private static StreamExecutionEnvironment env() {
        return StreamExecutionEnvironment.getExecutionEnvironment();
    }

    /** Offline factors as an ALS would produce them, with awkward floats and ids. */
    static Map<String, FactorRow> generate(String prefix, int n, int dim, boolean users, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, FactorRow> rows = new HashMap<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            for (int k = 0; k < dim; k++) {
                v[k] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-6, 3)));
            }
            if (i == 0) {
                v[0] = -0f;
                v[1] = Float.MIN_VALUE;
                v[2] = Math.nextUp(1f);
            }
            String id = i == 1 ? prefix + "with,comma \"and quotes\"" : prefix + i;
            rows.put(id, new FactorRow(id, (float) random.nextGaussian(), random.nextLong(0, 10_000),
                    users ? random.nextLong(0, 50) : 0L, v));
        }
        return rows;
    }

    static void writeFile(Path file, FactorCsv.Side side, Map<String, FactorRow> rows) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             FactorCsv.FactorWriter writer = new FactorCsv.FactorWriter(out, side)) {
            for (FactorRow r : rows.values()) {
                writer.write(r);
            }
        }
    }

    static Map<String, FactorRow> read(Path file, FactorCsv.Side side) throws IOException {
        Map<String, FactorRow> rows = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             FactorCsv.FactorReader reader = new FactorCsv.FactorReader(in, side, file.toString())) {
            for (FactorRow r = reader.next(); r != null; r = reader.next()) {
                assertThat(rows.put(r.id, r)).as("duplicate %s", r.id).isNull();
            }
        }
        return rows;
    }
}
