package io.streamrec.modelexport;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FactorCsvTest {

    @Test
    void everyFloatSurvivesTheTextRoundTripBitForBit() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        List<FactorRow> rows = new ArrayList<>();
        float[] edges = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                -Float.MAX_VALUE, 1f / 3f, 0.1f, 1e-8f, 123456.79f, Math.nextUp(1f), Math.nextDown(1f)};
        rows.add(new FactorRow("edges", -0f, 0, 0, edges));
        for (int n = 0; n < 5000; n++) {
            float[] v = new float[edges.length];
            for (int k = 0; k < v.length; k++) {
                float f;
                do {
                    f = Float.intBitsToFloat(random.nextInt()); // uniform over all bit patterns
                } while (!Float.isFinite(f));
                v[k] = f;
            }
            rows.add(new FactorRow("u" + n, v[0], random.nextLong(0, Long.MAX_VALUE), random.nextLong(0, 1000), v));
        }
        assertThat(readAll(write(rows, FactorCsv.Side.USERS), FactorCsv.Side.USERS)).containsExactlyElementsOf(rows);
    }

    @Test
    void idsWithCommasQuotesAndLineBreaksAreQuoted() throws IOException {
        List<FactorRow> rows = List.of(
                new FactorRow("plain", 1f, 2, 0, new float[] {1f, 2f}),
                new FactorRow("a,b", 1f, 2, 0, new float[] {1f, 2f}),
                new FactorRow("say \"hi\"", 1f, 2, 0, new float[] {1f, 2f}),
                new FactorRow("two\nlines\r\n", 1f, 2, 0, new float[] {1f, 2f}),
                new FactorRow("ünïcødé ☃", 1f, 2, 0, new float[] {1f, 2f}));
        String text = write(rows, FactorCsv.Side.ITEMS);
        assertThat(text).startsWith("item,bias,interactions,q_0,q_1\nplain,1.0,2,1.0,2.0\n\"a,b\",");
        assertThat(readAll(text, FactorCsv.Side.ITEMS)).containsExactlyElementsOf(rows);
    }

    @Test
    void headerNamesColumnsForPandas() {
        assertThat(FactorCsv.line(FactorCsv.header(FactorCsv.Side.USERS, 3)))
                .isEqualTo("user,bias,interactions,version,p_0,p_1,p_2");
        assertThat(FactorCsv.line(FactorCsv.header(FactorCsv.Side.ITEMS, 2))).isEqualTo("item,bias,interactions,q_0,q_1");
    }

    @Test
    void readsFilesOfOtherToolsColumnsInAnyOrderOptionalOnesDefaultingToZero() throws IOException {
        String als = "\uFEFFp_1,user,p_0\r\n0x1.8p-3,alice,-2.5E-3\r\n\r\n7,bob,1\r\n";
        List<FactorRow> rows = readAll(als, FactorCsv.Side.USERS);
        assertThat(rows).containsExactly(
                new FactorRow("alice", 0f, 0, 0, new float[] {-2.5e-3f, 0.1875f}),
                new FactorRow("bob", 0f, 0, 0, new float[] {1f, 7f}));
    }

    @Test
    void rejectsMalformedFilesNamingFileLineAndColumn() {
        assertThatThrownBy(() -> readAll("user,bias,p_0,p_2\n", FactorCsv.Side.USERS))
                .hasMessageContaining("p_1 is missing");
        assertThatThrownBy(() -> readAll("user,biass,p_0\n", FactorCsv.Side.USERS))
                .hasMessageContaining("unknown column 'biass'");
        assertThatThrownBy(() -> readAll("item,version,q_0\n", FactorCsv.Side.ITEMS))
                .hasMessageContaining("unknown column 'version'");
        assertThatThrownBy(() -> readAll("bias,p_0\n", FactorCsv.Side.USERS))
                .hasMessageContaining("no 'user' column");
        assertThatThrownBy(() -> readAll("user,p_0\nu1,0.5\nu2,abc\n", FactorCsv.Side.USERS))
                .hasMessageContaining("test.csv line 3: column 'p_0': not a number 'abc'");
        assertThatThrownBy(() -> readAll("user,p_0\nu1,1e39\n", FactorCsv.Side.USERS))
                .hasMessageContaining("line 2: column 'p_0': not finite");
        assertThatThrownBy(() -> readAll("user,p_0\nu1,NaN\n", FactorCsv.Side.USERS))
                .hasMessageContaining("not finite");
        assertThatThrownBy(() -> readAll("user,p_0\nu1\n", FactorCsv.Side.USERS))
                .hasMessageContaining("line 2: 1 fields, the header has 2");
        assertThatThrownBy(() -> readAll("user,interactions,p_0\nu1,-3,1\n", FactorCsv.Side.USERS))
                .hasMessageContaining("'interactions' is negative");
        assertThatThrownBy(() -> readAll("user,p_0\n\"u1,1\n", FactorCsv.Side.USERS))
                .hasMessageContaining("unterminated quoted field");
        assertThatThrownBy(() -> readAll("", FactorCsv.Side.ITEMS)).hasMessageContaining("empty file");
    }

    @Test
    void writerRefusesMixedDimensionsAndWritesAHeaderForAnEmptyFile() throws IOException {
        StringWriter out = new StringWriter();
        FactorCsv.FactorWriter writer = new FactorCsv.FactorWriter(out, FactorCsv.Side.ITEMS);
        writer.write(new FactorRow("i1", 0f, 1, 0, new float[] {1f, 2f}));
        assertThatThrownBy(() -> writer.write(new FactorRow("i2", 0f, 1, 0, new float[] {1f})))
                .hasMessageContaining("dimension 1 but earlier rows have 2");

        StringWriter empty = new StringWriter();
        new FactorCsv.FactorWriter(empty, FactorCsv.Side.USERS).close(2);
        assertThat(empty.toString()).isEqualTo("user,bias,interactions,version,p_0,p_1\n");
        assertThat(readAll(empty.toString(), FactorCsv.Side.USERS)).isEmpty();
    }

    private static String write(List<FactorRow> rows, FactorCsv.Side side) throws IOException {
        StringWriter out = new StringWriter();
        try (FactorCsv.FactorWriter writer = new FactorCsv.FactorWriter(out, side)) {
            for (FactorRow r : rows) {
                writer.write(r);
            }
        }
        return out.toString();
    }

    private static List<FactorRow> readAll(String text, FactorCsv.Side side) throws IOException {
        List<FactorRow> rows = new ArrayList<>();
        try (FactorCsv.FactorReader reader = new FactorCsv.FactorReader(new StringReader(text), side, "test.csv")) {
            for (FactorRow r = reader.next(); r != null; r = reader.next()) {
                rows.add(r);
            }
        }
        return rows;
    }
}
