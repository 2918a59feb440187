package io.streamrec.cli.compare;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CandidateDeploymentTest {

    @Test
    void aCandidateOwnsEverythingButTheInteractionsTopic() {
        Map<String, String> options = CandidateDeployment.options("dim2", Map.of("model.dimension", "2"));
        assertThat(options).containsEntry("redis.prefix", "dim2:")
                .containsEntry("kafka.group", "streamrec-dim2")
                .containsEntry("kafka.transactional-id-prefix", "streamrec-dim2")
                .containsEntry("kafka.topic.gradients", "item-gradients-dim2")
                .containsEntry("kafka.topic.dead-letters", "interactions-dlq-dim2")
                .containsEntry("model.dimension", "2")
                .doesNotContainKey("kafka.topic.interactions");
        assertThat(CandidateDeployment.sharedIdentity(Map.of(), options)).isEmpty();
    }

    @Test
    void explicitOptionsWin() {
        Map<String, String> options = CandidateDeployment.options("c1", Map.of("redis.prefix", "cand:"));
        assertThat(options).containsEntry("redis.prefix", "cand:").containsEntry("kafka.group", "streamrec-c1");
    }

    @Test
    void aSecondDeploymentWithTheLiveIdentityIsNamed() {
        assertThat(CandidateDeployment.sharedIdentity(Map.of("redis.prefix", "rec:"), Map.of("model.dimension", "2")))
                .containsExactly("redis.prefix rec:", "kafka.group streamrec", "kafka.transactional-id-prefix streamrec");
        assertThat(CandidateDeployment.sharedIdentity(Map.of(), Map.of("redis.prefix", "b:", "kafka.group", "g2")))
                .containsExactly("kafka.transactional-id-prefix streamrec");
    }

    @Test
    void refusesNamesThatAreNotSafeInKeysAndTopics() {
        assertThatThrownBy(() -> CandidateDeployment.options("a b", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--candidate");
    }
}
