package io.streamrec.operators.user;

import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.scoring.ItemMatrix;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SgdStepTest {

    private static final int DIM = 4;

    private static ItemMatrix items() {
        ItemMatrix m = new ItemMatrix(DIM);
        m.upsert("pos", FactorMath.initVector("pos", DIM, 0.3f, 1), 0f);
        m.upsert("neg", FactorMath.initVector("neg", DIM, 0.3f, 1), 0.2f);
        return m;
    }

    private static float pairScore(float[] p, ItemMatrix m, float[] dqi, float dbi, float[] dqj, float dbj) {
        float[] qi = m.vectorAt(0), qj = m.vectorAt(1);
        for (int k = 0; k < DIM; k++) {
            qi[k] += dqi[k];
            qj[k] += dqj[k];
        }
        return (m.biasAt(0) + dbi) - (m.biasAt(1) + dbj) + FactorMath.dot(p, qi) - FactorMath.dot(p, qj);
    }

    @Test
    void aBprStepRanksThePositiveHigherAndChangesNothingItReads() {
        ModelConfig model = ModelConfig.builder().dimension(DIM).build();
        ItemMatrix m = items();
        float[] p = FactorMath.initVector("u", DIM, 0.3f, 1);
        float[] pBefore = p.clone();
        float before = pairScore(p, m, new float[DIM], 0, new float[DIM], 0);

        SgdStep.Update u = new SgdStep(model).compute(p, 0f, 0, 0, 1f, new int[] {1}, m);

        assertThat(p).containsExactly(pBefore);
        assertThat(m.vectorAt(0)).containsExactly(FactorMath.initVector("pos", DIM, 0.3f, 1));
        assertThat(u.items()).extracting(SgdStep.ItemChange::item).containsExactly("pos", "neg");
        SgdStep.ItemChange i = u.items().get(0), j = u.items().get(1);
        assertThat(pairScore(u.p(), m, i.dq(), i.db(), j.dq(), j.db())).isGreaterThan(before);
        assertThat(i.db()).isPositive();
        assertThat(j.db()).isNegative();
    }

    @Test
    void eachVectorStepsWithItsOwnSizeThatShrinksWithItsInteractions() {
        // without the new-user boost, which weighs the user's first interactions (tested below)
        ModelConfig model = ModelConfig.builder().dimension(DIM).regularization(0f).biasRegularization(0f)
                .newUserBoost(0f).build();
        ItemMatrix fresh = items();
        ItemMatrix known = items();
        known.setInteractions(0, 90);
        SgdStep step = new SgdStep(model);
        float[] p = FactorMath.initVector("u", DIM, 0.3f, 1);

        SgdStep.Update a = step.compute(p, 0f, 0, 0, 1f, new int[] {1}, fresh);
        SgdStep.Update b = step.compute(p, 0f, 0, 0, 1f, new int[] {1}, known);
        SgdStep.Update c = step.compute(p, 0f, 60, 0, 1f, new int[] {1}, fresh);

        float itemRatio = FactorMath.stepSize(1, 0, model.itemStepHalving()) / FactorMath.stepSize(1, 90, model.itemStepHalving());
        assertThat(a.items().get(0).db() / b.items().get(0).db()).isCloseTo(itemRatio, within(1e-4f));
        // the negative item's clock did not change: same update
        assertThat(b.items().get(1).db()).isEqualTo(a.items().get(1).db());
        // a user with 60 interactions (halving 30) moves a third as far
        float userRatio = FactorMath.stepSize(1, 0, model.userStepHalving()) / FactorMath.stepSize(1, 60, model.userStepHalving());
        assertThat(userRatio).isCloseTo(3f, within(1e-6f));
        assertThat(FactorMath.norm(diff(a.p(), p)) / FactorMath.norm(diff(c.p(), p))).isCloseTo(userRatio, within(1e-3f));
    }

    @Test
    void biasesStepTheConfiguredShareOfTheVectorStepAndVectorsDoNotDependOnIt() {
        ItemMatrix m = items();
        float[] p = FactorMath.initVector("u", DIM, 0.3f, 1);
        SgdStep.Update full = new SgdStep(ModelConfig.builder().dimension(DIM).biasStep(1f).build())
                .compute(p, 0.2f, 0, 0, 1f, new int[] {1}, m);
        SgdStep.Update quarter = new SgdStep(ModelConfig.builder().dimension(DIM).build())
                .compute(p, 0.2f, 0, 0, 1f, new int[] {1}, m);

        assertThat(ModelConfig.defaults().biasStep()).isEqualTo(0.25f);
        for (int k = 0; k < 2; k++) {
            SgdStep.ItemChange a = full.items().get(k), b = quarter.items().get(k);
            assertThat(a.db()).isNotZero();
            assertThat(b.db()).isCloseTo(0.25f * a.db(), within(1e-7f));
            assertThat(b.dq()).containsExactly(a.dq());
        }
        // BPR: the pairwise loss does not move the user's bias; only its regularization does, a quarter as far
        assertThat(quarter.b() - 0.2f).isCloseTo(0.25f * (full.b() - 0.2f), within(1e-7f));
        assertThat(quarter.p()).containsExactly(full.p());
    }

    @Test
    void aNegativeEventPushesTheItemDownWithoutNegatives() {
        ModelConfig model = ModelConfig.builder().dimension(DIM).build();
        ItemMatrix m = items();
        float[] p = FactorMath.initVector("u", DIM, 0.3f, 1);
        SgdStep.Update u = new SgdStep(model).compute(p, 0f, 0, 0, -2f, new int[0], m);
        assertThat(u.items()).hasSize(1);
        float[] q = m.vectorAt(0);
        float before = m.biasAt(0) + FactorMath.dot(p, q);
        for (int k = 0; k < DIM; k++) {
            q[k] += u.items().get(0).dq()[k];
        }
        assertThat(m.biasAt(0) + u.items().get(0).db() + FactorMath.dot(u.p(), q)).isLessThan(before);
    }

    @Test
    void aStepThatWouldLeaveTheNormBoundIsRefused() {
        ModelConfig model = ModelConfig.builder().dimension(DIM).maxNorm(0.01f).build();
        float[] p = FactorMath.initVector("u", DIM, 0.3f, 1); // already beyond the bound
        assertThat(new SgdStep(model).compute(p, 0f, 0, 0, 1f, new int[] {1}, items())).isNull();
    }

    private static float[] diff(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int k = 0; k < a.length; k++) {
            d[k] = a[k] - b[k];
        }
        return d;
    }

    @Test
    void aUsersFirstPositiveInteractionsWeighMoreAndTheBoostFades() {
        assertThat(ModelConfig.defaults().newUserBoost()).isEqualTo(0.5f);
        assertThat(ModelConfig.defaults().newUserInteractions()).isEqualTo(5f);
        assertThat(FactorMath.newUserWeight(0.5f, 5f, 0)).isEqualTo(1.5f);
        assertThat(FactorMath.newUserWeight(0.5f, 5f, 5)).isCloseTo(1.18394f, within(1e-5f));
        assertThat(FactorMath.newUserWeight(0.5f, 5f, 10)).isCloseTo(1.06767f, within(1e-5f));
        assertThat(FactorMath.newUserWeight(0.5f, 5f, 100)).isCloseTo(1f, within(1e-8f));
        assertThat(FactorMath.newUserWeight(0f, 5f, 0)).isEqualTo(1f);

        ItemMatrix m = items();
        float[] p = FactorMath.initVector("u", DIM, 0.3f, 1);
        SgdStep boosted = new SgdStep(ModelConfig.builder().dimension(DIM).build());
        SgdStep plain = new SgdStep(ModelConfig.builder().dimension(DIM).newUserBoost(0f).build());
        for (long n : new long[] {0, 5, 40}) {
            float w = FactorMath.newUserWeight(0.5f, 5f, n);
            // the boost is a weight: the step equals the unboosted step of an interaction weighing w
            assertSameUpdate(boosted.compute(p, 0.1f, n, 0, 1f, new int[] {1}, m),
                    plain.compute(p, 0.1f, n, 0, w, new int[] {1}, m));
        }
        // the first interaction moves the positive item 1.5 times as far as without the boost
        float[] dq = boosted.compute(p, 0.1f, 0, 0, 1f, new int[] {1}, m).items().get(0).dq();
        float[] dqPlain = plain.compute(p, 0.1f, 0, 0, 1f, new int[] {1}, m).items().get(0).dq();
        float reg = ModelConfig.defaults().regularization() * ModelConfig.defaults().learningRate();
        for (int k = 0; k < DIM; k++) {
            float fromGradient = dq[k] + reg * m.vectorAt(0)[k];
            float fromGradientPlain = dqPlain[k] + reg * m.vectorAt(0)[k];
            assertThat(fromGradient).isCloseTo(1.5f * fromGradientPlain, within(1e-6f));
        }
        // a negative event (dislike) is not boosted
        assertSameUpdate(boosted.compute(p, 0.1f, 0, 0, -2f, new int[0], m),
                plain.compute(p, 0.1f, 0, 0, -2f, new int[0], m));
    }

    private static void assertSameUpdate(SgdStep.Update a, SgdStep.Update b) {
        assertThat(a.p()).containsExactly(b.p());
        assertThat(a.b()).isEqualTo(b.b());
        assertThat(a.items()).hasSameSizeAs(b.items());
        for (int k = 0; k < a.items().size(); k++) {
            assertThat(a.items().get(k).dq()).containsExactly(b.items().get(k).dq());
            assertThat(a.items().get(k).db()).isEqualTo(b.items().get(k).db());
        }
    }
}
