package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.testkit.InteractionGenerator.Config;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InteractionProducerTest {

    @Test
    void sendsEveryGeneratedRecordOnceAndInOrderPerPartition() {
        List<String> records = new InteractionGenerator(Config.builder().seed(3).build())
                .records(2000).collect(Collectors.toList());
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("interactions", 1);

            long sent = InteractionProducer.produce(kafka.bootstrapServers(), "interactions", records.stream());

            assertThat(sent).isEqualTo(2000);
            assertThat(EmbeddedKafkaTest.consumeAll(kafka.bootstrapServers(), "interactions", 2000))
                    .containsExactlyElementsOf(records);
        }
    }

    @Test
    void ratesLimitWallClockThroughput() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                InteractionProducer producer = new InteractionProducer(kafka.bootstrapServers())) {
            kafka.createTopic("paced", 1);
            long start = System.nanoTime();
            long sent = producer.send("paced", List.of("a", "b", "c", "d", "e", "f").iterator(), 10.0);
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(sent).isEqualTo(6);
            assertThat(seconds).isGreaterThan(0.5);
        }
    }
}
