package io.streamrec.cli.chaos;

import io.streamrec.testkit.Interaction;
import io.streamrec.testkit.InteractionGenerator;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The input of the soak: generated interactions (testkit's {@link InteractionGenerator}, stamped
 * with the wall clock) sent at a steady rate on a thread of its own, plus a re-send of an earlier
 * event after every tenth, which the job's de-duplication must drop. An event is counted for its
 * user and item only when Kafka acknowledged it, so the counts are exactly what the job must end
 * up with. The producer is idempotent and waits out broker restarts (delivery timeout 5 min); a
 * send that still fails stops the stream and is reported, since the counts would then be unknown.
 *
 * <p>Thread-safe: counts are read from other threads under this object's lock.
 */
final class KnownStream implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final InteractionGenerator generator;
    private final SplittableRandom random;
    private final double perSecond;
    private final List<String> sent = new ArrayList<>();
    private final Map<String, Long> perUser = new HashMap<>();
    private final Map<String, Long> perItem = new HashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long duplicates;
    private long acknowledged;
    private volatile boolean stopping;
    private Thread thread;

    KnownStream(String bootstrap, String topic, int users, int items, long seed, double perSecond) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "streamrec-chaos",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
        this.topic = topic;
        this.generator = new InteractionGenerator(InteractionGenerator.Config.builder()
                .users(users).items(items).seed(seed).build());
        this.random = new SplittableRandom(seed);
        this.perSecond = perSecond;
    }

    /** Starts sending on a thread of its own until {@link #stop()}. */
    void start() {
        thread = new Thread(this::sendLoop, "chaos-producer");
        thread.setDaemon(true);
        thread.start();
    }

    private void sendLoop() {
        long start = System.nanoTime();
        long n = 0;
        try {
            while (!stopping && failure.get() == null) {
                Interaction e = generator.nextInteraction();
                String json = new Interaction(e.id(), e.user(), e.item(), e.type(), e.value(), System.currentTimeMillis())
                        .toJson();
                send(json, e);
                n++;
                if (n % 10 == 0) {
                    String again;
                    synchronized (this) {
                        again = sent.get(random.nextInt(sent.size()));
                    }
                    send(again, null);
                }
                long due = start + (long) (n * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Sends one record; {@code counted} is the event to count once acknowledged (null: a duplicate). */
    private void send(String json, Interaction counted) {
        synchronized (this) {
            if (counted != null) {
                sent.add(json);
            }
        }
        producer.send(new ProducerRecord<>(topic, json), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
                return;
            }
            synchronized (this) {
                if (counted != null) {
                    perUser.merge(counted.user(), 1L, Long::sum);
                    perItem.merge(counted.item(), 1L, Long::sum);
                    acknowledged++;
                } else {
                    duplicates++;
                }
            }
        });
    }

    /** Stops sending and waits (at most 5 min) until everything sent is acknowledged. */
    void stop() {
        stopping = true;
        if (thread != null) {
            try {
                thread.join(Duration.ofMinutes(1).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.flush();
    }

    /** The first failed send, if any: then the expected counts are unknown and the soak cannot judge. */
    Exception failure() {
        return failure.get();
    }

    synchronized Map<String, Long> perUser() {
        return new HashMap<>(perUser);
    }

    synchronized Map<String, Long> perItem() {
        return new HashMap<>(perItem);
    }

    synchronized long events() {
        return acknowledged;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    @Override
    public void close() {
        stopping = true;
        producer.close(Duration.ofSeconds(30));
    }
}
