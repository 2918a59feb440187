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
     * The BPR gradient for user vector {@code p} preferring item i over item j with confidence
     * {@code weight}: adds the ascent direction of {@code log σ(x_ij)} to {@code gp} (user),
     * {@code gqi} and {@code gqj} (items) and returns the gradient of item i's bias (item j's is its
     * negation). No step is taken: the caller scales each vector's gradient by that vector's own
     * step size ({@link #stepSize}).
     */
    public static float bprGradient(float[] p, float[] qi, float bi, float[] qj, float bj, float weight,
                                    float[] gp, float[] gqi, float[] gqj) {
        float x = bi - bj;
        for (int k = 0; k < p.length; k++) {
            x += p[k] * (qi[k] - qj[k]);
        }
        float s = sigmoid(-x) * weight;
        for (int k = 0; k < p.length; k++) {
            gp[k] += s * (qi[k] - qj[k]);
            gqi[k] += s * p[k];
            gqj[k] -= s * p[k];
        }
        return s;
    }

    /**
     * The gradient of the logistic log-likelihood of {@code target} (1 for a positive, 0 for a
     * negative) with confidence {@code weight}: adds the ascent direction to {@code gp} and
     * {@code gq} and returns the bias gradient (the same for the user and the item bias).
     */
    public static float pointwiseGradient(float[] p, float bu, float[] q, float bi, float target, float weight,
                                          float[] gp, float[] gq) {
        float x = bu + bi + dot(p, q);
        float s = (target - sigmoid(x)) * weight;
        for (int k = 0; k < p.length; k++) {
            gp[k] += s * q[k];
            gq[k] += s * p[k];
        }
        return s;
    }

    /**
     * The step size of a vector that has taken part in {@code updates} interactions:
     * {@code rate / (1 + updates / halving)}. Large while a vector is new, so a single pass over a
     * live stream learns quickly, and shrinking like 1/n, so repeated passes over history converge
     * instead of oscillating (a Robbins–Monro schedule per vector). It halves after
     * {@code halving} interactions.
     */
    public static float stepSize(float rate, long updates, float halving) {
        return rate / (1f + updates / halving);
    }

    /**
     * The factor on the weight of a user's positive interaction when the user has {@code interactions}
     * before it: {@code 1 + boost · exp(−interactions / scale)}. A user's first events say the most
     * about a taste the model does not know yet, and in a live stream most users have only a few;
     * the boost fades within a few dozen interactions, so a user's later events, and every later
     * pass over a history, weigh as their type says.
     */
    public static float newUserWeight(float boost, float scale, long interactions) {
        return 1f + boost * (float) Math.exp(-interactions / (double) scale);
    }

    /**
     * An ascent step on {@code v} (in place): {@code v += step · (g − reg · v)}, with {@code g}
     * clipped to norm {@code clip} first.
     */
    public static void ascend(float[] v, float[] g, float step, float reg, float clip) {
        clip(g, clip);
        for (int k = 0; k < v.length; k++) {
            v[k] += step * (g[k] - reg * v[k]);
        }
    }
}
