package io.streamrec.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a MovieLens ratings file into StreamRec's input contract, ordered by event time, for
 * replaying a real data set through the job.
 *
 * <p>Formats, recognised by content: {@code u.data} of ml-100k (tab-separated {@code user item
 * rating seconds}), {@code ratings.csv} of ml-latest and ml-25m (header {@code
 * userId,movieId,rating,timestamp}) and {@code ratings.dat} of ml-1m/ml-10m ({@code ::}-separated).
 *
 * <p>Each line becomes a {@code rating} {@link Interaction}: user and item are the file's ids as
 * strings (e.g. {@code "196"}, {@code "242"}), value is the rating, ts is the timestamp in
 * milliseconds and the id is {@code ml-{user}-{item}-{tsMillis}}. Records are sorted by timestamp;
 * ties keep file order (the sort is stable), so the result is deterministic.
 *
 * <p>The whole file is held in memory (fine up to ml-10m); stateless and thread-safe.
 */
public final class MovieLensReader {

    private static final String CSV_HEADER = "userId,movieId,rating,timestamp";

    private MovieLensReader() {}

    /** All ratings of the file as interactions, in timestamp order. */
    public static List<Interaction> read(Path file) {
        List<Interaction> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || (lineNo == 1 && line.startsWith(CSV_HEADER))) {
                    continue;
                }
                out.add(parse(line, file, lineNo));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read MovieLens file " + file, e);
        }
        out.sort(Comparator.comparingLong(Interaction::ts));
        return out;
    }

    /** All ratings of the file as JSON lines of the input contract, in timestamp order. */
    public static List<String> readJson(Path file) {
        return read(file).stream().map(Interaction::toJson).collect(Collectors.toList());
    }

    private static Interaction parse(String line, Path file, long lineNo) {
        String[] f;
        if (line.indexOf('\t') >= 0) {
            f = line.split("\t");
        } else if (line.contains("::")) {
            f = line.split("::");
        } else {
            f = line.split(",");
        }
        if (f.length < 4) {
            throw new IllegalArgumentException(file + ":" + lineNo + ": expected user, item, rating, timestamp: " + line);
        }
        try {
            String user = f[0].trim();
            String item = f[1].trim();
            double rating = Double.parseDouble(f[2].trim());
            long tsMillis = Math.multiplyExact(Long.parseLong(f[3].trim()), 1000L);
            return new Interaction("ml-" + user + "-" + item + "-" + tsMillis, user, item, "rating", rating, tsMillis);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(file + ":" + lineNo + ": " + e.getMessage() + ": " + line, e);
        }
    }
}
