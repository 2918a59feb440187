package io.streamrec.job.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value} arguments of the {@code main} methods of this package (for {@code flink run -c}). */
final class Args {
    private final Map<String, String> values;

    private Args(Map<String, String> values) {
        this.values = values;
    }

    static Args parse(String[] args, List<String> known) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value pairs (" + String.join(", ", known)
                        + "), got '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; known: " + known);
            }
            values.put(key, args[++i]);
        }
        return new Args(values);
    }

    String required(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }

    int intValue(String key, int defaultValue) {
        String v = values.get(key);
        try {
            return v == null ? defaultValue : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, got '" + v + "'");
        }
    }
}
