package io.streamrec.evaluation;

import io.streamrec.job.CommandArgs;
import io.streamrec.job.StreamRecOptions;
import io.streamrec.operators.model.ModelConfig;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EvaluationSettingsTest {

    private static EvaluationSettings parse(String... args) {
        return EvaluationSettings.parse(CommandArgs.parse(args));
    }

    @Test
    void holdoutDefaultsAreFiveSeedsOfTheHistoryPasses() {
        EvaluationSettings s = parse("--dataset", "json:x.jsonl");

        assertThat(s.protocol).isEqualTo("holdout");
        assertThat(s.holdout()).isTrue();
        assertThat(s.seeds).isEqualTo(5);
        assertThat(s.firstSeed).isEqualTo(1);
        assertThat(s.passes).isEqualTo(ModelConfig.HISTORY_PASSES);
        assertThat(s.ratio).isEqualTo(0.75);
        assertThat(s.splitBy).isEqualTo("item");
        assertThat(s.validation).isFalse();
        assertThat(s.timeoutSeconds).isEqualTo(3600);
        assertThat(s.stallSeconds).isEqualTo(120);
        assertThat(s.minRating).isNull();
        assertThat(s.out).isNull();
        assertThat(s.notBefore).isEqualTo(StreamRecOptions.MIN_TIMESTAMP.defaultValue());
        assertThat(s.halfLifeDays).isEqualTo(StreamRecOptions.POPULARITY_HALF_LIFE_DAYS.defaultValue());
        assertThat(s.jobOptions).isEmpty();
    }

    @Test
    void prequentialDefaultsAreOneSeedOfOnePass() {
        EvaluationSettings s = parse("--dataset", "generated:", "--protocol", "prequential");

        assertThat(s.holdout()).isFalse();
        assertThat(s.seeds).isEqualTo(1);
        assertThat(s.passes).isEqualTo(1);
        assertThat(s.warmup).isEqualTo(0.2);
        assertThat(s.windows).isEqualTo(20);
    }

    @Test
    void theRestAreJobOptionsInOrderAndTheyDecideTheTimelineAndTheBaseline() {
        EvaluationSettings s = parse("--dataset", "json:x", "--model.dimension", "16", "--seeds", "2", "--min-rating", "4",
                "--input.min-timestamp", "0", "--model.popularity-half-life-days", "3", "--limit", "1_000", "--out", "d");

        assertThat(s.seeds).isEqualTo(2);
        assertThat(s.limit).isEqualTo(1000);
        assertThat(s.minRating).isEqualTo(4.0);
        assertThat(s.out).isEqualTo("d");
        assertThat(s.jobOptions).containsExactly(java.util.Map.entry("model.dimension", "16"),
                java.util.Map.entry("input.min-timestamp", "0"), java.util.Map.entry("model.popularity-half-life-days", "3"));
        assertThat(s.notBefore).isZero();
        assertThat(s.halfLifeDays).isEqualTo(3.0);
        assertThat(parse("--dataset", "json:x", "--baseline-half-life-days", "0.5").halfLifeDays).isEqualTo(0.5);
    }

    @Test
    void badFlagsFailBeforeAnythingStarts() {
        assertThatThrownBy(() -> parse("--protocol", "holdout")).hasMessage("--dataset movielens:PATH (or json:PATH) is required");
        assertThatThrownBy(() -> parse("--dataset", "json:x", "--protocol", "kfold"))
                .hasMessage("--protocol must be holdout or prequential, got 'kfold'");
        assertThatThrownBy(() -> parse("--dataset", "json:x", "--split-by", "time")).hasMessage("--split-by must be item or user");
        assertThatThrownBy(() -> parse("--dataset", "json:x", "--passes", "0")).hasMessage("--passes and --seeds must be at least 1");
        assertThatThrownBy(() -> parse("--dataset", "json:x", "--seeds", "many")).hasMessage("--seeds must be a number, got 'many'");
        assertThatThrownBy(() -> parse("--dataset", "json:x", "--bogus", "1")).hasMessageStartingWith("unknown option --bogus");
    }
}
