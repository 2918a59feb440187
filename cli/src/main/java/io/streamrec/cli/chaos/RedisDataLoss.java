package io.streamrec.cli.chaos;

import io.streamrec.cli.RepublishCommand;
import io.streamrec.testkit.InteractionProducer;

import redis.clients.jedis.Jedis;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Redis loses all its data ({@code FLUSHALL}), and the operator does what docs/OPERATIONS.md says
 * ("Redis lost its data"): sends a republish record, as {@code bin/streamrec republish} does, 1–5 s
 * later. Every list, the popular list and item meta must come back without restarting the job.
 */
final class RedisDataLoss extends Fault {

    RedisDataLoss() {
        super(FaultKind.REDIS_DATA_LOSS);
    }

    @Override
    String inject(ChaosEnvironment env, SplittableRandom random) {
        long keys;
        try (Jedis jedis = new Jedis(env.redis.url())) {
            keys = jedis.dbSize();
            jedis.flushAll();
        }
        long delay = Fault.outageMillis(random, 1, 5);
        Waits.sleep(delay);
        String id = "republish-" + UUID.randomUUID();
        InteractionProducer.produce(env.kafka.bootstrapServers(), env.topic(),
                Stream.of(RepublishCommand.record(id, System.currentTimeMillis())));
        return "FLUSHALL (" + keys + " keys), republish sent " + delay / 1000 + " s later";
    }
}
