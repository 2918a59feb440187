package io.streamrec.evaluation;

import io.streamrec.operators.records.OnlineHit;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends the job's {@link OnlineHit}s to a local file, one tab-separated line
 * {@code user item ts rank listSize} each, flushed before every checkpoint barrier. For evaluation
 * runs on a local mini cluster only (the file is on this machine; parallelism 1; no exactly-once:
 * a failover may repeat lines, which {@link #read} tolerates by keeping the first measurement).
 */
public final class HitFileSink implements Sink<OnlineHit> {
    private static final long serialVersionUID = 1L;

    private final String path;

    public HitFileSink(Path path) {
        this.path = path.toAbsolutePath().toString();
    }

    @Override
    public SinkWriter<OnlineHit> createWriter(WriterInitContext context) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(Path.of(path), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new SinkWriter<>() {
            @Override
            public void write(OnlineHit hit, Context ctx) throws IOException {
                out.write(hit.user + "\t" + hit.item + "\t" + hit.ts + "\t" + hit.rank + "\t" + hit.listSize + "\n");
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    /** Key of a measurement: the event it measured. */
    public static String key(String user, String item, long ts) {
        return user + "\t" + item + "\t" + ts;
    }

    /** Ranks by {@link #key}; the first line of an event wins. */
    public static java.util.Map<String, Integer> read(Path file) throws IOException {
        java.util.Map<String, Integer> ranks = new java.util.HashMap<>();
        if (!Files.exists(file)) {
            return ranks;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length >= 4) {
                ranks.putIfAbsent(key(f[0], f[1], Long.parseLong(f[2])), Integer.parseInt(f[3]));
            }
        }
        return ranks;
    }
}
