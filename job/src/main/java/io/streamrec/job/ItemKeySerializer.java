package io.streamrec.job;

import io.streamrec.operators.records.ItemDelta;

import org.apache.flink.api.common.serialization.SerializationSchema;

import java.nio.charset.StandardCharsets;

/** Kafka key of a gradient record: the item id, so one item's gradients share a partition. */
final class ItemKeySerializer implements SerializationSchema<ItemDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(ItemDelta element) {
        return element.item.getBytes(StandardCharsets.UTF_8);
    }
}
