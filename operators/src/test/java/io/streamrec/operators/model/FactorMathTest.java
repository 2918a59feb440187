package io.streamrec.operators.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FactorMathTest {

    @Test
    void initialVectorsAreDeterministicPerIdAndSeed() {
        float[] a = FactorMath.initVector("item-7", 16, 0.1f, 42);
        float[] b = FactorMath.initVector("item-7", 16, 0.1f, 42);
        float[] otherId = FactorMath.initVector("item-8", 16, 0.1f, 42);
        float[] otherSeed = FactorMath.initVector("item-7", 16, 0.1f, 43);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(otherId);
        assertThat(a).isNotEqualTo(otherSeed);
    }

    @Test
    void initialVectorsHaveTheRequestedScale() {
        double sumSq = 0;
        int n = 0;
        for (int i = 0; i < 2000; i++) {
            for (float x : FactorMath.initVector("u" + i, 8, 0.1f, 1)) {
                sumSq += x * x;
                n++;
            }
        }
        assertThat(Math.sqrt(sumSq / n)).isCloseTo(0.1, within(0.005));
    }

    @Test
    void bprGradientStepRaisesThePositiveAboveTheNegative() {
        float[] p = {0.1f, -0.2f, 0.3f};
        float[] qi = {0.0f, 0.1f, -0.1f};
        float[] qj = {0.2f, 0.0f, 0.1f};
        float bi = 0f, bj = 0.1f;
        float before = bi - bj + FactorMath.dot(p, qi) - FactorMath.dot(p, qj);

        float[] gp = new float[3], gqi = new float[3], gqj = new float[3];
        float gb = FactorMath.bprGradient(p, qi, bi, qj, bj, 1f, gp, gqi, gqj);
        // the gradient of log σ(x) is s·(qi − qj) for the user and ±s·p for the items, with s = σ(−x)
        float s = FactorMath.sigmoid(-before);
        assertThat(gb).isCloseTo(s, within(1e-6f));
        assertThat(gp[0]).isCloseTo(s * (qi[0] - qj[0]), within(1e-6f));
        assertThat(gqi[2]).isCloseTo(s * p[2], within(1e-6f));
        assertThat(gqj[2]).isCloseTo(-s * p[2], within(1e-6f));

        float[] p2 = p.clone(), qi2 = qi.clone(), qj2 = qj.clone();
        FactorMath.ascend(p2, gp, 0.1f, 0f, 10f);
        FactorMath.ascend(qi2, gqi, 0.1f, 0f, 10f);
        FactorMath.ascend(qj2, gqj, 0.1f, 0f, 10f);
        float after = (bi + 0.1f * gb) - (bj - 0.1f * gb) + FactorMath.dot(p2, qi2) - FactorMath.dot(p2, qj2);
        assertThat(after).isGreaterThan(before);
    }

    @Test
    void pointwiseGradientMovesThePredictionTowardTheTarget() {
        float[] p = {0.3f, 0.1f};
        float[] q = {0.2f, -0.4f};
        float before = FactorMath.sigmoid(FactorMath.dot(p, q));
        float[] gp = new float[2], gq = new float[2];
        float gb = FactorMath.pointwiseGradient(p, 0f, q, 0f, 1f, 2f, gp, gq);
        assertThat(gb).isCloseTo(2f * (1f - before), within(1e-6f));
        float[] p2 = p.clone(), q2 = q.clone();
        FactorMath.ascend(p2, gp, 0.5f, 0f, 10f);
        FactorMath.ascend(q2, gq, 0.5f, 0f, 10f);
        float after = FactorMath.sigmoid(0.5f * gb + FactorMath.dot(p2, q2));
        assertThat(after).isGreaterThan(before);

        float gbNeg = FactorMath.pointwiseGradient(p, 0f, q, 0f, 0f, 1f, new float[2], new float[2]);
        assertThat(gbNeg).isCloseTo(-before, within(1e-6f));
    }

    @Test
    void logAddIsLogOfSumOfExponentials() {
        assertThat(FactorMath.logAdd(Math.log(2), Math.log(3))).isCloseTo(Math.log(5), within(1e-12));
        assertThat(FactorMath.logAdd(Double.NEGATIVE_INFINITY, 1.5)).isEqualTo(1.5);
        assertThat(FactorMath.logAdd(800, 800)).isCloseTo(800 + Math.log(2), within(1e-9));
    }

    @Test
    void sanityRejectsNonFiniteAndExplodingVectors() {
        assertThat(FactorMath.isSane(new float[] {1f, 2f}, 10f)).isTrue();
        assertThat(FactorMath.isSane(new float[] {Float.NaN, 0f}, 10f)).isFalse();
        assertThat(FactorMath.isSane(new float[] {Float.POSITIVE_INFINITY}, 10f)).isFalse();
        assertThat(FactorMath.isSane(new float[] {6f, 8f}, 9.99f)).isFalse();
        assertThat(FactorMath.isSane(Float.NaN, 1f)).isFalse();
    }

    @Test
    void clipBoundsTheNorm() {
        float[] g = {3f, 4f};
        FactorMath.clip(g, 1f);
        assertThat(FactorMath.norm(g)).isCloseTo(1f, within(1e-6f));
        assertThat(g[0] / g[1]).isCloseTo(0.75f, within(1e-6f));
    }

    @Test
    void stepSizeHalvesAfterTheHalvingCountAndDecaysLikeOneOverN() {
        assertThat(FactorMath.stepSize(0.2f, 0, 30f)).isEqualTo(0.2f);
        assertThat(FactorMath.stepSize(0.2f, 30, 30f)).isCloseTo(0.1f, within(1e-7f));
        assertThat(FactorMath.stepSize(0.2f, 300, 30f)).isCloseTo(0.2f / 11f, within(1e-7f));
    }

    @Test
    void ascendClipsTheGradientAndShrinksByTheRegularization() {
        float[] v = {1f, 0f};
        FactorMath.ascend(v, new float[] {0f, 30f}, 0.1f, 0.5f, 3f);
        // gradient clipped to norm 3; shrinkage 0.1 · 0.5 · 1
        assertThat(v[0]).isCloseTo(0.95f, within(1e-6f));
        assertThat(v[1]).isCloseTo(0.3f, within(1e-6f));
    }

    private static float[] add(float[] a, float[] b) {
        float[] c = a.clone();
        for (int k = 0; k < c.length; k++) {
            c[k] += b[k];
        }
        return c;
    }
}
