package io.streamrec.cli.compare;

import io.streamrec.job.StreamRecOptions;

import org.apache.flink.configuration.ConfigOption;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The options that make a second deployment of the job a <em>candidate</em> next to the live one on
 * the same interactions topic ({@code bin/streamrec submit --candidate NAME}): everything a
 * deployment owns gets the name — Redis prefix {@code NAME:}, consumer groups, transactional ids,
 * gradient topic and dead-letter topic — and only the interactions topic is shared.
 *
 * <p>Why each one: a shared transactional-id prefix lets one job's Kafka sink abort or fence the
 * other's open transactions at start; a shared consumer group mixes the two jobs' committed offsets
 * (where {@code kafka.start committed} starts); a shared prefix overwrites the live lists; a shared
 * dead-letter topic holds every rejected record twice. A shared gradient topic would be safe (each
 * run's ItemServer refuses gradients stamped with another run's id, metric {@code deltasFromOtherRuns})
 * but makes each job read and drop the other's gradients, so the candidate gets its own.
 */
public final class CandidateDeployment {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** The options that identify a deployment: two running jobs must not share one of them. */
    static final List<ConfigOption<String>> IDENTITY = List.of(StreamRecOptions.REDIS_PREFIX,
            StreamRecOptions.KAFKA_GROUP, StreamRecOptions.TRANSACTIONAL_ID_PREFIX);

    private CandidateDeployment() {}

    /**
     * {@code given} with the candidate's own prefix, group, transactional ids, gradient and
     * dead-letter topics; options given explicitly are kept.
     */
    public static Map<String, String> options(String name, Map<String, String> given) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("--candidate: a name of letters, digits, '.', '_' or '-' (at most 63), got '"
                    + name + "'");
        }
        Map<String, String> out = new LinkedHashMap<>(given);
        out.putIfAbsent(StreamRecOptions.REDIS_PREFIX.key(), name + ":");
        derive(out, StreamRecOptions.KAFKA_GROUP, name);
        derive(out, StreamRecOptions.TRANSACTIONAL_ID_PREFIX, name);
        derive(out, StreamRecOptions.TOPIC_GRADIENTS, name);
        derive(out, StreamRecOptions.TOPIC_DEAD_LETTERS, name);
        return out;
    }

    private static void derive(Map<String, String> options, ConfigOption<String> option, String name) {
        options.putIfAbsent(option.key(), option.defaultValue() + "-" + name);
    }

    /**
     * The identity options ({@link #IDENTITY}) that a new deployment with {@code next} would share
     * with a running one with {@code running}, as sentences; empty if none. Defaults count as values.
     */
    public static List<String> sharedIdentity(Map<String, String> running, Map<String, String> next) {
        List<String> shared = new ArrayList<>();
        for (ConfigOption<String> option : IDENTITY) {
            String a = running.getOrDefault(option.key(), option.defaultValue());
            String b = next.getOrDefault(option.key(), option.defaultValue());
            if (a.equals(b)) {
                shared.add(option.key() + " " + a);
            }
        }
        return shared;
    }
}
