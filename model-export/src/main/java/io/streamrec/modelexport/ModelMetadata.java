package io.streamrec.modelexport;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.flink.core.fs.FileSystem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code metadata.json} of an exported model. It is written after both CSV files, so its presence
 * marks a complete export. Bootstrap reads it, when present, only to check the dimension.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class ModelMetadata {
    public static final String FILE_NAME = "metadata.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** {@link FactorCsv#FORMAT_VERSION} of the files. */
    public int formatVersion = FactorCsv.FORMAT_VERSION;
    /** Length of every p_u and q_i. */
    public int dimension;
    public long users;
    public long items;
    /** Sum of the users' interaction counts (each distinct interaction counted once). */
    public long userInteractions;
    /** Sum of the items' interaction counts; equals userInteractions once the gradient loop is drained. */
    public long itemInteractions;
    /** The savepoint the model was read from. */
    public String savepoint;
    /** Checkpoint id of that savepoint. */
    public long savepointCheckpointId;
    /** Max parallelism (key groups) of the UserWorker's state in the savepoint. */
    public int maxParallelism;
    /** ISO-8601 instant of the export. */
    public String exportedAt;
    public String usersFile = FactorCsv.Side.USERS.fileName;
    public String itemsFile = FactorCsv.Side.ITEMS.fileName;

    public ModelMetadata() {}

    public void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE_NAME), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The metadata in {@code dir} (any Flink file system), or null when there is none (factors from another tool). */
    public static ModelMetadata readIfPresent(org.apache.flink.core.fs.Path dir) throws IOException {
        org.apache.flink.core.fs.Path file = new org.apache.flink.core.fs.Path(dir, FILE_NAME);
        FileSystem fs = file.getFileSystem();
        if (!fs.exists(file)) {
            return null;
        }
        try (InputStream in = fs.open(file)) {
            return JSON.readValue(in, ModelMetadata.class);
        }
    }
}
