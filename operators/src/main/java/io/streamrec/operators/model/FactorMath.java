package io.streamrec.operators.model;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The arithmetic of the factor model: seeded initialization, dot products, the logistic SGD steps
 * of BPR and pointwise training, clipping and sanity checks. No Flink in here: the operators call
 * these functions and keep the results in keyed state.
 */
public final class FactorMath {

    private FactorMath() {}

    /**
     * The initial vector of a user or an item: Gaussian with standard deviation {@code scale},
     * drawn from a generator seeded by {@code seed} and the id, so a replay or another subtask that
     * meets the same id for the first time starts from exactly the same vector.
     */
    public static float[] initVector(String id, int dim, float scale, long seed) {
        SplittableRandom random = new SplittableRandom(mix(seed, id));
        float[] v = new float[dim];
        for (int k = 0; k < dim; k++) {
            v[k] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    /** A stable 64-bit hash of a seed and a string (FNV-1a over UTF-8, then a murmur finalizer). */
    public static long mix(long seed, String id) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    public static float dot(float[] a, float[] b) {
        float s = 0f;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    public static float norm(float[] a) {
        return (float) Math.sqrt(dot(a, a));
    }

    /** True when every coordinate is finite and the Euclidean norm is at most {@code maxNorm}. */
    public static boolean isSane(float[] v, float maxNorm) {
        double s = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
            s += (double) x * x;
        }
        return Math.sqrt(s) <= maxNorm;
    }

    public static boolean isSane(float x, float maxAbs) {
        return Float.isFinite(x) && Math.abs(x) <= maxAbs;
    }

    /** Scales {@code g} in place so that its norm is at most {@code clip}. */
    public static void clip(float[] g, float clip) {
        float n = norm(g);
        if (n > clip) {
            float f = clip / n;
            for (int k = 0; k < g.length; k++) {
                g[k] *= f;
            }
        }
    }

    public static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /** log(exp(a) + exp(b)) without overflow; {@code -Infinity} is the neutral element. */
    public static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        double max = Math.max(a, b);
        return max + Math.log1p(Math.exp(-Math.abs(a - b)));
    }

    /**
     * One BPR step for user vector {@code p} preferring item i over item j with confidence
     * {@code weight}. Accumulates the user gradient (ascent direction) into {@code gp}, and adds the
     * item updates (already multiplied by the item learning rate) to {@code dqi}/{@code dqj} and
     * {@code db[0]} (item i bias) / {@code db[1]} (item j bias). Returns the pair's loss
     * {@code -log σ(x_ij)} for monitoring.
     */
    public static float bprStep(
            float[] p, float[] qi, float bi, float[] qj, float bj, float weight,
            float lrItem, float reg, float biasReg,
            float[] gp, float[] dqi, float[] dqj, float[] db) {
        float x = bi - bj;
        for (int k = 0; k < p.length; k++) {
            x += p[k] * (qi[k] - qj[k]);
        }
        float s = sigmoid(-x) * weight;
        for (int k = 0; k < p.length; k++) {
            gp[k] += s * (qi[k] - qj[k]);
            dqi[k] += lrItem * (s * p[k] - reg * qi[k]);
            dqj[k] += lrItem * (-s * p[k] - reg * qj[k]);
        }
        db[0] += lrItem * (s - biasReg * bi);
        db[1] += lrItem * (-s - biasReg * bj);
        return (float) -Math.log(Math.max(sigmoid(x), 1e-12f));
    }

    /**
     * One logistic pointwise step toward {@code target} (1 for a positive, 0 for a negative) with
     * confidence {@code weight}. Same accumulation convention as {@link #bprStep}; {@code gbu[0]}
     * receives the user-bias gradient and {@code db[0]} the item-bias update.
     */
    public static float pointwiseStep(
            float[] p, float bu, float[] q, float bi, float target, float weight,
            float lrItem, float reg, float biasReg,
            float[] gp, float[] gbu, float[] dq, float[] db) {
        float x = bu + bi + dot(p, q);
        float prob = sigmoid(x);
        float s = (target - prob) * weight;
        for (int k = 0; k < p.length; k++) {
            gp[k] += s * q[k];
            dq[k] += lrItem * (s * p[k] - reg * q[k]);
        }
        gbu[0] += s;
        db[0] += lrItem * (s - biasReg * bi);
        float pt = target > 0.5f ? prob : 1f - prob;
        return (float) -Math.log(Math.max(pt, 1e-12f));
    }

    /**
     * Applies an accumulated user gradient: clip, AdaGrad-style scalar step size from the user's
     * accumulated squared gradient {@code g2}, L2 shrinkage. Returns the new {@code g2}.
     */
    public static float applyUserStep(float[] p, float[] gp, float g2, float lr, float reg, float clip) {
        clip(gp, clip);
        float sq = dot(gp, gp) / p.length;
        float newG2 = g2 + sq;
        float step = lr / (float) Math.sqrt(1f + newG2);
        for (int k = 0; k < p.length; k++) {
            p[k] += step * (gp[k] - reg * p[k]);
        }
        return newG2;
    }
}
