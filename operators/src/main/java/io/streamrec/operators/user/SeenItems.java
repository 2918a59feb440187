package io.streamrec.operators.user;

import java.util.Arrays;

/**
 * The most recent distinct items of a user, oldest first, capped: excluded from the user's list and
 * from their sampled negatives. Kept as a plain {@code String[]} in the user's state (the savepoint
 * format); these functions never modify an array in place.
 */
public final class SeenItems {

    private SeenItems() {}

    /** {@code seen} with {@code item} appended (dropping the oldest past {@code max}), or {@code seen} if present. */
    public static String[] remember(String[] seen, String item, int max) {
        if (contains(seen, item)) {
            return seen;
        }
        if (seen.length < max) {
            String[] grown = Arrays.copyOf(seen, seen.length + 1);
            grown[seen.length] = item;
            return grown;
        }
        String[] shifted = new String[seen.length];
        System.arraycopy(seen, 1, shifted, 0, seen.length - 1);
        shifted[seen.length - 1] = item;
        return shifted;
    }

    public static boolean contains(String[] seen, String item) {
        return indexOf(seen, item) >= 0;
    }

    /** Position of {@code item} in {@code values}, or -1. */
    public static int indexOf(String[] values, String item) {
        for (int i = 0; i < values.length; i++) {
            if (values[i].equals(item)) {
                return i;
            }
        }
        return -1;
    }
}
