package io.streamrec.modelexport;

import java.util.Arrays;
import java.util.Objects;

/**
 * One user or item of an exported model: its id, bias, interaction count, list version (users
 * only; 0 for items) and latent vector. A Flink POJO, so rows travel between the export and
 * bootstrap operators without Kryo.
 */
public class FactorRow {
    public String id;
    public float bias;
    public long interactions;
    public long version;
    public float[] vector;

    public FactorRow() {}

    public FactorRow(String id, float bias, long interactions, long version, float[] vector) {
        this.id = id;
        this.bias = bias;
        this.interactions = interactions;
        this.version = version;
        this.vector = vector;
    }

    /** Exact equality of the floats, as {@link Arrays#equals(float[], float[])}: -0.0 differs from 0.0. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FactorRow)) {
            return false;
        }
        FactorRow r = (FactorRow) o;
        return Objects.equals(id, r.id)
                && Float.floatToIntBits(bias) == Float.floatToIntBits(r.bias)
                && interactions == r.interactions
                && version == r.version
                && Arrays.equals(vector, r.vector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Float.floatToIntBits(bias), interactions, version, Arrays.hashCode(vector));
    }

    @Override
    public String toString() {
        return id + "(bias=" + bias + ", interactions=" + interactions + ", version=" + version
                + ", vector=" + Arrays.toString(vector) + ")";
    }
}
