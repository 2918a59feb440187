package io.streamrec.evaluation.metrics;

import io.streamrec.testkit.Interaction;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How well similar-item lists predict what a user touches next: for each held-out event, the pair
 * (the item of the user's previous event, the held-out event's item), with the previous event from
 * the training or the held-out part, in event-time order; a hit when the next item is among the
 * first {@code n} of the previous item's list. Pairs of an item with itself are left out.
 */
public final class NextItemHits {

    /** One held-out transition of a user: from item {@code from} to item {@code next}. */
    public record Pair(String user, String from, String next) {}

    private NextItemHits() {}

    /** The held-out pairs of {@code all} (every event), {@code heldOut} the held-out part of it. */
    public static List<Pair> heldOutPairs(List<Interaction> all, Collection<Interaction> heldOut) {
        Set<String> heldOutIds = new HashSet<>();
        heldOut.forEach(e -> heldOutIds.add(e.id()));
        Map<String, List<Interaction>> byUser = new LinkedHashMap<>();
        for (Interaction e : all) {
            byUser.computeIfAbsent(e.user(), u -> new ArrayList<>()).add(e);
        }
        List<Pair> pairs = new ArrayList<>();
        for (List<Interaction> events : byUser.values()) {
            events.sort(Comparator.comparingLong(Interaction::ts)); // stable: the data's order within a timestamp
            for (int i = 1; i < events.size(); i++) {
                Interaction previous = events.get(i - 1);
                Interaction next = events.get(i);
                if (heldOutIds.contains(next.id()) && !previous.item().equals(next.item())) {
                    pairs.add(new Pair(next.user(), previous.item(), next.item()));
                }
            }
        }
        return pairs;
    }

    /** The share of {@code pairs} whose next item is in the first {@code n} of the previous item's list (none: a miss). */
    public static double hitRate(List<Pair> pairs, Map<String, List<String>> similar, int n) {
        if (pairs.isEmpty()) {
            return 0;
        }
        long hits = 0;
        for (Pair p : pairs) {
            List<String> list = similar.get(p.from());
            if (list != null && list.subList(0, Math.min(n, list.size())).contains(p.next())) {
                hits++;
            }
        }
        return hits / (double) pairs.size();
    }
}
