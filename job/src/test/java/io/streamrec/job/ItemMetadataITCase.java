package io.streamrec.job;

import io.streamrec.sinks.redis.RedisKeys;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Item metadata end to end, on a real Kafka broker and Redis at parallelism 2: the item topic's
 * categories give every user a list per configured category ({@code rec:{user}:c:{category}}) that
 * holds only that category's items; an item made unavailable leaves every user list, category list,
 * similar list and the popular list, and comes back when it is available again; invalid item
 * records go to the dead-letter topic with their reasons; a forgotten user's category lists go too.
 */
class ItemMetadataITCase {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = JobTestSupport.miniCluster();

    @RegisterExtension
    static final KafkaAndRedis INFRA = KafkaAndRedis.started();

    private static final List<String> CATEGORIES = List.of("even", "odd");

    @Test
    void unavailableItemsLeaveEveryListAndCategoryListsHoldOnlyTheirCategory() throws Exception {
        JobTestSupport.Topics topics = JobTestSupport.topics(INFRA.kafka(), "meta");
        String itemsTopic = "meta-items";
        INFRA.kafka().createTopic(itemsTopic, 1); // one partition: the refused records come after the catalogue
        StreamRecJobITCase.TestData data = StreamRecJobITCase.TestData.generate(20, 40, 400, 29);
        String prefix = "md:";
        long ts = System.currentTimeMillis() - 60_000;

        // the catalogue first: i0..i39 with a category by parity; plus records the job must refuse
        List<String> catalogue = new ArrayList<>();
        for (String item : data.expectedPerItem.keySet()) {
            catalogue.add(metadata(item, categoryOf(item), true, ts));
        }
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            many.append(i == 0 ? "" : ",").append("\"c").append(i).append('"');
        }
        catalogue.add("{\"item\":\"bad-1\",\"categories\":[" + many + "],\"ts\":" + ts + "}");
        catalogue.add("{\"item\":\"bad-2\",\"categories\":[\"\"],\"ts\":" + ts + "}");
        catalogue.add("{\"item\":\"bad-3\",\"available\":\"no\",\"ts\":" + ts + "}");
        JobTestSupport.produce(INFRA.kafka(), itemsTopic, catalogue);

        StreamRecOptions options = JobTestSupport.options(INFRA.kafka(), INFRA.redis(), topics, prefix).with(Map.of(
                StreamRecOptions.TOPIC_ITEMS.key(), itemsTopic,
                StreamRecOptions.CATEGORIES.key(), String.join(",", CATEGORIES),
                // the generated events are from 2023 and the later ones from now: no TTL may expire them meanwhile
                StreamRecOptions.ITEM_TTL.key(), "0",
                StreamRecOptions.USER_TTL.key(), "0"));
        StreamExecutionEnvironment env = JobTestSupport.environment();
        StreamRecJob.buildWithKafkaAndRedis(env, options);
        JobClient job = env.executeAsync("item metadata ITCase");
        Set<String> users = data.expectedPerUser.keySet();
        try (Jedis jedis = new Jedis(INFRA.redis().url())) {
            try {
                // The catalogue reaches the UserWorkers before the interactions: a category list is
                // written when its user is refreshed (README), and a user refreshed before the
                // catalogue arrived has none until they interact again. The refused records come
                // last in the item topic's one partition, and their dead letters are committed with
                // a checkpoint, which every operator takes after the records before them.
                assertThat(JobTestSupport.readDeadLetters(INFRA.kafka(), topics.deadLetters(), 3))
                        .as("the refused catalogue records").hasSizeGreaterThanOrEqualTo(3);
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), data.payloads);
                JobTestSupport.await(() -> JobTestSupport.countsMatch(jedis, prefix, data.expectedPerUser, data.expectedPerItem),
                        180, "every count in Redis");
                JobTestSupport.await(() -> users.stream().allMatch(u -> CATEGORIES.stream().allMatch(c ->
                        jedis.exists(RedisKeys.categoryList(prefix, u, c)))), 60, "every user's category lists");
                for (String u : users) {
                    for (String c : CATEGORIES) {
                        String key = RedisKeys.categoryList(prefix, u, c);
                        List<String> listed = jedis.zrange(key, 0, -1);
                        assertThat(listed).as(key).isNotEmpty().allMatch(item -> categoryOf(item).equals(c));
                        assertThat(listed).as("%s without the user's items", key).doesNotContainAnyElementsOf(data.itemsPerUser.get(u));
                        Map<String, String> meta = jedis.hgetAll(RedisKeys.meta(key));
                        assertThat(meta).containsKeys("version", "updated", RedisKeys.FIELD_INTERACTIONS, RedisKeys.FIELD_EVENT_TS);
                        assertThat(meta.get(RedisKeys.FIELD_INTERACTIONS)).isEqualTo(String.valueOf(data.expectedPerUser.get(u)));
                    }
                }

