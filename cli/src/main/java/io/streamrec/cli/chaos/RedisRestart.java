package io.streamrec.cli.chaos;

import java.util.SplittableRandom;

/**
 * Stops redis-server (SIGTERM), keeps it down for 3–10 s and starts it again on the same port with
 * its append-only file, so its data survives: the sink's committer must retry, and no list may
 * move backwards or be lost.
 */
final class RedisRestart extends Fault {

    RedisRestart() {
        super(FaultKind.REDIS_RESTART);
    }

    @Override
    String inject(ChaosEnvironment env, SplittableRandom random) {
        long down = Fault.outageMillis(random, 3, 10);
        env.redis.stop();
        Waits.sleep(down);
        env.redis.restart();
        return "redis-server stopped, down " + down / 1000 + " s, started (data kept: append-only file)";
    }
}
