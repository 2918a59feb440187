package io.streamrec.cli;

import io.streamrec.cli.cluster.ClusterCommands;
import io.streamrec.cli.cluster.LocalCluster;
import io.streamrec.cli.cluster.LocalClusterExtension;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.testkit.Interaction;
import io.streamrec.testkit.InteractionGenerator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/streamrec backfill} on a real local cluster (JobManager and two TaskManager JVMs, as
 * {@code bin/streamrec cluster start} runs them), against a real Kafka broker and Redis: a bootstrap
 * of two passes over a history file, then a direct repair from the last pass's savepoint.
 *
 * <p>Checked by value: every pass is its own job, stopped with a savepoint once the history is read;
 * the model-only savepoint of the last pass holds every user with both passes' interactions (the
 * second pass starts from the first one's model, with new de-duplication state); the repair's shadow
 * job writes a list for every user into its own prefix (refresh of all users on restore).
 */
class BackfillCommandITCase {

    private static final int USERS = 60;
    private static final int EVENTS = 1500;

    @RegisterExtension
    static final LocalClusterExtension STACK = new LocalClusterExtension();

    @TempDir
    static Path work;

    @Test
    void bootstrapsInTwoPassesThenRepairsFromTheLastSavepoint() throws Exception {
        InteractionGenerator generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(USERS).items(80).seed(5).eventsPerSecond(0.05)
                .startTimestampMillis(System.currentTimeMillis() - 30L * 86_400_000L).build());
        List<String> lines = new ArrayList<>();
        Map<String, Long> perUser = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            Interaction e = generator.nextInteraction();
            lines.add(e.toJson());
            perUser.merge(e.user(), 1L, Long::sum);
        }
        Path history = Files.write(work.resolve("history.jsonl"), lines, StandardCharsets.UTF_8);
        Path home = work.resolve("home");
        String stateDir = STACK.cluster().stateDir().toString();

        CliRun bootstrap = CliRun.of(home, "backfill", "bootstrap", "--file", history.toString(), "--passes", "2",
                "--parallelism", "2", "--name", "bf1", "--", "--state-dir", stateDir, "--jar", STACK.jobJar().toString());

        assertThat(bootstrap.exit()).as(bootstrap.err()).isZero();
        assertThat(bootstrap.out())
                .contains("backfill [bf1] loading " + history + " into topic bf1-history")
                .contains("sent " + String.format("%,d", EVENTS) + " records")
                .contains("backfill [bf1] pass 1/2: bf1-history from earliest into Redis prefix bf:")
                .contains("backfill [bf1] pass 2/2: bf1-history from earliest into Redis prefix bf:")
                .containsPattern("backfill \\[bf1\\] pass 1 done: file:\\S+")
                .containsPattern("backfill \\[bf1\\] pass 2 done: file:\\S+");
        Path pass2 = home.resolve(".streamrec/backfill/bf1/pass-2").toAbsolutePath();
        assertThat(bootstrap.out()).contains("model-only savepoint for the live job: file:" + pass2.resolve("savepoint"))
                .contains("bin/streamrec submit --from-savepoint file:" + pass2.resolve("savepoint"));
        assertThat(pass2.resolve("savepoint").resolve("_metadata")).isRegularFile();
        // the model after both passes: every user, with the interactions of both passes
        Map<String, Long> exported = userInteractions(pass2.resolve("factors").resolve("users.csv"));
        Map<String, Long> twice = new HashMap<>();
        perUser.forEach((user, n) -> twice.put(user, 2 * n));
        assertThat(exported).isEqualTo(twice);
        assertThat(STACK.cluster().rest().activeJobs()).as("every pass's job was stopped").isEmpty();

        // the stop of pass 2, as the cluster's state remembers it (another LocalCluster instance wrote it)
        String lastStop = LocalCluster.attach(STACK.cluster().stateDir())
                .flatMap(c -> c.remembered(ClusterCommands.LAST_SAVEPOINT)).orElseThrow();
        assertThat(bootstrap.out()).contains("pass 2 done: " + lastStop);
        CliRun repair = CliRun.of(home, "backfill", "repair", "--savepoint", lastStop, "--direct", "--prefix", "shadow:",
                "--name", "r1", "--", "--state-dir", stateDir, "--jar", STACK.jobJar().toString());

        assertThat(repair.exit()).as(repair.err()).isZero();
        assertThat(repair.out()).contains("backfill [r1] shadow job restoring " + lastStop + ", Redis prefix shadow:")
                .contains("Submitted job").contains("Compare shadow:_metrics");
        List<String> shadowJobs = STACK.cluster().rest().activeJobs();
        assertThat(shadowJobs).hasSize(1);
        try (Jedis jedis = new Jedis(STACK.redis().url())) {
            long deadline = System.currentTimeMillis() + 120_000;
            List<String> missing = missingLists(jedis, perUser);
            while (!missing.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                missing = missingLists(jedis, perUser);
            }
            assertThat(missing).as("users without a list under shadow: (refresh of all users on restore)").isEmpty();
            for (String user : perUser.keySet()) {
                String counted = jedis.hget(RedisKeys.meta(RedisKeys.userList("shadow:", user)), RedisKeys.FIELD_INTERACTIONS);
                assertThat(Long.parseLong(counted)).as("interactions of %s in the restored model", user)
                        .isEqualTo(2 * perUser.get(user));
            }
        } finally {
            STACK.cluster().rest().cancel(shadowJobs.get(0));
        }
    }

    private static List<String> missingLists(Jedis jedis, Map<String, Long> perUser) {
        List<String> missing = new ArrayList<>();
        for (String user : perUser.keySet()) {
            if (!jedis.exists(RedisKeys.meta(RedisKeys.userList("shadow:", user)))) {
                missing.add(user);
            }
        }
        return missing;
    }

    /** user → interactions column of an exported {@code users.csv}. */
    private static Map<String, Long> userInteractions(Path usersCsv) throws IOException {
        List<String> rows = Files.readAllLines(usersCsv, StandardCharsets.UTF_8);
        List<String> header = List.of(rows.get(0).split(","));
        int user = header.indexOf("user");
        int interactions = header.indexOf("interactions");
        Map<String, Long> out = new HashMap<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] fields = row.split(",");
            out.put(fields[user], Long.parseLong(fields[interactions]));
        }
        return out;
    }
}
