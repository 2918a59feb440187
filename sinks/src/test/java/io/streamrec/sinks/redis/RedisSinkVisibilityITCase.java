package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.streamrec.testkit.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * When lists become visible, checked against a real redis-server while a MiniCluster job runs:
 * never before the checkpoint that computed them completes, also when the sink has already taken
 * part in a checkpoint that then fails; always after; and nothing computed in an epoch that a
 * failover abandons.
 *
 * <p>The job writes one key whose version is the index of the element and whose only member names
 * the task attempt that computed it. Checkpoints happen only when the test triggers them (the
 * periodic ones are an hour apart), and a recorder before the sink notes which index each
 * checkpoint's barrier followed, so the test knows exactly which version each checkpoint holds. A
 * second branch can hold its snapshot until the checkpoint times out: a checkpoint the sink took
 * part in that never completes. A sink that wrote through, or at the barrier, or that committed an
 * aborted checkpoint's lists, fails these tests.
 */
class RedisSinkVisibilityITCase {

    private static final String KEY = "vis:list";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Checkpoint id → index of the last element before its barrier (the recorder's snapshot). */
    private static final Map<Long, Long> CUT = new ConcurrentHashMap<>();

    private static final AtomicLong PROCESSED = new AtomicLong(-1);
    private static final AtomicBoolean HOLD_SNAPSHOTS = new AtomicBoolean();
    private static final AtomicLong FAIL_AT = new AtomicLong(Long.MAX_VALUE);
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    private RedisServerProcess redis;
    private Jedis jedis;

    @BeforeEach
    void start() {
        redis = RedisServerProcess.start();
        jedis = new Jedis("127.0.0.1", redis.port());
        CUT.clear();
        PROCESSED.set(-1);
        HOLD_SNAPSHOTS.set(false);
        FAIL_AT.set(Long.MAX_VALUE);
        FAILED.set(false);
    }

    @AfterEach
    void stop() {
        HOLD_SNAPSHOTS.set(false);
        jedis.close();
        redis.close();
    }

    @Test
    void aListIsInvisibleUntilItsCheckpointCompletesAndVisibleAfter(
            @InjectClusterClient ClusterClient<?> client) throws Exception {
        JobClient job = startJob(new Configuration());
        try {
            await(() -> PROCESSED.get() >= 50, "50 elements through the sink writer");
            // no checkpoint yet: nothing is visible, however long we wait
            assertStaysAbsent(Duration.ofMillis(1_500));

            long first = client.triggerCheckpoint(job.getJobID(), CheckpointType.CONFIGURED).get(60, TimeUnit.SECONDS);
            long firstCut = CUT.get(first);
            awaitList(firstCut, 0);

            // the sink takes part in the next checkpoint, but another task holds its snapshot
            // until the checkpoint times out: what the sink handed over stays invisible
            HOLD_SNAPSHOTS.set(true);
            assertThatThrownBy(() -> client.triggerCheckpoint(job.getJobID(), CheckpointType.CONFIGURED)
                    .get(60, TimeUnit.SECONDS)).hasMessageContaining("Checkpoint");
            HOLD_SNAPSHOTS.set(false);
            assertThat(CUT).hasSize(2); // the sink's task did snapshot the aborted checkpoint
            long abortedCut = CUT.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(abortedCut).isGreaterThan(firstCut);
            assertVersionStays(firstCut, Duration.ofMillis(1_500));

            // the next completed checkpoint makes its own (newer) list visible
            long third = client.triggerCheckpoint(job.getJobID(), CheckpointType.CONFIGURED).get(60, TimeUnit.SECONDS);
            awaitList(CUT.get(third), 0);
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void nothingComputedInAnEpochAbandonedByAFailoverBecomesVisible(
            @InjectClusterClient ClusterClient<?> client) throws Exception {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        JobClient job = startJob(config);
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> watch(seen, watching), "redis-watcher");
        try {
            await(() -> PROCESSED.get() >= 50, "50 elements through the sink writer");
            long first = client.triggerCheckpoint(job.getJobID(), CheckpointType.CONFIGURED).get(60, TimeUnit.SECONDS);
            long firstCut = CUT.get(first);
            awaitList(firstCut, 0);
            watcher.start();

            // attempt 0 goes on: its lists reach the sink, which hands them to a checkpoint that
            // never completes, and then the task fails
            HOLD_SNAPSHOTS.set(true);
            assertThatThrownBy(() -> client.triggerCheckpoint(job.getJobID(), CheckpointType.CONFIGURED)
                    .get(60, TimeUnit.SECONDS)).hasMessageContaining("Checkpoint");
            HOLD_SNAPSHOTS.set(false);
            long abortedCut = CUT.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            FAIL_AT.set(abortedCut + 20);
            await(FAILED::get, "the injected failure");

            // attempt 1 restores the first checkpoint and replays from there
            await(() -> PROCESSED.get() > abortedCut + 40, "the restored job to pass the failure point");
            long after = checkpointOnceRunning(client, job);
            awaitList(CUT.get(after), 1);
            Thread.sleep(500);
        } finally {
            watching.set(false);
            job.cancel().get();
        }
        watcher.join();

        assertThat(seen).isNotEmpty();
        // attempt 0's lists after the first checkpoint were computed in the abandoned epoch
        long firstCut = CUT.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        for (String observation : seen) {
            String[] versionAndMember = observation.split(" ");
            if (versionAndMember[1].equals("attempt-0")) {
                assertThat(Long.parseLong(versionAndMember[0]))
                        .as("version of a list computed by the failed attempt, seen in Redis")
                        .isLessThanOrEqualTo(firstCut);
            }
        }
        assertThat(seen).anyMatch(o -> o.endsWith("attempt-1"));
    }

    // ------------------------------------------------------------------ the job

    private JobClient startJob(Configuration config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        // checkpoints only when the test triggers them: the periodic ones would start after an hour
        env.enableCheckpointing(Duration.ofHours(1).toMillis());
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Duration.ofMinutes(59).toMillis());
        env.getCheckpointConfig().setCheckpointTimeout(3_000);
        env.getCheckpointConfig().setTolerableCheckpointFailureNumber(10);

        DataStream<Long> indices = env.fromSequence(0, Long.MAX_VALUE);
        indices.map(new Recorder())
                .name("recorder")
                .sinkTo(RedisSink.<Long>builder()
                        .setRedisUrl(redis.url())
                        .setSerializer(RedisSinkVisibilityITCase::toWrite)
                        .setMaxRetryDuration(Duration.ofSeconds(30))
                        .build())
                .name("Redis");
        indices.filter(new SnapshotHolder())
                .name("snapshot holder")
                .disableChaining()
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync("redis-sink-visibility");
    }

    /** Element = index × 10 + attempt: version = index, member = the attempt that computed it. */
    private static VersionedWrite toWrite(Long element) {
        return new VersionedWrite(
                KEY,
                element / 10,
                element / 10,
                new String[] {"attempt-" + element % 10},
                new double[] {1});
    }

    /** Tags each index with the task attempt, notes each checkpoint's cut, fails once on demand. */
    private static final class Recorder extends RichMapFunction<Long, Long> implements CheckpointedFunction {
        private long last = -1;

        @Override
        public Long map(Long index) throws Exception {
            Thread.sleep(5);
            if (index >= FAIL_AT.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("Injected failure at element " + index);
            }
            last = index;
            PROCESSED.set(index);
            int attempt = Math.min(9, getRuntimeContext().getTaskInfo().getAttemptNumber());
            return index * 10 + attempt;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            CUT.put(context.getCheckpointId(), last);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
    }

    /** Drops everything; holds its snapshot while the test says so, so the checkpoint times out. */
    private static final class SnapshotHolder implements FilterFunction<Long>, CheckpointedFunction {
        @Override
        public boolean filter(Long value) {
            return false;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            while (HOLD_SNAPSHOTS.get()) {
                Thread.sleep(10);
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
    }

    // ------------------------------------------------------------------ checks

    /**
     * Triggers a checkpoint, again while it fails because the restarted tasks are not all running
     * yet ("tasks not ready", "Task local checkpoint failure" for a task of the failed attempt).
     */
    private static long checkpointOnceRunning(ClusterClient<?> client, JobClient job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return client.triggerCheckpoint(job.getJobID(), CheckpointType.CONFIGURED).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private void watch(List<String> seen, AtomicBoolean watching) {
        try (Jedis watcher = new Jedis("127.0.0.1", redis.port())) {
            while (watching.get()) {
                String version = watcher.hget(KEY + RedisKeys.META_SUFFIX, "version");
                List<String> members = watcher.zrange(KEY, 0, -1);
                if (version != null && !members.isEmpty()) {
                    seen.add(version + " " + members.get(0));
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void assertStaysAbsent(Duration duration) throws InterruptedException {
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until) {
            assertThat(jedis.exists(KEY)).as("list visible before any checkpoint completed").isFalse();
            assertThat(jedis.exists(KEY + RedisKeys.META_SUFFIX)).isFalse();
            Thread.sleep(50);
        }
    }

    private void assertVersionStays(long version, Duration duration) throws InterruptedException {
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until) {
            assertThat(jedis.hget(KEY + RedisKeys.META_SUFFIX, "version"))
                    .as("version in Redis while the newer checkpoint is not complete")
                    .isEqualTo(Long.toString(version));
            Thread.sleep(50);
        }
    }

    private void awaitList(long version, int attempt) throws InterruptedException {
        await(() -> Long.toString(version).equals(jedis.hget(KEY + RedisKeys.META_SUFFIX, "version")),
                "version " + version + " in Redis");
        assertThat(jedis.zrange(KEY, 0, -1)).containsExactly("attempt-" + attempt);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        fail("timed out waiting for " + what);
    }
}
