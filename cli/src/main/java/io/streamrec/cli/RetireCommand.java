package io.streamrec.cli;

import io.streamrec.job.CommandArgs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/streamrec retire ITEM [--undo]}: takes an item out of every list and out of the model's
 * scoring (for example a product withdrawn from sale), or with {@code --undo} brings it back. It
 * sends one {@code retire} or {@code unretire} control record to the interactions topic; the job
 * keeps running (README, "Retiring an item").
 */
final class RetireCommand {
    private RetireCommand() {}

    /** The control record for {@code item}. */
    static String record(String item, boolean undo, long ts) {
        return "{\"item\":\"" + item.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"type\":\""
                + (undo ? "unretire" : "retire") + "\",\"ts\":" + ts + "}";
    }

    static int run(Path home, CommandArgs args) {
        String undoValue = args.take("undo", "false");
        List<String> items = new ArrayList<>(args.positional());
        boolean undo = true;
        if (undoValue.equals("false") || undoValue.equals("true")) {
            undo = undoValue.equals("true");
        } else {
            items.add(0, undoValue); // `retire --undo ITEM`: the parser took the item for the flag's value
        }
        if (items.size() != 1 || items.get(0).isBlank()) {
            throw new IllegalArgumentException("usage: bin/streamrec retire ITEM [--undo] [--kafka.bootstrap HOST:PORT]"
                    + " [--topic interactions]");
        }
        String item = items.get(0);
        String sentTo = ControlRecords.send(home, args, record(item, undo, System.currentTimeMillis()));
        System.out.printf("sent %s of item '%s' to %s%n", undo ? "unretire" : "retire", item, sentTo);
        System.out.println(undo
                ? "the item is back in the model once the job's next checkpoint completes; lists refreshed after that may hold it"
                : "the item leaves every list within one refresh interval after the job's next checkpoint completes");
        return 0;
    }
}
