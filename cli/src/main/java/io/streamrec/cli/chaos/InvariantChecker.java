package io.streamrec.cli.chaos;

import io.streamrec.job.InteractionCounts;
import io.streamrec.sinks.redis.RedisKeys;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks after the input has stopped: exact per-user and per-item interaction counts in Redis
 * (waiting, at most the settle timeout, for the job to catch up), every user's list present and
 * current, the popular list present, the job running, and nothing moved backwards during the run
 * ({@link MonotonicWatcher}). Each check becomes a line of the report, passed or not, with what it
 * found.
 */
final class InvariantChecker {

    private final ChaosEnvironment env;
    private final KnownStream stream;
    private final MonotonicWatcher watcher;

    InvariantChecker(ChaosEnvironment env, KnownStream stream, MonotonicWatcher watcher) {
        this.env = env;
        this.stream = stream;
        this.watcher = watcher;
    }

    List<ChaosReport.Check> check(Duration settleTimeout) {
        List<ChaosReport.Check> checks = new ArrayList<>();
        Map<String, Long> perUser = stream.perUser();
        Map<String, Long> perItem = stream.perItem();
        String prefix = ChaosEnvironment.PREFIX;

        long start = System.nanoTime();
        List<List<String>> last = new ArrayList<>(List.of(List.of("(not read)")));
        boolean exact = Waits.await(() -> {
            try (Jedis jedis = new Jedis(env.redis.url())) {
                last.set(0, InteractionCounts.mismatches(jedis, prefix, perUser, perItem));
            }
            return last.get(0).isEmpty();
        }, settleTimeout);
        double caughtUp = (System.nanoTime() - start) / 1e9;
        checks.add(new ChaosReport.Check("exact counts",
                exact, exact
                ? String.format("%d events (+%d duplicates dropped): interactions of all %d users and %d items exact, "
                        + "%.1f s after the input stopped", stream.events(), stream.duplicates(), perUser.size(),
                        perItem.size(), caughtUp)
                : last.get(0).size() + " of " + (perUser.size() + perItem.size()) + " keys wrong after " + settleTimeout
                        + ", e.g. " + String.join("; ", last.get(0).subList(0, Math.min(5, last.get(0).size())))));

        try (Jedis jedis = new Jedis(env.redis.url())) {
            List<String> users = new ArrayList<>(perUser.keySet());
            Pipeline pipeline = jedis.pipelined();
            List<Response<Long>> sizes = new ArrayList<>(users.size());
            for (String user : users) {
                sizes.add(pipeline.zcard(RedisKeys.userList(prefix, user)));
            }
            Response<Long> popular = pipeline.zcard(RedisKeys.popularList(prefix));
            pipeline.sync();
            List<String> without = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                if (sizes.get(i).get() == 0) {
                    without.add(users.get(i));
                }
            }
            checks.add(new ChaosReport.Check("every list current", exact && without.isEmpty(),
                    (without.isEmpty() ? "all " + users.size() + " users have a list" : without.size()
                            + " users without a list, e.g. " + without.subList(0, Math.min(5, without.size())))
                            + (exact ? " whose meta counts all their events" : "; counts not exact (above)")));
            checks.add(new ChaosReport.Check("popular list", popular.get() > 0, popular.get() + " items"));
        }

        watcher.poll();
        List<String> backwards = watcher.violations();
        checks.add(new ChaosReport.Check("nothing moved backwards", backwards.isEmpty(),
                backwards.isEmpty() ? "list version, interactions, eventTs of every user; version, interactions, lastTs "
                        + "of every item: " + watcher.summary()
                        : watcher.violationCount() + " backward moves, e.g. "
                        + String.join("; ", backwards.subList(0, Math.min(5, backwards.size())))));

        String state = env.rest.jobState(env.jobId);
        checks.add(new ChaosReport.Check("job running", state.equals("RUNNING"), "job " + env.jobId + " is " + state));
        return checks;
    }
}
