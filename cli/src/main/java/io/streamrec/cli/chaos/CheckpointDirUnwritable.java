package io.streamrec.cli.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * The job's checkpoint directory cannot be written for 5–20 s: it is moved aside and a plain file
 * takes its name, so that every file Flink creates under it (checkpoint metadata, RocksDB's
 * incremental uploads) fails with an I/O error, also for root, whom {@code chmod} would not stop.
 * Checkpoints fail; past {@code tolerable-failed-checkpoints} the job fails over, and a restore
 * attempted while the directory is away fails too, until it is back. Then the directory is put
 * back, unchanged.
 */
final class CheckpointDirUnwritable extends Fault {

    CheckpointDirUnwritable() {
        super(FaultKind.CHECKPOINT_DIR_UNWRITABLE);
    }

    @Override
    String inject(ChaosEnvironment env, SplittableRandom random) throws Exception {
        Path dir = env.checkpointDir();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("the job's checkpoint directory " + dir + " does not exist");
        }
        Path aside = dir.resolveSibling(dir.getFileName() + ".aside");
        long down = Fault.outageMillis(random, 5, 20);
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.createFile(dir);
            Waits.sleep(down);
        } finally {
            Files.deleteIfExists(dir);
            Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        return "checkpoints/" + dir.getFileName() + " replaced by a file for " + down / 1000 + " s";
    }
}
