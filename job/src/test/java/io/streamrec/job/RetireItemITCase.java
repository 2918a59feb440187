package io.streamrec.job;

import io.streamrec.sinks.redis.RedisKeys;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The item universe's bounds end to end, on a real Kafka broker and Redis at parallelism 2: a
 * {@code retire} record takes an item out of every list and the popular list while it still counts
 * for the users who interact with it, and {@code unretire} brings it back; {@code model.max-items}
 * keeps the model's items under the cap while every user's count stays exact; an item idle for
 * {@code state.item-ttl} leaves the model, every list, the popular list and Redis, and an
 * interaction brings it back as a new item. A retired item's similar list ({@code _sim:}) is
 * deleted and it leaves the others' until it is un-retired.
 */
class RetireItemITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    @Test
    void aRetiredItemLeavesEveryListAndComesBackWhenUnretired() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "retire");
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(20, 40, 400, 17);
        String prefix = "rt:";
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            JobClient job = JobTestSupport.startAndAwaitCounts(INFRA, topics, prefix, data, jedis, "retire ITCase");
            try {
                JobTestSupport.await(() -> jedis.exists(RedisKeys.popularList(prefix)), 60, "the popular list");
                List<String> popular = jedis.zrange(RedisKeys.popularList(prefix), 0, -1);
                String retired = mostListed(jedis, prefix, data.expectedPerUser.keySet(), Set.copyOf(popular));
                assertThat(usersListing(jedis, prefix, data.expectedPerUser.keySet(), retired)).isNotEmpty();
                JobTestSupport.await(() -> jedis.exists(RedisKeys.similarItems(prefix, retired))
                        && !similarListsHolding(jedis, prefix, data.expectedPerItem.keySet(), retired).isEmpty(), 60,
                        "the item to retire with a similar list, and in others'");
                String itemMeta = RedisKeys.meta(RedisKeys.item(prefix, retired));
                String countBefore = jedis.hget(itemMeta, RedisKeys.FIELD_INTERACTIONS);

                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), List.of(
                        "{\"id\":\"retire-1\",\"item\":\"" + retired + "\",\"type\":\"retire\",\"ts\":" + System.currentTimeMillis() + "}"));
                JobTestSupport.await(() -> usersListing(jedis, prefix, data.expectedPerUser.keySet(), retired).isEmpty()
                                && !jedis.zrange(RedisKeys.popularList(prefix), 0, -1).contains(retired), 60,
                        "the retired item to leave every list and the popular list");
                // its similar list is deleted, and it leaves the other items' similar lists
                JobTestSupport.await(() -> !jedis.exists(RedisKeys.similarItems(prefix, retired))
                                && similarListsHolding(jedis, prefix, data.expectedPerItem.keySet(), retired).isEmpty(), 60,
                        "the retired item's similar list deleted and the item out of every similar list");

                // a user who never had it interacts with it: counted for the user, not for the item
                String user = data.expectedPerUser.keySet().stream()
                        .filter(u -> !data.itemsPerUser.get(u).contains(retired)).sorted().findFirst().orElseThrow();
                long userBefore = data.expectedPerUser.get(user);
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), List.of(
                        "{\"id\":\"after-retire\",\"user\":\"" + user + "\",\"item\":\"" + retired
                                + "\",\"type\":\"purchase\",\"ts\":" + System.currentTimeMillis() + "}"));
                String userMeta = RedisKeys.meta(RedisKeys.userList(prefix, user));
                JobTestSupport.await(() -> String.valueOf(userBefore + 1).equals(jedis.hget(userMeta, RedisKeys.FIELD_INTERACTIONS)),
                        60, "the user's count to include the interaction with the retired item");
                assertThat(jedis.hget(itemMeta, RedisKeys.FIELD_INTERACTIONS)).isEqualTo(countBefore);
                assertThat(usersListing(jedis, prefix, data.expectedPerUser.keySet(), retired)).isEmpty();

                // un-retired: lists refreshed from now on may hold it again
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), List.of(
                        "{\"id\":\"unretire-1\",\"item\":\"" + retired + "\",\"type\":\"unretire\",\"ts\":" + System.currentTimeMillis() + "}"));
                JobTestSupport.await(() -> jedis.zrange(RedisKeys.popularList(prefix), 0, -1).contains(retired), 60,
                        "the un-retired item back in the popular list");
                JobTestSupport.await(() -> jedis.exists(RedisKeys.similarItems(prefix, retired)), 60,
                        "the un-retired item's similar list back");
                List<String> again = new ArrayList<>();
                long ts = System.currentTimeMillis();
                for (String u : data.expectedPerUser.keySet()) {
                    again.add("{\"id\":\"again-" + u + "\",\"user\":\"" + u + "\",\"item\":\"i0\",\"type\":\"view\",\"ts\":" + ts + "}");
                }
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), again);
                JobTestSupport.await(() -> !usersListing(jedis, prefix, data.expectedPerUser.keySet(), retired).isEmpty(),
                        60, "the un-retired item in a refreshed list");
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void maxItemsKeepsTheModelUnderTheCapWhileEveryUserIsCountedExactly() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "capped");
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(20, 40, 400, 23);
        String prefix = "cp:";
        int maxItems = 20;
        // parallelism 2 of max parallelism 128: each ItemServer subtask keeps 64 key groups, a share of 10
        Map<Integer, Integer> perSubtask = new HashMap<>();
        for (String item : data.expectedPerItem.keySet()) {
            perSubtask.merge(KeyGroupRangeAssignment.assignKeyToParallelOperator(item, 128, 2), 1, Integer::sum);
        }
        int expectedItems = perSubtask.values().stream().mapToInt(n -> Math.min(n, 10)).sum();
        assertThat(expectedItems).isLessThanOrEqualTo(maxItems).isLessThan(data.expectedPerItem.size());

        JobTestSupport.produce(INFRA.kafka(), topics.interactions(), data.payloads);
        StreamRecOptions options = JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, prefix)
                .with(Map.of(StreamRecOptions.MAX_ITEMS.key(), String.valueOf(maxItems)));
        JobClient job = JobTestSupport.start(options, StreamRecJob.redisSink(options), "max-items ITCase");
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            try {
                // every interaction counts for its user, refused items included
                JobTestSupport.await(() -> JobTestSupport.countsMatch(jedis, prefix, data.expectedPerUser, Map.of()), 180,
                        "every user's count in Redis");
                JobTestSupport.await(() -> inModel(jedis, prefix, data.expectedPerItem.keySet()).size() == expectedItems, 60,
                        expectedItems + " items in the model");
                Set<String> admitted = inModel(jedis, prefix, data.expectedPerItem.keySet());
                for (String item : admitted) {
                    long count = Long.parseLong(jedis.hget(RedisKeys.meta(RedisKeys.item(prefix, item)), RedisKeys.FIELD_INTERACTIONS));
                    assertThat(count).as(item).isBetween(1L, data.expectedPerItem.get(item));
                }
                JobTestSupport.assertCountsExact(jedis, prefix, data.expectedPerUser, Map.of());
                assertThat(inModel(jedis, prefix, data.expectedPerItem.keySet())).isEqualTo(admitted);
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void anItemIdleForTheItemTtlLeavesTheModelEveryListAndRedisAndComesBackAsANewItem() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "item-ttl");
        String prefix = "it:";
        long now = System.currentTimeMillis();
        List<String> users = new ArrayList<>();
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            users.add("u" + i);
        }
        for (int i = 0; i < 10; i++) {
            items.add("i" + i);
        }
        // four hours ago: every user clicks three items, half of them also x; with 11 items and
        // top-10 lists, x is in the list of every user who has not clicked it
        List<String> early = new ArrayList<>();
        Map<String, Long> perUser = new HashMap<>();
        for (int u = 0; u < users.size(); u++) {
            for (int k = 0; k < 3; k++) {
                early.add(click("e" + u + "-" + k, users.get(u), items.get((u + 3 * k) % 10), now - 4 * HOUR + u * 1000L + k));
            }
            if (u % 2 == 0) {
                early.add(click("x" + u, users.get(u), "x", now - 4 * HOUR + u * 1000L + 5));
            }
            perUser.put(users.get(u), u % 2 == 0 ? 4L : 3L);
        }
        JobTestSupport.produce(INFRA.kafka(), topics.interactions(), early);
        StreamRecOptions options = JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, prefix)
                .with(Map.of(StreamRecOptions.ITEM_TTL.key(), "2 h", StreamRecOptions.USER_TTL.key(), "0"));
        JobClient job = JobTestSupport.start(options, StreamRecJob.redisSink(options), "item-ttl ITCase");
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            try {
                JobTestSupport.await(() -> JobTestSupport.countsMatch(jedis, prefix, perUser, Map.of("x", 10L)), 120,
                        "every user's count and x's in Redis");
                Set<String> userSet = Set.copyOf(users);
                List<String> listingX = usersListing(jedis, prefix, userSet, "x");
                assertThat(listingX).hasSize(10);
                JobTestSupport.await(() -> jedis.zrange(RedisKeys.popularList(prefix), 0, -1).contains("x"), 60,
                        "x in the popular list");
                String xMeta = RedisKeys.meta(RedisKeys.item(prefix, "x"));
                assertThat(jedis.pttl(xMeta)).as("the item meta's TTL in Redis").isBetween(HOUR, 2 * HOUR);

                // an hour ago: every item but x gets a click; the newest interaction time the
                // ItemServers applied passes x's last one plus 2 h
                List<String> late = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    late.add(click("l" + i, users.get(i), items.get((i + 5) % 10), now - HOUR + i));
                    perUser.merge(users.get(i), 1L, Long::sum);
                }
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), late);
                JobTestSupport.await(() -> !jedis.exists(xMeta)
                                && usersListing(jedis, prefix, userSet, "x").isEmpty()
                                && !jedis.zrange(RedisKeys.popularList(prefix), 0, -1).contains("x"), 120,
                        "x to leave Redis, every list and the popular list");
                JobTestSupport.assertCountsExact(jedis, prefix, perUser, Map.of());
                assertThat(inModel(jedis, prefix, Set.copyOf(items))).containsExactlyElementsOf(new java.util.TreeSet<>(items));

                // a click brings x back, as a new item with that one interaction
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), List.of(click("x-again", "u1", "x", now)));
                JobTestSupport.await(() -> "1".equals(jedis.hget(xMeta, RedisKeys.FIELD_INTERACTIONS)), 60,
                        "x back in Redis with one interaction");
            } finally {
                job.cancel().get();
            }
        }
    }

    private static final long HOUR = 3_600_000L;

    private static String click(String id, String user, String item, long ts) {
        return "{\"id\":\"" + id + "\",\"user\":\"" + user + "\",\"item\":\"" + item + "\",\"type\":\"click\",\"ts\":" + ts + "}";
    }

    /** The items with stats in Redis, i.e. those the ItemServers hold. */
    private static Set<String> inModel(Jedis jedis, String prefix, Set<String> items) {
        return items.stream().filter(i -> jedis.exists(RedisKeys.meta(RedisKeys.item(prefix, i))))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The item among {@code candidates} in the most lists (ties: the smaller id). */
    private static String mostListed(Jedis jedis, String prefix, Set<String> users, Set<String> candidates) {
        Map<String, Integer> listed = new TreeMap<>();
        for (String u : users) {
            for (String item : jedis.zrange(RedisKeys.userList(prefix, u), 0, -1)) {
                if (candidates.contains(item)) {
                    listed.merge(item, 1, Integer::sum);
                }
            }
        }
        return listed.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder()))).orElseThrow().getKey();
    }

    private static List<String> similarListsHolding(Jedis jedis, String prefix, Set<String> items, String item) {
        return items.stream().filter(i -> jedis.zrange(RedisKeys.similarItems(prefix, i), 0, -1).contains(item))
                .sorted().collect(Collectors.toList());
    }

    private static List<String> usersListing(Jedis jedis, String prefix, Set<String> users, String item) {
        return users.stream().filter(u -> jedis.zrange(RedisKeys.userList(prefix, u), 0, -1).contains(item))
                .sorted().collect(Collectors.toList());
    }
}
