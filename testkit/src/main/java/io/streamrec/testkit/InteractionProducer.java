package io.streamrec.testkit;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes JSON lines to a Kafka topic, for the demo's {@code produce} command and for tests.
 *
 * <p>Uses an idempotent producer ({@code acks=all}, {@code enable.idempotence=true}) with batching,
 * so retries never duplicate or reorder records within a partition. Records have no key (the job
 * keys by user itself). {@link #send} returns only after every record has been acknowledged; the
 * first asynchronous send failure is rethrown on the calling thread, and records after it are not
 * sent. Not thread-safe: one sending thread per instance.
 */
public final class InteractionProducer implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public InteractionProducer(String bootstrapServers) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "streamrec-interaction-producer",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // one request in flight: into a topic created a moment ago, a first batch can fail
                // with a retriable error (no leader yet) while the next one is accepted, and the
                // idempotent producer then retries the first forever with an out-of-order sequence
                // (KAFKA-14359; seen in CI as "Sending to Kafka failed" after 120 s)
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    }

    /** Sends all records as fast as the broker takes them; returns how many were sent. */
    public long send(String topic, Stream<String> records) {
        return send(topic, records.iterator(), Double.POSITIVE_INFINITY);
    }

    /**
     * Sends all records, at most {@code maxRecordsPerSecond} of wall-clock time (infinity for no
     * limit); returns how many were sent once all are acknowledged.
     */
    public long send(String topic, Iterator<String> records, double maxRecordsPerSecond) {
        Objects.requireNonNull(topic, "topic");
        if (!(maxRecordsPerSecond > 0)) {
            throw new IllegalArgumentException("maxRecordsPerSecond must be positive, was " + maxRecordsPerSecond);
        }
        long startNanos = System.nanoTime();
        long count = 0;
        while (records.hasNext()) {
            rethrowFailure();
            producer.send(new ProducerRecord<>(topic, records.next()), (metadata, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            count++;
            if (Double.isFinite(maxRecordsPerSecond)) {
                pace(startNanos, count, maxRecordsPerSecond);
            }
        }
        producer.flush();
        rethrowFailure();
        return count;
    }

    /** Convenience: opens a producer, sends, closes. */
    public static long produce(String bootstrapServers, String topic, Stream<String> records) {
        try (InteractionProducer producer = new InteractionProducer(bootstrapServers)) {
            return producer.send(topic, records);
        }
    }

    private static void pace(long startNanos, long sent, double perSecond) {
        long dueNanos = startNanos + (long) (sent * 1e9 / perSecond);
        long waitNanos = dueNanos - System.nanoTime();
        if (waitNanos > 1_000_000) {
            try {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while producing", e);
            }
        }
    }

    private void rethrowFailure() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("Sending to Kafka failed", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
