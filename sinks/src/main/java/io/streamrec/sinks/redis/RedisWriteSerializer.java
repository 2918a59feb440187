package io.streamrec.sinks.redis;

import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Turns a stream element into the list it should store in Redis. Shipped with the job graph, so it
 * must be serializable; a lambda works.
 *
 * @param <IN> the sink's input type
 */
@PublicEvolving
@FunctionalInterface
public interface RedisWriteSerializer<IN> extends Serializable {

    /**
     * @return the write for this element, or {@code null} to write nothing for it
     */
    VersionedWrite serialize(IN element);
}
