package io.streamrec.job;

import io.streamrec.sinks.redis.Recommendations;
import io.streamrec.sinks.redis.RedisKeys;
import io.streamrec.sinks.redis.RedisRecommendations;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Similar-item lists end to end, on a real Kafka broker and Redis at parallelism 2, across a
 * failure of the Redis writer (the job restores from its checkpoint; no list version goes down): users in two
 * taste groups that never cross (group a buys only items a0..a9, group b only b0..b9), so every
 * item's first nine are known: the rest of its own group, ahead of every item of the other.
 */
class SimilarItemsITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    private static final int ITEMS_PER_GROUP = 10;

    @Test
    void everyItemsSimilarListPutsItsOwnGroupFirstAcrossAFailure() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "similar");
        StreamRecJobITCase.TestData data = twoGroups(40, 30, 5);
        String prefix = "sim:";
        JobTestSupport.FAILURES_INJECTED.set(0);
        int half = data.payloads.size() / 2;
        JobTestSupport.produce(INFRA.kafka(), topics.interactions(), data.payloads.subList(0, half));
        StreamRecOptions options = JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, prefix);
        JobClient job = JobTestSupport.start(options, JobTestSupport.redisSinkFailingOnce(options), "similar-items ITCase");
        Map<String, Long> versions = new HashMap<>();
        try (Jedis jedis = new Jedis(INFRA.redis().url());
             RedisRecommendations reader = RedisRecommendations.connect(INFRA.redis().url(), prefix)) {
            try {
                // the first lists are in Redis: the Redis writer fails once on the second half, the job restores and goes on
                JobTestSupport.await(() -> jedis.exists(RedisKeys.similarItems(prefix, "a0")), 90, "a first similar list");
                JobTestSupport.FAILURE_ARMED.set(true);
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), data.payloads.subList(half, data.payloads.size()));
                // lists follow the vectors: wait until those computed after the last moves are committed
                JobTestSupport.await(() -> versionsNeverGoDown(reader, data.expectedPerItem.keySet(), versions)
                                && JobTestSupport.FAILURES_INJECTED.get() == 1
                                && JobTestSupport.countsMatch(jedis, prefix, data.expectedPerUser, data.expectedPerItem)
                                && data.expectedPerItem.keySet().stream()
                                        .allMatch(item -> ownGroupFirst(item, reader.similarTo(item, 100))), 120,
                        "every count, and every item's similar list to start with its own group");
                assertThat(JobTestSupport.FAILURES_INJECTED.get()).isEqualTo(1);
                for (String item : data.expectedPerItem.keySet()) {
                    Recommendations similar = reader.similarTo(item, 100);
                    assertThat(similar.key()).isEqualTo(prefix + "_sim:" + item);
                    // recs.similar-n 20 (the default) of 20 items: every other item, the item itself left out
                    assertThat(similar.items()).hasSize(2 * ITEMS_PER_GROUP - 1);
                    List<String> ids = similar.items().stream().map(Recommendations.ScoredItem::item).toList();
                    assertThat(ids).doesNotContain(item).doesNotHaveDuplicates();
                    assertThat(ids.subList(0, ITEMS_PER_GROUP - 1)).allMatch(i -> i.charAt(0) == item.charAt(0));
                    assertThat(similar.items()).extracting(Recommendations.ScoredItem::score)
                            .isSortedAccordingTo(java.util.Comparator.reverseOrder());
                    assertThat(similar.meta()).containsKey(RedisKeys.FIELD_INTERACTIONS);
                }
                // next to the users' lists, not instead of them
                assertThat(jedis.zrange(RedisKeys.userList(prefix, "ua0"), 0, -1)).isNotEmpty();
            } finally {
                job.cancel().get();
            }
        }
    }

    /** Reads every item's list version and fails if one ever went down since the last read; true to go on waiting. */
    private static boolean versionsNeverGoDown(RedisRecommendations reader, Set<String> items, Map<String, Long> seen) {
        for (String item : items) {
            var version = reader.similarTo(item, 1).version();
            if (version.isPresent()) {
                Long before = seen.put(item, version.getAsLong());
                assertThat(version.getAsLong()).as("version of %s's similar list", item)
                        .isGreaterThanOrEqualTo(before == null ? 0 : before);
            }
        }
        return true;
    }

    /** True when the list is complete and its first nine items are the rest of the item's group. */
    private static boolean ownGroupFirst(String item, Recommendations similar) {
        if (similar.items().size() < 2 * ITEMS_PER_GROUP - 1) {
            return false;
        }
        for (int i = 0; i < ITEMS_PER_GROUP - 1; i++) {
            if (similar.items().get(i).item().charAt(0) != item.charAt(0)) {
                return false;
            }
        }
        return true;
    }

    /** {@code usersPerGroup} users in each group, each with {@code eventsPerUser} events on their group's items only. */
    private static StreamRecJobITCase.TestData twoGroups(int usersPerGroup, int eventsPerUser, long seed) {
        StreamRecJobITCase.TestData d = new StreamRecJobITCase.TestData();
        SplittableRandom random = new SplittableRandom(seed);
        String[] types = {"click", "purchase", "like"};
        long ts = 1_700_000_000_000L;
        List<String> users = new ArrayList<>();
        for (int u = 0; u < usersPerGroup; u++) {
            users.add("ua" + u);
            users.add("ub" + u);
        }
        int id = 0;
        for (int round = 0; round < eventsPerUser; round++) {
            for (String user : users) {
                String item = user.charAt(1) + Integer.toString(random.nextInt(ITEMS_PER_GROUP));
                ts += random.nextInt(1, 200);
                d.payloads.add("{\"id\":\"s-" + id++ + "\",\"user\":\"" + user + "\",\"item\":\"" + item
                        + "\",\"type\":\"" + types[random.nextInt(types.length)] + "\",\"ts\":" + ts + "}");
                d.expectedPerUser.merge(user, 1L, Long::sum);
                d.expectedPerItem.merge(item, 1L, Long::sum);
                d.itemsPerUser.computeIfAbsent(user, x -> new java.util.HashSet<>()).add(item);
            }
        }
        return d;
    }
}