                // the most listed popular item becomes unavailable
                JobTestSupport.await(() -> jedis.exists(RedisKeys.popularList(prefix)), 60, "the popular list");
                String gone = mostListed(jedis, prefix, users, Set.copyOf(jedis.zrange(RedisKeys.popularList(prefix), 0, -1)));
                JobTestSupport.await(() -> !similarListsHolding(jedis, prefix, data.expectedPerItem.keySet(), gone).isEmpty(), 60,
                        "the item in other items' similar lists");
                assertThat(listsHolding(jedis, prefix, users, gone)).isNotEmpty();
                JobTestSupport.produce(INFRA.kafka(), itemsTopic, List.of(metadata(gone, categoryOf(gone), false, ts + 1000)));
                JobTestSupport.await(() -> listsHolding(jedis, prefix, users, gone).isEmpty()
                                && !jedis.zrange(RedisKeys.popularList(prefix), 0, -1).contains(gone)
                                && similarListsHolding(jedis, prefix, data.expectedPerItem.keySet(), gone).isEmpty(), 60,
                        () -> "the unavailable item out of every list; still in " + listsHolding(jedis, prefix, users, gone)
                                + ", popular " + jedis.zrange(RedisKeys.popularList(prefix), 0, -1).contains(gone)
                                + ", similar lists of " + similarListsHolding(jedis, prefix, data.expectedPerItem.keySet(), gone));
                // an older record saying it is available is ignored: still in no list after the users' next refresh
                JobTestSupport.produce(INFRA.kafka(), itemsTopic, List.of(metadata(gone, categoryOf(gone), true, ts + 500)));
                List<String> touch = new ArrayList<>();
                long now = System.currentTimeMillis();
                for (String u : users) {
                    touch.add("{\"id\":\"touch-" + u + "\",\"user\":\"" + u + "\",\"item\":\"i0\",\"type\":\"view\",\"ts\":" + now + "}");
                }
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), touch);
                JobTestSupport.await(() -> users.stream().allMatch(u -> String.valueOf(data.expectedPerUser.get(u) + 1)
                        .equals(jedis.hget(RedisKeys.meta(RedisKeys.categoryList(prefix, u, "even")), RedisKeys.FIELD_INTERACTIONS))),
                        60, "every user's lists refreshed after one more event");
                assertThat(listsHolding(jedis, prefix, users, gone)).isEmpty();

                // available again (a newer record): back in the popular list and, after refreshes, in lists
                JobTestSupport.produce(INFRA.kafka(), itemsTopic, List.of(metadata(gone, categoryOf(gone), true, ts + 2000)));
                JobTestSupport.await(() -> jedis.zrange(RedisKeys.popularList(prefix), 0, -1).contains(gone), 60,
                        () -> "the item " + gone + " back in the popular list " + jedis.zrange(RedisKeys.popularList(prefix), 0, -1)
                                + " " + jedis.hgetAll(RedisKeys.meta(RedisKeys.popularList(prefix)))
                                + "; its meta " + jedis.hgetAll(RedisKeys.meta(RedisKeys.item(prefix, gone))));
                List<String> again = new ArrayList<>();
                long later = System.currentTimeMillis();
                for (String u : users) {
                    again.add("{\"id\":\"again-" + u + "\",\"user\":\"" + u + "\",\"item\":\"i1\",\"type\":\"view\",\"ts\":" + later + "}");
                }
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), again);
                JobTestSupport.await(() -> !listsHolding(jedis, prefix, users, gone).isEmpty(), 60,
                        "the available item in a refreshed list");

                // invalid item records are dead letters with their own reasons
                List<Map<String, String>> dead = JobTestSupport.readDeadLetters(INFRA.kafka(), topics.deadLetters(), 3);
                assertThat(dead).filteredOn(d -> "items".equals(d.get("source"))).extracting(d -> d.get("reason"))
                        .containsExactlyInAnyOrder("too_many_categories", "invalid_category", "wrong_field_type");

                // a forgotten user's category lists are deleted with their list
                String forgotten = users.stream().sorted().findFirst().orElseThrow();
                JobTestSupport.produce(INFRA.kafka(), topics.interactions(), List.of("{\"id\":\"forget-1\",\"user\":\""
                        + forgotten + "\",\"type\":\"forget\",\"ts\":" + System.currentTimeMillis() + "}"));
                JobTestSupport.await(() -> !jedis.exists(RedisKeys.userList(prefix, forgotten))
                        && CATEGORIES.stream().noneMatch(c -> jedis.exists(RedisKeys.categoryList(prefix, forgotten, c))
                                || jedis.exists(RedisKeys.meta(RedisKeys.categoryList(prefix, forgotten, c)))), 60,
                        "the forgotten user's lists and category lists deleted");
            } finally {
                job.cancel().get();
            }
        }
    }

    private static String categoryOf(String item) {
        return Integer.parseInt(item.substring(1)) % 2 == 0 ? "even" : "odd";
    }

    private static String metadata(String item, String category, boolean available, long ts) {
        return "{\"item\":\"" + item + "\",\"categories\":[\"" + category + "\",\"all\"],\"available\":" + available
                + ",\"ts\":" + ts + "}";
    }

    /** Users' lists and category lists (as keys) that hold the item. */
    private static List<String> listsHolding(Jedis jedis, String prefix, Set<String> users, String item) {
        List<String> keys = new ArrayList<>();
        for (String u : users) {
            keys.add(RedisKeys.userList(prefix, u));
            CATEGORIES.forEach(c -> keys.add(RedisKeys.categoryList(prefix, u, c)));
        }
        return keys.stream().filter(k -> jedis.zrange(k, 0, -1).contains(item)).sorted().collect(Collectors.toList());
    }

    private static List<String> similarListsHolding(Jedis jedis, String prefix, Set<String> items, String item) {
        return items.stream().filter(i -> jedis.zrange(RedisKeys.similarItems(prefix, i), 0, -1).contains(item))
                .sorted().collect(Collectors.toList());
    }

    /** The item among {@code candidates} in the most user lists (ties: the smaller id). */
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
}
