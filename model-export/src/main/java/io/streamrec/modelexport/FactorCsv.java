package io.streamrec.modelexport;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The factor file format of {@code export-model} and {@code bootstrap}: CSV (RFC 4180 quoting,
 * comma separated, header row, {@code \n} line ends), one file per side.
 *
 * <pre>
 * users.csv: user,bias,interactions,version,p_0,...,p_{d-1}
 * items.csv: item,bias,interactions,q_0,...,q_{d-1}
 * </pre>
 *
 * <p>Floats are written with {@link Float#toString(float)}, which prints enough digits for
 * {@link Float#parseFloat} to give back the identical float, so an export → bootstrap → export
 * round trip is exact; pandas and Spark read the numbers as plain decimals. On reading, any
 * {@code Float.parseFloat} syntax is accepted (decimal, exponent, hexadecimal {@code 0x1.8p-3}), so
 * files written by other tools work; only {@code id} and the vector columns are required, the other
 * columns default to 0, and columns may come in any order. Unknown columns are rejected so that a
 * misspelt header cannot silently drop data. Pure Java, no Flink imports.
 *
 * <p>Long because it holds both directions of the format, writing and reading with their
 * validation, so that the format is defined in one place.
 */
public final class FactorCsv {

    /** Version of this format, written to {@code metadata.json}. */
    public static final int FORMAT_VERSION = 1;

    private FactorCsv() {}

    /** Which file: the users' (UserWorker state) or the items' (ItemServer state). */
    public enum Side {
        USERS("users.csv", "user", "p_", true),
        ITEMS("items.csv", "item", "q_", false);

        public final String fileName;
        public final String idColumn;
        public final String vectorPrefix;
        public final boolean hasVersion;

        Side(String fileName, String idColumn, String vectorPrefix, boolean hasVersion) {
            this.fileName = fileName;
            this.idColumn = idColumn;
            this.vectorPrefix = vectorPrefix;
            this.hasVersion = hasVersion;
        }
    }

    static final String BIAS = "bias";
    static final String INTERACTIONS = "interactions";
    static final String VERSION = "version";

    /** The header columns of a file with vectors of {@code dimension}. */
    public static List<String> header(Side side, int dimension) {
        List<String> columns = new ArrayList<>(dimension + 4);
        columns.add(side.idColumn);
        columns.add(BIAS);
        columns.add(INTERACTIONS);
        if (side.hasVersion) {
            columns.add(VERSION);
        }
        for (int k = 0; k < dimension; k++) {
            columns.add(side.vectorPrefix + k);
        }
        return columns;
    }

    /** The fields of one row, in the order of {@link #header}. */
    public static List<String> fields(Side side, FactorRow row) {
        List<String> fields = new ArrayList<>(row.vector.length + 4);
        fields.add(row.id);
        fields.add(Float.toString(row.bias));
        fields.add(Long.toString(row.interactions));
        if (side.hasVersion) {
            fields.add(Long.toString(row.version));
        }
        for (float v : row.vector) {
            fields.add(Float.toString(v));
        }
        return fields;
    }

    /** One CSV line (without line end); fields with a comma, quote or line break are quoted. */
    public static String line(List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String f = fields.get(i);
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes one side's file. The header is written with the first row (its vector fixes the
     * dimension), or on {@link #close} for an empty file, with the dimension given then.
     */
    public static final class FactorWriter implements Closeable {
        private final Writer out;
        private final Side side;
        private int dimension = -1;
        private long rows;

        public FactorWriter(Writer out, Side side) {
            this.out = out;
            this.side = side;
        }

        public void write(FactorRow row) throws IOException {
            if (row.id == null || row.vector == null) {
                throw new IllegalArgumentException(side.idColumn + " row without id or vector: " + row);
            }
            if (dimension < 0) {
                writeHeader(row.vector.length);
            } else if (row.vector.length != dimension) {
                throw new IllegalArgumentException(side.idColumn + " '" + row.id + "' has dimension "
                        + row.vector.length + " but earlier rows have " + dimension);
            }
            out.write(line(fields(side, row)));
            out.write('\n');
            rows++;
        }

        private void writeHeader(int dim) throws IOException {
            dimension = dim;
            out.write(line(header(side, dim)));
            out.write('\n');
        }

        /** The dimension of the rows written, or -1 before the first row. */
        public int dimension() {
            return dimension;
        }

        public long rows() {
            return rows;
        }

        /** Writes the header of an empty file with {@code dim} vector columns, then closes. */
        public void close(int dim) throws IOException {
            if (dimension < 0) {
                writeHeader(Math.max(0, dim));
            }
            out.close();
        }

        @Override
        public void close() throws IOException {
            close(0);
        }
    }

    // ------------------------------------------------------------------ reading

    /** Reads the rows of one side's file; the header is read on construction. */
    public static final class FactorReader implements Closeable {
        private final RecordReader records;
        private final Layout layout;
        private final String name;

        public FactorReader(Reader in, Side side, String name) throws IOException {
            this.records = new RecordReader(in);
            this.name = name;
            List<String> header = records.next();
            if (header == null) {
                throw new IllegalArgumentException(name + ": empty file, expected a header row starting with '"
                        + side.idColumn + "'");
            }
            this.layout = Layout.parse(side, header, name);
        }

        public int dimension() {
            return layout.vectorColumns.length;
        }

        /** The next row, or null at the end of the file. */
        public FactorRow next() throws IOException {
            while (true) {
                List<String> fields = records.next();
                if (fields == null) {
                    return null;
                }
                if (fields.size() == 1 && fields.get(0).isEmpty()) {
                    continue; // blank line
                }
                return layout.row(fields, name + " line " + records.recordStartLine());
            }
        }

        @Override
        public void close() throws IOException {
            records.close();
        }
    }

    /** Where each value is in a file's rows, from its header. */
    static final class Layout {
        final Side side;
        final int columns;
        final int id;
        final int bias;
        final int interactions;
        final int version;
        final int[] vectorColumns;

        private Layout(Side side, int columns, int id, int bias, int interactions, int version, int[] vectorColumns) {
            this.side = side;
            this.columns = columns;
            this.id = id;
            this.bias = bias;
            this.interactions = interactions;
            this.version = version;
            this.vectorColumns = vectorColumns;
        }

        static Layout parse(Side side, List<String> header, String name) {
            Map<String, Integer> named = new HashMap<>();
            Map<Integer, Integer> vector = new HashMap<>();
            for (int c = 0; c < header.size(); c++) {
                String column = header.get(c).trim();
                if (c == 0 && column.startsWith("\uFEFF")) {
                    column = column.substring(1); // byte order mark of some spreadsheet exports
                }
                boolean known = column.equals(side.idColumn) || column.equals(BIAS) || column.equals(INTERACTIONS)
                        || (side.hasVersion && column.equals(VERSION));
                if (known) {
                    if (named.put(column, c) != null) {
                        throw new IllegalArgumentException(name + ": column '" + column + "' appears twice");
                    }
                } else if (column.startsWith(side.vectorPrefix) && isIndex(column.substring(side.vectorPrefix.length()))) {
                    int k = Integer.parseInt(column.substring(side.vectorPrefix.length()));
                    if (vector.put(k, c) != null) {
                        throw new IllegalArgumentException(name + ": column '" + column + "' appears twice");
                    }
                } else {
                    throw new IllegalArgumentException(name + ": unknown column '" + column + "'; expected "
                            + side.idColumn + ", " + BIAS + ", " + INTERACTIONS + (side.hasVersion ? ", " + VERSION : "")
                            + " and " + side.vectorPrefix + "0.." + side.vectorPrefix + "<d-1>");
                }
            }
            if (!named.containsKey(side.idColumn)) {
                throw new IllegalArgumentException(name + ": no '" + side.idColumn + "' column in the header " + header);
            }
            if (vector.isEmpty()) {
                throw new IllegalArgumentException(name + ": no vector columns (" + side.vectorPrefix + "0, "
                        + side.vectorPrefix + "1, ...) in the header");
            }
            int[] vectorColumns = new int[vector.size()];
            for (int k = 0; k < vectorColumns.length; k++) {
                Integer c = vector.get(k);
                if (c == null) {
                    throw new IllegalArgumentException(name + ": vector columns must be " + side.vectorPrefix + "0.."
                            + side.vectorPrefix + (vectorColumns.length - 1) + " but " + side.vectorPrefix + k + " is missing");
                }
                vectorColumns[k] = c;
            }
            return new Layout(side, header.size(), named.get(side.idColumn), named.getOrDefault(BIAS, -1),
                    named.getOrDefault(INTERACTIONS, -1), named.getOrDefault(VERSION, -1), vectorColumns);
        }

        private static boolean isIndex(String s) {
            if (s.isEmpty() || s.length() > 6 || (s.length() > 1 && s.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }

        FactorRow row(List<String> fields, String where) {
            if (fields.size() != columns) {
                throw new IllegalArgumentException(where + ": " + fields.size() + " fields, the header has " + columns);
            }
            FactorRow row = new FactorRow();
            row.id = fields.get(id);
            if (row.id.isEmpty()) {
                throw new IllegalArgumentException(where + ": empty " + side.idColumn);
            }
            row.bias = bias < 0 ? 0f : parseFloat(fields.get(bias), BIAS, where);
            row.interactions = interactions < 0 ? 0L : parseCount(fields.get(interactions), INTERACTIONS, where);
            row.version = version < 0 ? 0L : parseCount(fields.get(version), VERSION, where);
            row.vector = new float[vectorColumns.length];
            for (int k = 0; k < vectorColumns.length; k++) {
                row.vector[k] = parseFloat(fields.get(vectorColumns[k]), side.vectorPrefix + k, where);
            }
            return row;
        }

        private static float parseFloat(String s, String column, String where) {
            String t = s.trim();
            if (t.isEmpty()) {
                throw new IllegalArgumentException(where + ": column '" + column + "' is empty");
            }
            float v;
            try {
                v = Float.parseFloat(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": column '" + column + "': not a number '" + s + "'");
            }
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(where + ": column '" + column + "': not finite as a float '" + s + "'");
            }
            return v;
        }

        private static long parseCount(String s, String column, String where) {
            String t = s.trim();
            if (t.isEmpty()) {
                return 0L;
            }
            long v;
            try {
                v = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": column '" + column + "': not a whole number '" + s + "'");
            }
            if (v < 0) {
                throw new IllegalArgumentException(where + ": column '" + column + "' is negative: " + v);
            }
            return v;
        }
    }

    /** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
    static final class RecordReader implements Closeable {
        private final Reader in;
        private int pushedBack = -2;
        private long line = 1;
        private long recordStartLine = 1;

        RecordReader(Reader in) {
            this.in = in;
        }

        private int read() throws IOException {
            if (pushedBack != -2) {
                int c = pushedBack;
                pushedBack = -2;
                return c;
            }
            return in.read();
        }

        /** The fields of the next record, or null at the end of the input. */
        List<String> next() throws IOException {
            int c = read();
            if (c == -1) {
                return null;
            }
            recordStartLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            while (true) {
                if (quoted) {
                    if (c == -1) {
                        throw new IllegalArgumentException("line " + recordStartLine + ": unterminated quoted field");
                    }
                    if (c == '"') {
                        int d = read();
                        if (d == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            c = d;
                            continue;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append((char) c);
                    }
                } else if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                } else if (c == '\n' || c == '\r' || c == -1) {
                    if (c == '\r') {
                        int d = read();
                        if (d != '\n') {
                            pushedBack = d;
                        }
                    }
                    if (c != -1) {
                        line++;
                    }
                    fields.add(field.toString());
                    return fields;
                } else if (c == '"' && field.length() == 0 && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                } else {
                    field.append((char) c);
                }
                c = read();
            }
        }

        long recordStartLine() {
            return recordStartLine;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

}
