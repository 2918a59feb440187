package io.streamrec.operators.user;

import io.streamrec.operators.scoring.ItemMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one UserWorker subtask knows of the item topic's metadata, next to its {@link ItemCache}: the
 * items that are unavailable (left out of every list it computes), and for each category named in
 * {@code recs.categories} a sub-matrix of the cached items of that category that are available,
 * which the category lists are scored against. Only configured categories cost memory here: an
 * item's other categories are not kept.
 *
 * <p>Unavailable items stay in the cache (they keep learning) but their rows are masked ({@link
 * ItemMatrix#setMasked}), so the exact kernels never return them at no cost per user; a kernel that
 * searches an index gets their rows as excluded rows ({@link #unavailableRows}).
 *
 * <p>Metadata is kept by item id, whether or not the item is cached: an item whose metadata came
 * first joins its category matrices when its vector arrives ({@link #upserted}), with the
 * vector the cache stores, so a category matrix always holds exactly the cache's values of its
 * available members. Not thread-safe.
 */
public final class ItemCatalog {

    private static final String[] NONE = new String[0];

    private final Map<String, ItemMatrix> byCategory = new LinkedHashMap<>();
    private final Set<String> unavailable = new HashSet<>();
    /** Per item in at least one configured category: those categories. */
    private final Map<String, String[]> memberOf = new HashMap<>();

    /**
     * @param categories the configured categories ({@code recs.categories}), each getting a list per user
     * @param maxRows    rows a category matrix may hold at most (the cache's own limit)
     */
    public ItemCatalog(int dim, int maxRows, List<String> categories) {
        for (String c : categories) {
            byCategory.put(c, new ItemMatrix(dim, 1, ItemMatrix.DEFAULT_SEGMENT_ROWS, maxRows));
        }
    }

    /** The configured categories, in their configured order. */
    public List<String> categories() {
        return Collections.unmodifiableList(new ArrayList<>(byCategory.keySet()));
    }

    /** The available cached items of a configured category (null for another category). */
    public ItemMatrix category(String category) {
        return byCategory.get(category);
    }

    public boolean isUnavailable(String item) {
        return unavailable.contains(item);
    }

    /** Items this subtask knows to be unavailable (cached or not). */
    public int unavailableItems() {
        return unavailable.size();
    }

    /**
     * Applies an item's metadata; {@code items} is the cache's matrix. Returns true when lists that
     * hold the item must be recomputed: it became unavailable, or it left a configured category.
     */
    public boolean apply(String item, String[] categories, boolean unavailableNow, ItemMatrix items) {
        boolean wasUnavailable = unavailableNow ? !unavailable.add(item) : unavailable.remove(item);
        String[] before = memberOf.getOrDefault(item, NONE);
        String[] after = configuredAmong(categories);
        if (after.length == 0) {
            memberOf.remove(item);
        } else {
            memberOf.put(item, after);
        }
        boolean leftCategory = false;
        for (String c : before) {
            boolean stays = Arrays.asList(after).contains(c);
            leftCategory |= !stays;
            if (!stays || unavailableNow) {
                byCategory.get(c).remove(item);
            }
        }
        int row = items.indexOf(item);
        if (row >= 0) {
            items.setMasked(row, unavailableNow);
        }
        if (!unavailableNow && row >= 0) {
            float[] q = items.vectorAt(row);
            float b = items.biasAt(row);
            for (String c : after) {
                byCategory.get(c).upsert(item, q, b);
            }
        }
        return (unavailableNow && !wasUnavailable) || leftCategory;
    }

    /** The cache stored a vector of the item ({@code added}: in a new row): masked if unavailable; its available member rows follow. */
    void upserted(String item, ItemMatrix items, int row, boolean added, float[] q, float b) {
        if (added && !unavailable.isEmpty() && unavailable.contains(item)) {
            items.setMasked(row, true);
        }
        if (memberOf.isEmpty()) {
            return;
        }
        String[] in = memberOf.get(item);
        if (in == null || unavailable.contains(item)) {
            return;
        }
        for (String c : in) {
            byCategory.get(c).upsert(item, q, b);
        }
    }

    /** The item left the cache: it leaves the category matrices too (its metadata stays for a return). */
    void removed(String item) {
        String[] in = memberOf.get(item);
        if (in != null) {
            for (String c : in) {
                byCategory.get(c).remove(item);
            }
        }
    }

    /** Rows of {@code items} that are unavailable (cached ones only), in no particular order. */
    public int[] unavailableRows(ItemMatrix items) {
        if (unavailable.isEmpty()) {
            return NO_ROWS;
        }
        int[] rows = new int[unavailable.size()];
        int n = 0;
        for (String item : unavailable) {
            int row = items.indexOf(item);
            if (row >= 0) {
                rows[n++] = row;
            }
        }
        return n == rows.length ? rows : Arrays.copyOf(rows, n);
    }

    /** Rows of items in all category matrices together (for the memory figure). */
    public long categoryRows() {
        long n = 0;
        for (ItemMatrix m : byCategory.values()) {
            n += m.size();
        }
        return n;
    }

    private static final int[] NO_ROWS = new int[0];

    private String[] configuredAmong(String[] categories) {
        if (categories == null || categories.length == 0 || byCategory.isEmpty()) {
            return NONE;
        }
        List<String> in = new ArrayList<>(2);
        for (String c : categories) {
            if (byCategory.containsKey(c) && !in.contains(c)) {
                in.add(c);
            }
        }
        return in.isEmpty() ? NONE : in.toArray(NONE);
    }
}
