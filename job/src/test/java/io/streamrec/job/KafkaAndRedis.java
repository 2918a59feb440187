package io.streamrec.job;

import io.streamrec.testkit.EmbeddedKafka;
import io.streamrec.testkit.RedisServerProcess;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.function.Supplier;

/**
 * The real services a job ITCase class talks to: an in-process Kafka broker and a redis-server
 * process, started before the class's tests and stopped after them. Register it as a static field
 * with {@code @RegisterExtension}.
 */
public final class KafkaAndRedis implements BeforeAllCallback, AfterAllCallback {

    private final Supplier<EmbeddedKafka> startKafka;
    private final Supplier<RedisServerProcess> startRedis;
    private EmbeddedKafka kafka;
    private RedisServerProcess redis;

    private KafkaAndRedis(Supplier<EmbeddedKafka> startKafka, Supplier<RedisServerProcess> startRedis) {
        this.startKafka = startKafka;
        this.startRedis = startRedis;
    }

    /** A default broker and a Redis without persistence. */
    public static KafkaAndRedis started() {
        return startedWith(EmbeddedKafka::start, RedisServerProcess::start);
    }

    /** Services started by the given functions (a broker with overrides, a durable Redis, ...). */
    public static KafkaAndRedis startedWith(Supplier<EmbeddedKafka> kafka, Supplier<RedisServerProcess> redis) {
        return new KafkaAndRedis(kafka, redis);
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public RedisServerProcess redis() {
        return redis;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = startKafka.get();
        redis = startRedis.get();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
