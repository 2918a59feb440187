package io.streamrec.job;

import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.VersionedWrite;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A repair into the live prefix (issue 9, defect 4): run A writes lists, a savepoint is taken, A
 * goes on (more events, new users and items) and stops; run B restores that earlier savepoint into
 * the same prefix. At the end every key B's state holds carries B's epoch: every user's list and
 * meta, also of users B never sees an event for, every item's meta, the popular list and the
 * similar lists; and no meta field ever moved backwards, though B started behind what A had shown.
 */
class RunTakeoverITCase {

    private static final String PREFIX = "take:";

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    @TempDir
    Path tmp;

    @Test
    void aRunRestoredFromAnEarlierSavepointTakesOverEveryKeyAndNoMetaFieldMovesBackwards() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "takeover");
        StreamRecOptions options = JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, PREFIX);
        StreamRecJobITCase.TestData early = StreamRecJobITCase.TestData.generate(30, 40, 400, 31);
        Map<String, Long> perUser = new HashMap<>(early.expectedPerUser);
        Map<String, Long> perItem = new HashMap<>(early.expectedPerItem);
        // after the savepoint: five of the users, five new users, five new items
        List<String> later = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String user = i % 2 == 0 ? "u" + (i % 5) : "n" + (i % 5);
            String item = i % 3 == 0 ? "j" + (i % 5) : "i" + (i % 40);
            later.add("{\"id\":\"later-" + i + "\",\"user\":\"" + user + "\",\"item\":\"" + item
                    + "\",\"type\":\"click\",\"ts\":" + (1_700_001_000_000L + 1000L * i) + "}");
            perUser.merge(user, 1L, Long::sum);
            perItem.merge(item, 1L, Long::sum);
        }
        Set<String> inactiveAfterSavepoint = new TreeSet<>(early.expectedPerUser.keySet());
        for (int u = 0; u < 5; u++) {
            inactiveAfterSavepoint.remove("u" + u);
        }
        assertThat(inactiveAfterSavepoint).hasSizeGreaterThan(10);

        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            // run A: the early events, a savepoint, then the later ones
            JobTestSupport.produce(INFRA.kafka(), topics.interactions(), early.payloads);
            JobClient runA = start(options, null, "run A");
            String savepoint;
            try {
                JobTestSupport.await(() -> JobTestSupport.countsMatch(jedis, PREFIX, early.expectedPerUser,
                        early.expectedPerItem), 180, "run A's early counts");
                savepoint = runA.triggerSavepoint(tmp.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), later);
                JobTestSupport.await(() -> JobTestSupport.countsMatch(jedis, PREFIX, perUser, perItem), 180,
                        "run A's later counts");
                JobTestSupport.await(() -> jedis.exists(RedisKeys.popularList(PREFIX)), 60, "run A's popular list");
            } finally {
                runA.cancel().get();
            }
            Set<String> items = perItem.keySet();
            MetaWatch watch = new MetaWatch(jedis, perUser.keySet(), items);
            watch.check(); // what run A left: the floor of every meta field
            long epochA = epochOf(jedis, RedisKeys.meta(RedisKeys.userList(PREFIX, "u0")));
            assertThat(watch.epochs()).as("every key of run A").containsOnly(epochA);

            // run B: a repair from the early savepoint into the same prefix
            JobClient runB = start(options, savepoint, "run B");
            try {
                long epochB = Long.parseLong(jedis.get(RedisKeys.epoch(PREFIX)));
                assertThat(epochB).isGreaterThan(epochA);
                JobTestSupport.await(() -> {
                    watch.check();
                    return watch.epochs().equals(Set.of(epochB))
                            && epochOf(jedis, RedisKeys.meta(RedisKeys.popularList(PREFIX))) == epochB
                            && similarEpochs(jedis, items).equals(Set.of(epochB))
                            && JobTestSupport.countsMatch(jedis, PREFIX, perUser, perItem);
                }, 240, () -> "every key with run B's epoch " + epochB + "; keys per epoch now " + watch.keysPerEpoch()
                        + ", popular " + epochOf(jedis, RedisKeys.meta(RedisKeys.popularList(PREFIX)))
                        + ", similar " + similarEpochs(jedis, items));
                JobTestSupport.assertCountsExact(jedis, PREFIX, perUser, perItem);
                for (String user : inactiveAfterSavepoint) {
                    assertThat(jedis.zcard(RedisKeys.userList(PREFIX, user))).as("list of %s", user).isPositive();
                }
                assertThat(watch.movedBack()).as("meta fields that moved backwards").isEmpty();
            } finally {
                runB.cancel().get();
            }
        }
    }

    private static JobClient start(StreamRecOptions options, String savepoint, String name) throws Exception {
        StreamExecutionEnvironment env = JobTestSupport.environment(savepoint);
        StreamRecJob.buildWithKafkaAndRedis(env, options); // claims its epoch in take:_epoch
        return env.executeAsync(name);
    }

    private static long epochOf(Jedis jedis, String metaKey) {
        String version = jedis.hget(metaKey, VersionedWrite.VERSION_FIELD);
        return version == null ? -1 : Long.parseLong(version) >>> 32;
    }

    private static Set<Long> similarEpochs(Jedis jedis, Set<String> items) {
        Set<Long> epochs = new TreeSet<>();
        for (String item : items) {
            String key = RedisKeys.meta(RedisKeys.similarItems(PREFIX, item));
            if (jedis.exists(key)) {
                epochs.add(epochOf(jedis, key));
            }
        }
        return epochs;
    }

    /** Every user's and item's meta, read again and again: the epochs it shows and any field that ever went down. */
    private static final class MetaWatch {
        private final Jedis jedis;
        private final Map<String, String[]> fieldsPerKey = new HashMap<>();
        private final Map<String, Long> highest = new HashMap<>();
        private final Map<String, Long> epochs = new HashMap<>();
        private final List<String> movedBack = new ArrayList<>();

        MetaWatch(Jedis jedis, Set<String> users, Set<String> items) {
            this.jedis = jedis;
            for (String user : users) {
                fieldsPerKey.put(RedisKeys.meta(RedisKeys.userList(PREFIX, user)),
                        new String[] {RedisKeys.FIELD_INTERACTIONS, RedisKeys.FIELD_EVENT_TS});
            }
            for (String item : items) {
                fieldsPerKey.put(RedisKeys.meta(RedisKeys.item(PREFIX, item)),
                        new String[] {RedisKeys.FIELD_INTERACTIONS, RedisKeys.FIELD_LAST_TS});
            }
        }

        void check() {
            fieldsPerKey.forEach((key, fields) -> {
                Map<String, String> meta = jedis.hgetAll(key);
                epochs.put(key, meta.containsKey(VersionedWrite.VERSION_FIELD)
                        ? Long.parseLong(meta.get(VersionedWrite.VERSION_FIELD)) >>> 32 : -1);
                for (String field : fields) {
                    if (meta.containsKey(field)) {
                        long value = Long.parseLong(meta.get(field));
                        Long before = highest.get(key + "#" + field);
                        if (before != null && value < before) {
                            movedBack.add(key + "#" + field + ": " + before + " -> " + value);
                        } else {
                            highest.put(key + "#" + field, value);
                        }
                    }
                }
            });
        }

        Set<Long> epochs() {
            return new TreeSet<>(epochs.values());
        }

        Map<Long, Long> keysPerEpoch() {
            Map<Long, Long> keysPerEpoch = new java.util.TreeMap<>();
            epochs.values().forEach(e -> keysPerEpoch.merge(e, 1L, Long::sum));
            return keysPerEpoch;
        }

        List<String> movedBack() {
            return movedBack;
        }
    }
}
