package io.streamrec.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --key value} flags plus positional arguments. Flags the command knows are taken out with
 * {@link #take}; the rest ({@link #remainingOptions()}) are job options, validated by the job.
 */
final class CliArgs {
    private final Map<String, String> options;
    private final List<String> positional;

    private CliArgs(Map<String, String> options, List<String> positional) {
        this.options = options;
        this.positional = positional;
    }

    static CliArgs parse(List<String> args) {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                String key = a.substring(2);
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    options.put(key.substring(0, eq), key.substring(eq + 1));
                } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    options.put(key, args.get(++i));
                } else {
                    options.put(key, "true");
                }
            } else {
                positional.add(a);
            }
        }
        return new CliArgs(options, positional);
    }

    String take(String key, String defaultValue) {
        String v = options.remove(key);
        return v == null ? defaultValue : v;
    }

    String peek(String key, String defaultValue) {
        return options.getOrDefault(key, defaultValue);
    }

    long takeLong(String key, long defaultValue) {
        String v = take(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a number, got '" + v + "'");
        }
    }

    boolean has(String key) {
        return options.containsKey(key);
    }

    List<String> positional() {
        return positional;
    }

    Map<String, String> remainingOptions() {
        return options;
    }

    void rejectUnknown(Set<String> allowed) {
        for (String key : options.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
        }
    }
}
