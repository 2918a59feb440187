package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {

    @Test
    void readCommittedConsumerSeesOnlyCommittedTransactionalRecords() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Path dataDir;
        long startNanos = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            long startMillis = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
            System.out.println("Embedded Kafka start took " + startMillis + " ms");
            dataDir = dataDirOf(kafka);
            assertThat(dataDir).isDirectory();

            kafka.createTopic("interactions", 3);
            kafka.createTopic("interactions", 3); // idempotent

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID(),
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                    (int) EmbeddedKafka.MAX_TRANSACTION_TIMEOUT.toMillis(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("interactions", "k" + i, "committed-" + i));
                }
                producer.commitTransaction();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("interactions", "k" + i, "aborted-" + i));
                }
                producer.flush();
                producer.abortTransaction();
            }

            List<String> seen = consumeAll(kafka.bootstrapServers(), "interactions", 100);
            assertThat(seen).hasSize(100).allMatch(v -> v.startsWith("committed-"));
            assertThat(seen.stream().map(v -> Integer.parseInt(v.substring(10))).collect(Collectors.toSet()))
                    .hasSize(100);
        }
        assertThat(dataDir).doesNotExist();
        assertThat(lingeringNonDaemonThreads(before)).isEmpty();
    }

    @Test
    void createTopicRejectsADifferentPartitionCount() {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("t", 2);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> kafka.createTopic("t", 4))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("2 partitions");
        }
    }

    static List<String> consumeAll(String bootstrap, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            int emptyPollsAfterExpected = 0;
            while (System.currentTimeMillis() < deadline && emptyPollsAfterExpected < 3) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, String> r : records) {
                    values.add(r.value());
                }
                if (values.size() >= expected && records.isEmpty()) {
                    emptyPollsAfterExpected++;
                }
            }
        }
        return values;
    }

    private static Path dataDirOf(EmbeddedKafka kafka) throws Exception {
        var field = EmbeddedKafka.class.getDeclaredField("dataDir");
        field.setAccessible(true);
        return (Path) field.get(kafka);
    }

    /** Non-daemon threads started since {@code before} that are still alive after a grace period. */
    private static List<String> lingeringNonDaemonThreads(Set<Thread> before) throws InterruptedException {
        List<String> lingering = List.of();
        for (int i = 0; i < 50; i++) {
            lingering = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive() && !t.isDaemon())
                    .map(Thread::getName)
                    .collect(Collectors.toList());
            if (lingering.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        return lingering;
    }

    @SuppressWarnings("unused")
    private static boolean exists(Path p) {
        return Files.exists(p);
    }
}
