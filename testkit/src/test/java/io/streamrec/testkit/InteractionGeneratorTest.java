package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamrec.testkit.InteractionGenerator.Config;
import io.streamrec.testkit.InteractionGenerator.MalformedKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InteractionGeneratorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sameSeedGivesTheSameStreamAndAnotherSeedADifferentOne() {
        Config config = Config.builder().seed(7).malformedFraction(0.05).duplicateFraction(0.05).build();
        List<String> first = new InteractionGenerator(config).records(5000).collect(Collectors.toList());
        List<String> second = new InteractionGenerator(config).records(5000).collect(Collectors.toList());
        List<String> other = new InteractionGenerator(Config.builder().seed(8).build())
                .records(5000).collect(Collectors.toList());

        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void recordsFollowTheInputContract() throws Exception {
        long start = 1_700_000_000_000L;
        InteractionGenerator generator = new InteractionGenerator(
                Config.builder().users(200).items(100).startTimestampMillis(start).eventsPerSecond(50).build());
        Set<String> ids = new HashSet<>();
        long previousTs = start;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            JsonNode node = JSON.readTree(generator.next());
            assertThat(ids.add(node.get("id").asText())).isTrue();
            assertThat(node.get("id").asText()).startsWith("e-");
            assertThat(node.get("user").asText()).matches("u([1-9]|[1-9][0-9]|1[0-9][0-9]|200)");
            assertThat(node.get("item").asText()).matches("i([1-9]|[1-9][0-9]|100)");
            assertThat(Interaction.TYPES).contains(node.get("type").asText());
            if (node.get("type").asText().equals("rating")) {
                assertThat(node.get("value").isNumber()).isTrue();
                assertThat(node.get("value").asDouble()).isBetween(1.0, 5.0);
                assertThat(node.get("value").asDouble() % 1.0).isZero();
            }
            long ts = node.get("ts").asLong();
            assertThat(ts).isGreaterThanOrEqualTo(previousTs);
            previousTs = ts;
        }
        // 50 events per second of event time: n events span about n / 50 seconds.
        assertThat((previousTs - start) / 1000.0).isCloseTo(n / 50.0, within(n / 50.0 * 0.05));
        assertThat(generator.validCount()).isEqualTo(n);
    }

    @Test
    void jsonEscapesAndOmitsAbsentValue() {
        Interaction event = new Interaction("e-1", "a\"b", "i\\1", "view", null, 5L);
        assertThat(event.toJson()).isEqualTo("{\"id\":\"e-1\",\"user\":\"a\\\"b\",\"item\":\"i\\\\1\",\"type\":\"view\",\"ts\":5}");
        assertThat(new Interaction("e-2", "u1", "i2", "rating", 4.0, 7L).toJson())
                .isEqualTo("{\"id\":\"e-2\",\"user\":\"u1\",\"item\":\"i2\",\"type\":\"rating\",\"value\":4.0,\"ts\":7}");
    }

    @Test
    void itemPopularityIsZipfSkewed() {
        InteractionGenerator generator = new InteractionGenerator(Config.builder().users(1000).items(500).build());
        Map<String, Integer> counts = new HashMap<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            counts.merge(generator.nextInteraction().item(), 1, Integer::sum);
        }
        int[] sorted = counts.values().stream().mapToInt(Integer::intValue).sorted().toArray();
        int top = sorted[sorted.length - 1];
        int median = sorted[sorted.length / 2];
        long top50 = Arrays.stream(sorted).skip(Math.max(0, sorted.length - 50)).sum();

        assertThat(top).isGreaterThan(20 * median);
        // Zipf(1) over 500 items puts about two thirds of the mass on the 50 most popular.
        assertThat(top50 / (double) n).isGreaterThan(0.45);
    }

    @Test
    void userActivityIsSkewed() {
        InteractionGenerator generator = new InteractionGenerator(Config.builder().users(1000).build());
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            counts.merge(generator.nextInteraction().user(), 1, Integer::sum);
        }
        int[] sorted = counts.values().stream().mapToInt(Integer::intValue).sorted().toArray();
        long top10Percent = Arrays.stream(sorted).skip(sorted.length - 100).sum();
        assertThat(top10Percent / 100_000.0).isGreaterThan(0.25);
    }

    @Test
    void viewsDominateAndTypesHavePlausibleFrequencies() {
        InteractionGenerator generator = new InteractionGenerator(Config.builder().build());
        Map<String, Integer> counts = new HashMap<>();
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            counts.merge(generator.nextInteraction().type(), 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(Interaction.TYPES);
        assertThat(counts.get("view")).isGreaterThan(counts.get("click"));
        assertThat(counts.get("click")).isGreaterThan(counts.get("cart"));
        assertThat(counts.get("cart")).isGreaterThan(counts.get("purchase"));
        assertThat(counts.get("view") / (double) n).isBetween(0.35, 0.65);
        assertThat(counts.get("rating") / (double) n).isBetween(0.01, 0.06);
    }

    @Test
    void usersMostlyMeetItemsCloseToTheirTaste() {
        InteractionGenerator generator = new InteractionGenerator(Config.builder().tasteDriftPerDay(0).build());
        List<Interaction> events = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            events.add(generator.nextInteraction());
        }
        double meanChosen = events.stream().mapToDouble(e -> generator.affinity(e.user(), e.item())).average().orElseThrow();
        double meanLike = meanAffinity(generator, events, "like");
        double meanDislike = meanAffinity(generator, events, "dislike");
        double meanRandom = 0;
        for (int u = 1; u <= 100; u++) {
            for (int i = 1; i <= 100; i++) {
                meanRandom += generator.affinity("u" + u, "i" + i) / 10_000;
            }
        }
        assertThat(meanRandom).isCloseTo(0.0, within(0.15));
        assertThat(meanChosen).isGreaterThan(0.8);
        assertThat(meanLike).isGreaterThan(meanDislike + 0.5);
        double highRatings = events.stream().filter(e -> e.type().equals("rating"))
                .mapToDouble(e -> generator.affinity(e.user(), e.item()) * (e.value() - 3)).average().orElseThrow();
        assertThat(highRatings).as("ratings rise with affinity").isPositive();
    }

    @Test
    void tastesDriftOnlyWhenDriftIsEnabled() {
        // One event every ~2 hours of event time: 2000 events span about 170 days.
        Config drifting = Config.builder().users(5).tasteDriftPerDay(0.2).eventsPerSecond(1.0 / 7200).build();
        Config frozen = Config.builder().users(5).tasteDriftPerDay(0).eventsPerSecond(1.0 / 7200).build();
        assertThat(affinityChange(drifting)).isGreaterThan(0.5);
        assertThat(affinityChange(frozen)).isZero();
    }

    @Test
    void injectsTheConfiguredMalformedKindsAndDuplicates() {
        InteractionGenerator generator = new InteractionGenerator(
                Config.builder().malformedFraction(0.1).duplicateFraction(0.1).build());
        int n = 20_000;
        Map<String, Integer> idCounts = new HashMap<>();
        int unparseable = 0;
        int missingUser = 0;
        int unknownType = 0;
        int oversized = 0;
        int outOfRange = 0;
        int ratingWithoutValue = 0;
        for (int i = 0; i < n; i++) {
            String record = generator.next();
            JsonNode node;
            try {
                node = JSON.readTree(record);
            } catch (Exception e) {
                unparseable++;
                continue;
            }
            idCounts.merge(node.get("id").asText(), 1, Integer::sum);
            if (!node.has("user")) {
                missingUser++;
            } else if (node.get("user").asText().length() == InteractionGenerator.OVERSIZED_ID_LENGTH) {
                oversized++;
            }
            if (node.get("type").asText().equals("teleport")) {
                unknownType++;
            }
            if (node.get("type").asText().equals("rating")) {
                if (!node.has("value")) {
                    ratingWithoutValue++;
                } else if (node.get("value").asDouble() > 5) {
                    outOfRange++;
                }
            }
        }
        Map<MalformedKind, Long> kinds = generator.malformedCounts();
        assertThat(kinds.keySet()).containsExactlyInAnyOrder(MalformedKind.values());
        assertThat(generator.malformedCount()).isBetween(1700L, 2300L);
        assertThat(generator.duplicateCount()).isBetween(1700L, 2300L);
        assertThat(generator.validCount() + generator.malformedCount() + generator.duplicateCount()).isEqualTo(n);

        assertThat((long) unparseable).isEqualTo((long) (kinds.get(MalformedKind.NOT_JSON) + kinds.get(MalformedKind.NAN_VALUE)));
        assertThat((long) missingUser).isEqualTo(kinds.get(MalformedKind.MISSING_USER));
        assertThat((long) unknownType).isEqualTo(kinds.get(MalformedKind.UNKNOWN_TYPE));
        assertThat((long) oversized).isEqualTo(kinds.get(MalformedKind.OVERSIZED_USER_ID));
        assertThat((long) outOfRange).isEqualTo(kinds.get(MalformedKind.RATING_OUT_OF_RANGE));
        assertThat((long) ratingWithoutValue).isEqualTo(kinds.get(MalformedKind.RATING_WITHOUT_VALUE));
        long repeats = idCounts.entrySet().stream().filter(e -> e.getKey().startsWith("e-"))
                .mapToLong(e -> e.getValue() - 1).sum();
        assertThat(repeats).isEqualTo(generator.duplicateCount());
    }

    @Test
    void onlyTheChosenMalformedKindsAreProduced() {
        InteractionGenerator generator = new InteractionGenerator(Config.builder()
                .malformedFraction(0.5).malformedKinds(Set.of(MalformedKind.UNKNOWN_TYPE)).build());
        generator.records(1000).forEach(r -> { });
        assertThat(generator.malformedCounts()).containsOnlyKeys(MalformedKind.UNKNOWN_TYPE);
    }

    @Test
    void invalidSettingsAreRejectedByName() {
        assertThatThrownBy(() -> Config.builder().users(0).build()).hasMessageContaining("users");
        assertThatThrownBy(() -> Config.builder().eventsPerSecond(0).build()).hasMessageContaining("eventsPerSecond");
        assertThatThrownBy(() -> Config.builder().malformedFraction(0.7).duplicateFraction(0.7).build())
                .hasMessageContaining("malformedFraction + duplicateFraction");
        assertThatThrownBy(() -> Config.builder().malformedFraction(0.1).malformedKinds(Set.of()).build())
                .hasMessageContaining("malformedKinds");
    }

    private static double meanAffinity(InteractionGenerator g, List<Interaction> events, String type) {
        return events.stream().filter(e -> e.type().equals(type))
                .mapToDouble(e -> g.affinity(e.user(), e.item())).average().orElseThrow();
    }

    private static double affinityChange(Config config) {
        InteractionGenerator generator = new InteractionGenerator(config);
        double[] before = new double[50];
        for (int i = 0; i < 50; i++) {
            before[i] = generator.affinity("u1", "i" + (i + 1));
        }
        for (int i = 0; i < 2000; i++) {
            generator.nextInteraction();
        }
        double change = 0;
        for (int i = 0; i < 50; i++) {
            change += Math.abs(generator.affinity("u1", "i" + (i + 1)) - before[i]) / 50;
        }
        return change;
    }
}
