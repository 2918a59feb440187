package io.streamrec.operators.records;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Binary wire format of {@link ItemDelta} on the gradient topic. The first byte is a format
 * version so that a later release can read gradients written by an earlier one during an upgrade.
 */
public final class ItemDeltaSerde {
    static final byte VERSION = 4;

    private ItemDeltaSerde() {}

    public static byte[] serialize(ItemDelta d) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 4 * d.dq.length + 2 * d.item.length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(d.item);
            out.writeShort(d.dq.length);
            for (float x : d.dq) {
                out.writeFloat(x);
            }
            out.writeFloat(d.db);
            out.writeLong(d.interactions);
            out.writeDouble(d.popularityLog);
            out.writeLong(d.maxTs);
            out.writeBoolean(d.origin != null);
            if (d.origin != null) {
                out.writeUTF(d.origin);
            }
            out.writeLong(d.checkpointId);
            out.writeInt(d.sender);
            out.writeBoolean(d.republish != null);
            if (d.republish != null) {
                out.writeUTF(d.republish);
            }
            out.writeByte(d.retirement);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ItemDelta deserialize(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        byte version = in.readByte();
        if (version < 1 || version > VERSION) {
            throw new IOException("unknown ItemDelta format version " + version);
        }
        ItemDelta d = new ItemDelta();
        d.item = in.readUTF();
        int dim = in.readUnsignedShort();
        d.dq = new float[dim];
        for (int k = 0; k < dim; k++) {
            d.dq[k] = in.readFloat();
        }
        d.db = in.readFloat();
        d.interactions = in.readLong();
        d.popularityLog = in.readDouble();
        d.maxTs = in.readLong();
        if (version >= 2) {
            d.origin = in.readBoolean() ? in.readUTF() : null;
            d.checkpointId = in.readLong();
            d.sender = in.readInt();
        }
        if (version >= 3) {
            d.republish = in.readBoolean() ? in.readUTF() : null;
        }
        if (version >= 4) {
            d.retirement = in.readByte();
        }
        return d;
    }
}
