package io.streamrec.job;

import io.streamrec.operators.records.ItemDelta;
import io.streamrec.operators.records.ItemDeltaSerde;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.io.IOException;

/** Kafka value (de)serialization of the gradient topic; the format is {@link ItemDeltaSerde}'s. */
public final class ItemDeltaSchema implements SerializationSchema<ItemDelta>, DeserializationSchema<ItemDelta> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(ItemDelta element) {
        return ItemDeltaSerde.serialize(element);
    }

    @Override
    public ItemDelta deserialize(byte[] message) throws IOException {
        return ItemDeltaSerde.deserialize(message);
    }

    @Override
    public boolean isEndOfStream(ItemDelta nextElement) {
        return false;
    }

    @Override
    public TypeInformation<ItemDelta> getProducedType() {
        return TypeInformation.of(ItemDelta.class);
    }
}
