package io.streamrec.job;

import io.streamrec.testkit.EmbeddedKafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class JobTopicsITCase {

    @Test
    void createsTheJobsMissingTopicsOnceWithTheGivenPartitions() throws Exception {
        StreamRecOptions options = StreamRecOptions.fromMap(Map.of(
                StreamRecOptions.TOPIC_INTERACTIONS.key(), "t-in",
                StreamRecOptions.TOPIC_GRADIENTS.key(), "t-grad",
                StreamRecOptions.TOPIC_DEAD_LETTERS.key(), "t-dlq",
                StreamRecOptions.TOPIC_ITEMS.key(), "t-items"));
        assertThat(JobTopics.of(options)).containsExactly("t-in", "t-grad", "t-dlq", "t-items");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            kafka.createTopic("t-dlq", 1);
            assertThat(JobTopics.ensure(admin, options, 3, 30_000)).containsExactly("t-in", "t-grad", "t-items");
            assertThat(JobTopics.ensure(admin, options, 3, 30_000)).isEmpty();
            var described = admin.describeTopics(List.of("t-in", "t-grad", "t-dlq")).allTopicNames().get();
            assertThat(described.get("t-in").partitions()).hasSize(3);
            assertThat(described.get("t-grad").partitions()).hasSize(3);
            assertThat(described.get("t-dlq").partitions()).hasSize(1);
        }
    }
}
