package io.streamrec.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the shared datasets (MovieLens) that tests and evaluations read but the repository never
 * contains (their licence forbids redistribution). Looked up, in order: the system property
 * {@code streamrec.datasets}, the environment variable {@code STREAMREC_DATASETS}, then a
 * {@code shared/datasets} folder beside the repository or any of the working directory's parents.
 */
public final class Datasets {
    private Datasets() {}

    /** The directory holding {@code ml-100k/}, if present. */
    public static Optional<Path> root() {
        String configured = System.getProperty("streamrec.datasets", System.getenv("STREAMREC_DATASETS"));
        if (configured != null && Files.isDirectory(Path.of(configured))) {
            return Optional.of(Path.of(configured));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("datasets");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** MovieLens 100K's {@code u.data}, if present. */
    public static Optional<Path> movieLens100k() {
        return root().map(r -> r.resolve("ml-100k").resolve("u.data")).filter(Files::isReadable);
    }
}
