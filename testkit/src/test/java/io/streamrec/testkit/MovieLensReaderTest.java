package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MovieLensReaderTest {

    private static final Path ML_100K = Datasets.movieLens100k().orElse(Path.of("shared/datasets/ml-100k/u.data"));

    @Test
    void readsTheWholeMl100kFileInTimestampOrder() {
        assumeTrue(Files.isReadable(ML_100K), "MovieLens 100k not present at " + ML_100K);

        List<Interaction> ratings = MovieLensReader.read(ML_100K);

        assertThat(ratings).hasSize(100_000);
        for (int i = 1; i < ratings.size(); i++) {
            assertThat(ratings.get(i).ts()).isGreaterThanOrEqualTo(ratings.get(i - 1).ts());
        }
        assertThat(ratings).allSatisfy(r -> {
            assertThat(r.type()).isEqualTo("rating");
            assertThat(r.value()).isBetween(1.0, 5.0);
        });
        assertThat(ratings.stream().map(Interaction::user).distinct().count()).isEqualTo(943);
        assertThat(ratings.stream().map(Interaction::item).distinct().count()).isEqualTo(1682);
        // First line of u.data: "196	242	3	881250949".
        assertThat(ratings).contains(new Interaction("ml-196-242-881250949000", "196", "242", "rating", 3.0, 881250949000L));
        assertThat(ratings.get(0).ts()).isEqualTo(874724710000L);
    }

    @Test
    void readsRatingsCsvWithHeaderAndSortsByTime() throws Exception {
        Path csv = writeFile("ratings.csv",
                "userId,movieId,rating,timestamp", "1,31,2.5,1260759144", "1,1029,3.0,1260759179", "7,10,4.5,1000");
        List<String> json = MovieLensReader.readJson(csv);

        assertThat(json).containsExactly(
                "{\"id\":\"ml-7-10-1000000\",\"user\":\"7\",\"item\":\"10\",\"type\":\"rating\",\"value\":4.5,\"ts\":1000000}",
                "{\"id\":\"ml-1-31-1260759144000\",\"user\":\"1\",\"item\":\"31\",\"type\":\"rating\",\"value\":2.5,\"ts\":1260759144000}",
                "{\"id\":\"ml-1-1029-1260759179000\",\"user\":\"1\",\"item\":\"1029\",\"type\":\"rating\",\"value\":3.0,\"ts\":1260759179000}");
        JsonNode first = new ObjectMapper().readTree(json.get(0));
        assertThat(first.get("value").asDouble()).isEqualTo(4.5);
    }

    @Test
    void readsTabAndDoubleColonFormatsKeepingFileOrderOnTies() throws Exception {
        List<Interaction> tab = MovieLensReader.read(writeFile("u.data", "5\t6\t4\t20", "1\t2\t5\t10", "3\t4\t1\t10"));
        assertThat(tab).extracting(Interaction::id).containsExactly("ml-1-2-10000", "ml-3-4-10000", "ml-5-6-20000");

        List<Interaction> dat = MovieLensReader.read(writeFile("ratings.dat", "1::1193::5::978300760"));
        assertThat(dat).containsExactly(new Interaction("ml-1-1193-978300760000", "1", "1193", "rating", 5.0, 978300760000L));
    }

    @Test
    void reportsTheBadLine() throws Exception {
        Path bad = writeFile("u.data", "1\t2\t5\t10", "1\t2\tfive\t11");
        assertThatThrownBy(() -> MovieLensReader.read(bad)).hasMessageContaining(":2:");
    }

    @TempDir
    Path tmp;

    private Path writeFile(String name, String... lines) throws Exception {
        return Files.write(tmp.resolve(name), List.of(lines));
    }
}
