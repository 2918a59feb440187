package io.streamrec.job;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The command line of every StreamRec entry point ({@code bin/streamrec} commands, the job's and the
 * model tools' {@code main}): {@code --key value}, {@code --key=value}, a bare {@code --flag}
 * (followed by another option or nothing: {@code "true"}), and positional arguments, in order.
 * A command takes out the flags it knows ({@link #take}); what is left ({@link #remainingOptions()})
 * is job options, validated by {@link StreamRecOptions#fromMap}, or an error ({@link #rejectUnknown}).
 * A lone {@code --} ends the flags: what follows is kept as given ({@link #afterSeparator()}), for a
 * command that passes it on to another. Messages name the flag ({@code --passes must be a number,
 * got 'x'}). Not thread-safe; one per command.
 */
public final class CommandArgs {
    private final Map<String, String> options;
    private final Set<String> bare;
    private final List<String> positional;
    private final List<String> afterSeparator;

    private CommandArgs(Map<String, String> options, Set<String> bare, List<String> positional,
                        List<String> afterSeparator) {
        this.options = options;
        this.bare = bare;
        this.positional = positional;
        this.afterSeparator = afterSeparator;
    }

    public static CommandArgs parse(List<String> args) {
        Map<String, String> options = new LinkedHashMap<>();
        Set<String> bare = new HashSet<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                return new CommandArgs(options, bare, positional, List.copyOf(args.subList(i + 1, args.size())));
            }
            if (a.startsWith("--")) {
                String key = a.substring(2);
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    options.put(key.substring(0, eq), key.substring(eq + 1));
                    bare.remove(key.substring(0, eq));
                } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    options.put(key, args.get(++i));
                    bare.remove(key);
                } else {
                    options.put(key, "true");
                    bare.add(key);
                }
            } else {
                positional.add(a);
            }
        }
        return new CommandArgs(options, bare, positional, List.of());
    }

    public static CommandArgs parse(String... args) {
        return parse(List.of(args));
    }

    /** Removes and returns the flag's value. */
    public Optional<String> take(String key) {
        return Optional.ofNullable(options.remove(key));
    }

    public String take(String key, String defaultValue) {
        return take(key).orElse(defaultValue);
    }

    /** Removes and returns the flag's value; fails with {@code missing --key} if it was not given. */
    public String require(String key) {
        return take(key).orElseThrow(() -> new IllegalArgumentException("missing --" + key));
    }

    /** The value without taking it out (it stays a job option). */
    public String peek(String key, String defaultValue) {
        return options.getOrDefault(key, defaultValue);
    }

    /** A whole number; {@code _} may group digits ({@code 100_000}). */
    public long takeLong(String key, long defaultValue) {
        String v = options.remove(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a number, got '" + v + "'");
        }
    }

    public int takeInt(String key, int defaultValue) {
        long v = takeLong(key, defaultValue);
        if (v != (int) v) {
            throw new IllegalArgumentException("--" + key + " is out of range: " + v);
        }
        return (int) v;
    }

    public double takeDouble(String key, double defaultValue) {
        String v = options.remove(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a number, got '" + v + "'");
        }
    }

    /** True for a bare {@code --flag} or {@code --flag true}. */
    public boolean takeBoolean(String key) {
        return Boolean.parseBoolean(take(key, "false"));
    }

    /**
     * For commands whose every flag takes a value (the job's options): fails naming the first flag
     * left that was given without one.
     */
    public void requireValues() {
        for (String key : options.keySet()) {
            if (bare.contains(key)) {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
        }
    }

    public boolean has(String key) {
        return options.containsKey(key);
    }

    public List<String> positional() {
        return positional;
    }

    /** The arguments after a lone {@code --}, as given (empty without one). */
    public List<String> afterSeparator() {
        return afterSeparator;
    }

    /** The flags not taken yet, in the order given; the map is live (taking removes from it). */
    public Map<String, String> remainingOptions() {
        return options;
    }

    /** Fails naming the first flag left that is not {@code allowed}. */
    public void rejectUnknown(Set<String> allowed) {
        for (String key : options.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
        }
    }

    /** Fails naming the first flag left. */
    public void rejectUnknown() {
        rejectUnknown(Set.of());
    }
}
