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
    void bprStepRaisesThePositiveAboveTheNegative() {
        float[] p = {0.1f, -0.2f, 0.3f};
        float[] qi = {0.0f, 0.1f, -0.1f};
        float[] qj = {0.2f, 0.0f, 0.1f};
        float bi = 0f, bj = 0.1f;
        float before = bi - bj + FactorMath.dot(p, qi) - FactorMath.dot(p, qj);

        float[] gp = new float[3], dqi = new float[3], dqj = new float[3], db = new float[2];
        float loss = FactorMath.bprStep(p, qi, bi, qj, bj, 1f, 0.1f, 0f, 0f, gp, dqi, dqj, db);
        assertThat(loss).isCloseTo((float) -Math.log(FactorMath.sigmoid(before)), within(1e-5f));

        float[] p2 = p.clone();
        FactorMath.applyUserStep(p2, gp, 0f, 0.1f, 0f, 10f);
        float[] qi2 = add(qi, dqi), qj2 = add(qj, dqj);
        float after = (bi + db[0]) - (bj + db[1]) + FactorMath.dot(p2, qi2) - FactorMath.dot(p2, qj2);
        assertThat(after).isGreaterThan(before);
        // the item gradient is s·p with s = σ(−x)
        float s = FactorMath.sigmoid(-before);
        assertThat(dqi[0]).isCloseTo(0.1f * s * p[0], within(1e-6f));
        assertThat(dqj[0]).isCloseTo(-0.1f * s * p[0], within(1e-6f));
        assertThat(db[0]).isCloseTo(0.1f * s, within(1e-6f));
    }

    @Test
    void pointwiseStepMovesThePredictionTowardTheTarget() {
        float[] p = {0.3f, 0.1f};
        float[] q = {0.2f, -0.4f};
        float before = FactorMath.sigmoid(FactorMath.dot(p, q));
        float[] gp = new float[2], gbu = new float[1], dq = new float[2], db = new float[1];
        FactorMath.pointwiseStep(p, 0f, q, 0f, 1f, 2f, 0.5f, 0f, 0f, gp, gbu, dq, db);
        float[] p2 = p.clone();
        FactorMath.applyUserStep(p2, gp, 0f, 0.5f, 0f, 10f);
        float after = FactorMath.sigmoid(db[0] + FactorMath.dot(p2, add(q, dq)));
        assertThat(after).isGreaterThan(before);

        float[] gpNeg = new float[2], dqNeg = new float[2], dbNeg = new float[1];
        FactorMath.pointwiseStep(p, 0f, q, 0f, 0f, 1f, 0.5f, 0f, 0f, gpNeg, new float[1], dqNeg, dbNeg);
        assertThat(dbNeg[0]).isNegative();
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
    void userStepSizeShrinksAsGradientsAccumulate() {
        float[] p1 = {0f}, p2 = {0f};
        float[] g = {1f};
        FactorMath.applyUserStep(p1, g.clone(), 0f, 0.1f, 0f, 10f);
        FactorMath.applyUserStep(p2, g.clone(), 100f, 0.1f, 0f, 10f);
        assertThat(p1[0]).isGreaterThan(p2[0]).isPositive();
    }

    private static float[] add(float[] a, float[] b) {
        float[] c = a.clone();
        for (int k = 0; k < c.length; k++) {
            c[k] += b[k];
        }
        return c;
    }
}
