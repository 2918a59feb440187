package io.streamrec.testkit;

import java.lang.reflect.Method;
import java.util.List;

/**
 * Keeps the embedded broker's own loggers at WARN or quieter, so that a test or the demo shows its own output
 * rather than thousands of broker INFO lines.
 *
 * <p>Works through Log4j 2's {@code Configurator} when {@code log4j-core} is on the classpath and
 * does nothing otherwise (then the application's logging configuration decides). Reflection keeps
 * log4j-core an optional runtime companion rather than a dependency of the testkit. Client-side
 * loggers ({@code org.apache.kafka.clients}, {@code org.apache.kafka.common}) are not touched.
 */
final class BrokerLogging {

    /** Logger names used by the broker and controller code, not by the Kafka clients. */
    static final List<String> BROKER_LOGGERS = List.of(
            "kafka",
            "state.change.logger",
            "org.apache.kafka.controller",
            "org.apache.kafka.raft",
            "org.apache.kafka.metadata",
            "org.apache.kafka.image",
            "org.apache.kafka.server",
            "org.apache.kafka.storage",
            "org.apache.kafka.coordinator",
            "org.apache.kafka.queue",
            "org.apache.kafka.snapshot",
            "org.apache.kafka.security",
            "org.apache.kafka.network");

    private BrokerLogging() {}

    static void quietBrokerLoggers() {
        try {
            Class<?> configurator = Class.forName("org.apache.logging.log4j.core.config.Configurator");
            Class<?> level = Class.forName("org.apache.logging.log4j.Level");
            Object warn = level.getField("WARN").get(null);
            Method setLevel = configurator.getMethod("setLevel", String.class, level);
            Method getLogger = Class.forName("org.apache.logging.log4j.LogManager").getMethod("getLogger", String.class);
            Method getLevel = Class.forName("org.apache.logging.log4j.Logger").getMethod("getLevel");
            Method moreSpecific = level.getMethod("isMoreSpecificThan", level);
            for (String logger : BROKER_LOGGERS) {
                // quieter only: a configuration that already keeps a logger at ERROR (the CLI's) stays
                Object current = getLevel.invoke(getLogger.invoke(null, logger));
                if (current == null || !(Boolean) moreSpecific.invoke(current, warn)) {
                    setLevel.invoke(null, logger, warn);
                }
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            // Not Log4j 2: leave logging to the application's configuration.
        }
    }
}
