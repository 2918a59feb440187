package io.streamrec.sinks.redis;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A list as read from Redis by {@link RedisRecommendations}: items best first, and the meta hash
 * that was stored together with them.
 *
 * @param key the sorted set the items came from
 * @param items best first; empty if neither the user nor the popular list exists
 * @param meta the list's meta hash ({@code version}, {@code updated}, extra fields); may be empty
 * @param popularFallback true if the user had no list and these are the popular items
 */
@PublicEvolving
public record Recommendations(
        String key, List<ScoredItem> items, Map<String, String> meta, boolean popularFallback) {

    public Recommendations {
        Objects.requireNonNull(key, "key");
        items = List.copyOf(items);
        meta = Map.copyOf(meta);
    }

    /** The stored version, if the list has meta. */
    public OptionalLong version() {
        String version = meta.get(VersionedWrite.VERSION_FIELD);
        return version == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(version));
    }

    /** When the list was computed (epoch ms), if the list has meta. */
    public OptionalLong updatedMillis() {
        String updated = meta.get(VersionedWrite.UPDATED_FIELD);
        return updated == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(updated));
    }

    /** The item ids, best first. */
    public List<String> itemIds() {
        return items.stream().map(ScoredItem::item).toList();
    }

    /** One recommended item and its score. */
    public record ScoredItem(String item, double score) {}
}
