package io.streamrec.operators.user;

import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.scoring.ItemMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * The learning rule for one interaction, as a pure function: from the user's vector and the cached
 * item vectors it computes the new user vector and one update per touched item, and changes
 * nothing. With a positive weight and the BPR loss it takes one pairwise step per negative; otherwise
 * a logistic step toward 1 (positive) or 0 (negative event), plus one toward 0 per negative.
 *
 * <p>Each vector steps with its own size, {@code rate / (1 + n / h)} with n its interactions
 * ({@link FactorMath#stepSize}): a new user or item learns fast, a well-known one moves little, so
 * the same options serve a single pass over a live stream and many passes over history. A user's
 * first positive interactions weigh more ({@code model.new-user-boost}, {@link FactorMath#newUserWeight}),
 * so a new user's list turns personal sooner. Biases step
 * {@code model.bias-step} times as far as their vectors, so popularity does not crowd out taste. Gradients
 * are clipped; a step whose result is not finite or exceeds the norm bound is refused as a whole
 * ({@link #compute} returns null), so one bad record can never poison the model.
 */
public final class SgdStep {

    private final ModelConfig model;

    public SgdStep(ModelConfig model) {
        this.model = model;
    }

    /** The new user vector and bias, and the update of every item the step touched. */
    public record Update(float[] p, float b, List<ItemChange> items) {}

    /** The change of one item's vector and bias ({@code row} in the cache). */
    public record ItemChange(String item, int row, float[] dq, float db) {}

    /**
     * The step for a user with vector {@code p}, bias {@code b} and {@code userInteractions}
     * interactions so far, who interacted with the item in {@code positiveRow} with confidence
     * {@code weight} (negative: a negative example), against the items in {@code negativeRows}.
     * Returns null when the step is refused.
     */
    public Update compute(float[] p, float b, long userInteractions, int positiveRow, float weight,
                          int[] negativeRows, ItemMatrix items) {
        int dim = p.length;
        float[] gp = new float[dim];
        float gbu = 0f;
        float[] qi = items.vectorAt(positiveRow);
        float bi = items.biasAt(positiveRow);
        List<Gradient> touched = new ArrayList<>(negativeRows.length + 1);
        Gradient gi = new Gradient(positiveRow, dim);
        touched.add(gi);

        if (weight > 0f) {
            weight *= FactorMath.newUserWeight(model.newUserBoost(), model.newUserInteractions(), userInteractions);
        }
        boolean pairwise = weight > 0f && model.loss() == ModelConfig.Loss.BPR;
        if (!pairwise) {
            float g = FactorMath.pointwiseGradient(p, b, qi, bi, weight > 0f ? 1f : 0f, Math.abs(weight), gp, gi.g);
            gi.gb += g;
            gbu += g;
        }
        if (weight > 0f) {
            for (int negRow : negativeRows) {
                Gradient gj = new Gradient(negRow, dim);
                touched.add(gj);
                float[] qj = items.vectorAt(negRow);
                float bj = items.biasAt(negRow);
                if (pairwise) {
                    float g = FactorMath.bprGradient(p, qi, bi, qj, bj, weight, gp, gi.g, gj.g);
                    gi.gb += g;
                    gj.gb -= g;
                } else {
                    float g = FactorMath.pointwiseGradient(p, b, qj, bj, 0f, 1f, gp, gj.g);
                    gj.gb += g;
                    gbu += g;
                }
            }
        }

        float userStep = FactorMath.stepSize(model.learningRate(), userInteractions, model.userStepHalving());
        float[] newP = p.clone();
        FactorMath.ascend(newP, gp, userStep, model.regularization(), model.gradientClip());
        float newB = b + model.biasStep() * userStep * (gbu - model.biasRegularization() * b);
        if (!FactorMath.isSane(newP, model.maxNorm()) || !FactorMath.isSane(newB, model.maxNorm())) {
            return null;
        }
        List<ItemChange> updates = new ArrayList<>(touched.size());
        for (Gradient t : touched) {
            float step = FactorMath.stepSize(model.learningRate(), items.interactionsAt(t.row), model.itemStepHalving());
            float[] q = items.vectorAt(t.row);
            float[] dq = new float[dim];
            for (int k = 0; k < dim; k++) {
                dq[k] = step * (t.g[k] - model.regularization() * q[k]);
            }
            FactorMath.clip(dq, model.gradientClip());
            float db = model.biasStep() * step * (t.gb - model.biasRegularization() * items.biasAt(t.row));
            if (!FactorMath.isSane(dq, model.maxNorm()) || !FactorMath.isSane(db, model.maxNorm())) {
                return null;
            }
            updates.add(new ItemChange(items.idAt(t.row), t.row, dq, db));
        }
        return new Update(newP, newB, updates);
    }

    private static final class Gradient {
        final int row;
        final float[] g;
        float gb;

        Gradient(int row, int dim) {
            this.row = row;
            this.g = new float[dim];
        }
    }
}
