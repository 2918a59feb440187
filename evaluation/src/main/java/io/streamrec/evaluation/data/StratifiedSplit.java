package io.streamrec.evaluation.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * A seeded random split stratified by a group (an item, or a user): each group's records are
 * shuffled with a generator seeded from the seed and the group id, and the first
 * {@code round(ratio × n)} of them go to training, the rest to test. A group with a single record
 * keeps it in training. A group's split depends only on the seed, the group id and the order of
 * its own records (not on other groups), and both halves keep the input order (time order when the input is time-ordered).
 */
public final class StratifiedSplit {

    private StratifiedSplit() {}

    public static <T> Split<T> split(List<T> records, Function<T, String> group, double ratio, long seed) {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("split ratio must be in (0, 1), got " + ratio);
        }
        Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            byGroup.computeIfAbsent(group.apply(records.get(i)), g -> new ArrayList<>()).add(i);
        }
        boolean[] train = new boolean[records.size()];
        for (Map.Entry<String, List<Integer>> e : byGroup.entrySet()) {
            List<Integer> indices = new ArrayList<>(e.getValue());
            Collections.shuffle(indices, new Random(groupSeed(seed, e.getKey())));
            int keep = Math.max(1, (int) Math.round(ratio * indices.size()));
            for (int j = 0; j < keep; j++) {
                train[indices.get(j)] = true;
            }
        }
        List<T> trainPart = new ArrayList<>();
        List<T> testPart = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            (train[i] ? trainPart : testPart).add(records.get(i));
        }
        return new Split<>(trainPart, testPart);
    }

    static long groupSeed(long seed, String group) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < group.length(); i++) {
            h = (h ^ group.charAt(i)) * 0x100000001B3L;
        }
        return h ^ (h >>> 31);
    }

    /** The two halves, each in input order. */
    public record Split<T>(List<T> train, List<T> test) {}
}
