package io.streamrec.cli.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * When and which faults a soak injects, drawn from the seed: {@code count} faults at uniformly random
 * times between 5% and 85% of the run (the rest of the run, and the settle time after it, let the
 * job catch up), the kinds taken in turn from {@code kinds} so that each appears about equally often,
 * in a random order. The same seed gives the same plan.
 */
record FaultSchedule(List<Planned> faults) {

    /** A fault planned {@code atMillis} after the start of the run. */
    record Planned(long atMillis, FaultKind kind) {}

    static FaultSchedule draw(long seed, int count, Duration run, List<FaultKind> kinds) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("no fault kinds to inject");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<FaultKind> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(kinds.get(i % kinds.size()));
        }
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            order.set(i, order.set(j, order.get(i)));
        }
        long from = run.toMillis() * 5 / 100;
        long to = run.toMillis() * 85 / 100;
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            times.add(from + (long) (random.nextDouble() * (to - from)));
        }
        times.sort(null);
        List<Planned> planned = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            planned.add(new Planned(times.get(i), order.get(i)));
        }
        return new FaultSchedule(List.copyOf(planned));
    }
}
