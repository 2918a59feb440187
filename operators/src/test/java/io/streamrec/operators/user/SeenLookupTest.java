package io.streamrec.operators.user;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SeenLookupTest {

    @Test
    void answersLikeASetAlsoForCollidingHashesDuplicatesAndTheEmptyList() {
        // "Aa" and "BB" have the same hash code; so do "AaAa", "BBBB", "AaBB" and "BBAa"
        String[] seen = {"Aa", "AaAa", "x", "x", "BBBB"};
        NegativeSampler.SeenLookup lookup = new NegativeSampler.SeenLookup(seen);
        assertThat(lookup.contains("Aa")).isTrue();
        assertThat(lookup.contains("BB")).isFalse();
        assertThat(lookup.contains("AaAa")).isTrue();
        assertThat(lookup.contains("BBBB")).isTrue();
        assertThat(lookup.contains("AaBB")).isFalse();
        assertThat(lookup.contains("x")).isTrue();
        assertThat(lookup.contains("y")).isFalse();
        assertThat(new NegativeSampler.SeenLookup(new String[0]).contains("x")).isFalse();
        // with the candidate's hash given (negative sampling passes the matrix's): the same answers
        assertThat(lookup.contains("BB".hashCode(), "BB")).isFalse();
        assertThat(lookup.contains("AaAa".hashCode(), "AaAa")).isTrue();
        assertThat(lookup.contains("y".hashCode(), "y")).isFalse();
    }

    @Test
    void agreesWithAHashSetOnRandomIdsOfEverySize() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 0; n <= 600; n += 7) {
            String[] seen = new String[n];
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < n; i++) {
                seen[i] = "i" + random.nextInt(2_000);
                expected.add(seen[i]);
            }
            NegativeSampler.SeenLookup lookup = new NegativeSampler.SeenLookup(seen);
            for (int k = 0; k < 2_000; k++) {
                String id = "i" + k;
                assertThat(lookup.contains(id)).as("%s among %d", id, n).isEqualTo(expected.contains(id));
            }
        }
    }

    @Test
    void sequentialIdsDoNotClusterSoAMissIsAFewProbes() {
        String[] seen = new String[500];
        for (int i = 0; i < seen.length; i++) {
            seen[i] = "i" + i; // consecutive hash codes
        }
        NegativeSampler.SeenLookup lookup = new NegativeSampler.SeenLookup(seen);
        long probes = 0;
        int misses = 2_000;
        for (int k = 500; k < 500 + misses; k++) {
            probes += lookup.probes("i" + k);
        }
        // a table half full with well-spread hashes: about 2.5 slots per miss; runs of adjacent
        // slots (the hash's low bits) would make it tens
        assertThat((double) probes / misses).isLessThan(4.0);
    }
}
