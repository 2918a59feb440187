package io.streamrec.cli;

import io.streamrec.job.CommandArgs;

import java.nio.file.Path;
import java.util.UUID;

/**
 * {@code bin/streamrec republish}: asks the running job to write every list it keeps state for to
 * Redis again — every user's list, the popular list and the item meta — for example after Redis lost
 * its data (a restart without persistence, {@code FLUSHALL}). It sends one control record to the
 * interactions topic; the job does the rest without restarting (docs/OPERATIONS.md, "Redis lost its
 * data").
 */
public final class RepublishCommand {
    private RepublishCommand() {}

    /** The control record; {@code id} names the request (the job acts once per id). */
    public static String record(String id, long ts) {
        return "{\"id\":\"" + id + "\",\"type\":\"republish\",\"ts\":" + ts + "}";
    }

    static int run(Path home, CommandArgs args) {
        String id = "republish-" + UUID.randomUUID();
        String sentTo = ControlRecords.send(home, args, record(id, System.currentTimeMillis()));
        System.out.printf("sent republish request %s to %s%n", id, sentTo);
        System.out.println("every list is written again after the job's next two checkpoints and the scoring of all"
                + " users (spread by the refresh pacer); `bin/streamrec status` shows lists emitted");
        return 0;
    }
}
