package io.streamrec.operators.scoring;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScoringKernelTest {

    @Test
    void javaIsTheJavaKernel() {
        assertThat(ScoringKernel.JAVA.create()).isInstanceOf(JavaTopNKernel.class);
    }

    @Test
    void jblasIsJblasWhenItsNativeLibraryWorksAndJavaOtherwise() {
        TopNKernel kernel = ScoringKernel.JBLAS.create();
        assertThat(kernel).isInstanceOf(TopNKernels.jblasAvailable() ? JblasTopNKernel.class : JavaTopNKernel.class);
    }
}
