package io.streamrec.cli.chaos;

import io.streamrec.sinks.redis.RedisKeys;

import com.fasterxml.jackson.databind.JsonNode;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When the job has recovered from a fault: every subtask is RUNNING and a checkpoint triggered after
 * the fault ended has completed (so sources, the gradient loop and the Redis sink all work again);
 * after a data loss, also every user that had events before the loss has a list and meta in Redis
 * again, and so has the popular list.
 */
final class RecoveryProbe {

    private final ChaosEnvironment env;

    RecoveryProbe(ChaosEnvironment env) {
        this.env = env;
    }

    /**
     * Waits until recovered; returns the seconds from {@code injectedAtNanos}, or -1 when not
     * recovered within {@code timeout}.
     */
    double await(FaultKind kind, long injectedAtNanos, long clearedAtMillis, List<String> usersBefore, Duration timeout) {
        boolean recovered = Waits.await(() -> checkpointedSince(clearedAtMillis)
                && (kind != FaultKind.REDIS_DATA_LOSS || listsBack(usersBefore)), timeout);
        return recovered ? (System.nanoTime() - injectedAtNanos) / 1e9 : -1;
    }

    /** What "recovered" means for a fault of this kind, for the report. */
    static String criterion(FaultKind kind) {
        return "all subtasks RUNNING and a checkpoint triggered after the fault completed"
                + (kind == FaultKind.REDIS_DATA_LOSS ? "; every user's list meta and the popular list back in Redis" : "");
    }

    /** Failed checkpoints and restarts of the job so far, to show what a fault did to it. */
    record Effect(long failedCheckpoints, long restarts) {
        Effect since(Effect before) {
            return new Effect(failedCheckpoints - before.failedCheckpoints, restarts - before.restarts);
        }
    }

    Effect effect() {
        return new Effect(env.rest.checkpoints(env.jobId).path("counts").path("failed").asLong(),
                env.rest.jobMetric(env.jobId, "numRestarts"));
    }

    private boolean checkpointedSince(long millis) {
        if (!env.rest.allTasksRunning(env.jobId)) {
            return false;
        }
        JsonNode completed = env.rest.checkpoints(env.jobId).path("latest").path("completed");
        return completed.path("trigger_timestamp").asLong(0) > millis;
    }

    private boolean listsBack(List<String> users) {
        try (Jedis jedis = new Jedis(env.redis.url())) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<Boolean>> present = new ArrayList<>(users.size());
            for (String user : users) {
                present.add(pipeline.exists(RedisKeys.meta(RedisKeys.userList(ChaosEnvironment.PREFIX, user))));
            }
            Response<Boolean> popular = pipeline.exists(RedisKeys.popularList(ChaosEnvironment.PREFIX));
            pipeline.sync();
            return popular.get() && present.stream().allMatch(Response::get);
        }
    }
}
