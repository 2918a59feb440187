package io.streamrec.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.sinks.redis.internal.RedisUrl;
import io.streamrec.sinks.redis.internal.RedisWriteApplier;
import io.streamrec.testkit.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisRecommendationsTest {

    private static RedisServerProcess redis;

    @BeforeAll
    static void writeLists() throws Exception {
        redis = RedisServerProcess.start();
        try (RedisWriteApplier applier =
                new RedisWriteApplier(
                        RedisUrl.parse(redis.url()), Duration.ofSeconds(2), 10, Duration.ofSeconds(5))) {
            applier.apply(
                    List.of(
                            new VersionedWrite(
                                    RedisKeys.userList("rec:", "alice"),
                                    7,
                                    1234,
                                    new String[] {"b", "a", "c"},
                                    new double[] {0.5, 0.9, 0.1},
                                    Map.of("events", "12")),
                            new VersionedWrite(
                                    RedisKeys.popularList("rec:"),
                                    3,
                                    999,
                                    new String[] {"p1", "p2"},
                                    new double[] {10, 20})));
        }
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void readsAUsersListBestFirstWithItsMeta() {
        try (RedisRecommendations recommendations =
                RedisRecommendations.connect(redis.url(), "rec:")) {
            Recommendations alice = recommendations.forUser("alice");

            assertThat(alice.popularFallback()).isFalse();
            assertThat(alice.key()).isEqualTo("rec:alice");
            assertThat(alice.items())
                    .containsExactly(
                            new Recommendations.ScoredItem("a", 0.9),
                            new Recommendations.ScoredItem("b", 0.5),
                            new Recommendations.ScoredItem("c", 0.1));
            assertThat(alice.version()).hasValue(7);
            assertThat(alice.updatedMillis()).hasValue(1234);
            assertThat(alice.meta()).containsEntry("events", "12");
            assertThat(recommendations.forUser("alice", 2).itemIds()).containsExactly("a", "b");
        }
    }

    @Test
    void fallsBackToPopularItemsForUnknownUsers() {
        try (RedisRecommendations recommendations =
                RedisRecommendations.connect(redis.url(), "rec:")) {
            Recommendations bob = recommendations.forUser("bob");

            assertThat(bob.popularFallback()).isTrue();
            assertThat(bob.key()).isEqualTo("rec:_popular");
            assertThat(bob.itemIds()).containsExactly("p2", "p1");
            assertThat(bob.version()).hasValue(3);
        }
    }
}
