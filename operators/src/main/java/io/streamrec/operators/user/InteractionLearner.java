package io.streamrec.operators.user;

import io.streamrec.operators.input.EventType;
import io.streamrec.operators.input.Interaction;
import io.streamrec.operators.model.FactorMath;
import io.streamrec.operators.model.ModelConfig;
import io.streamrec.operators.state.UserState;

/**
 * What one interaction does to the model on the user side: its weight by type (or rating), one SGD
 * step of the user's vector and of the items' cached vectors ({@link SgdStep}, negatives from the
 * {@link NegativeSampler}), the item's popularity count, and the user's counters and seen items.
 */
public final class InteractionLearner {

    private final ModelConfig model;
    private final ItemCache cache;
    private final SgdStep sgd;
    private final NegativeSampler sampler;
    private final int maxSeen;

    public InteractionLearner(ModelConfig model, ItemCache cache, NegativeSampler sampler, int maxSeen) {
        this.model = model;
        this.cache = cache;
        this.sgd = new SgdStep(model);
        this.sampler = sampler;
        this.maxSeen = maxSeen;
    }

    /** The state of a user met for the first time: the seeded initial vector, nothing seen. */
    public UserState newUser(String user) {
        return UserState.initial(FactorMath.initVector(user, model.dimension(), model.initScale(), model.seed()));
    }

    /** Applies {@code event} to the user's state {@code s} and the cache; false when the SGD step was refused. */
    public boolean learn(UserState s, Interaction event) {
        float weight = event.type == EventType.RATING ? model.ratingWeight(event.value) : model.weight(event.type);
        // a refused item (model.max-items reached, or retired) leaves the model alone: the user still counts it
        boolean inModel = cache.admit(event.item);
        boolean applied = weight == 0f || !inModel || step(s, event, weight);
        if (inModel && weight > 0f) {
            sampler.observePositive(event.item);
        }
        // An item this subtask's full cache refuses may still be in the model (its vector has not
        // reached this cache yet): the interaction is counted in a delta all the same, and the
        // ItemServer, which owns the cap, applies the count or refuses the item. Retired: not counted.
        if (inModel || !cache.isRetired(event.item)) {
            cache.countInteraction(event.item, event.ts,
                    weight > 0f ? model.popularityLogTerm(weight, event.ts) : Double.NEGATIVE_INFINITY);
        }
        s.interactions++;
        s.lastTs = Math.max(s.lastTs, event.ts);
        s.seen = SeenItems.remember(s.seen, event.item, maxSeen);
        return applied;
    }

    private boolean step(UserState s, Interaction event, float weight) {
        int row = cache.rowOf(event.item);
        int[] negatives = weight > 0f
                ? sampler.sample(s.p, event.item, s.seen, cache, model.negatives(), sampler.seedOf(event.user, s.interactions))
                : new int[0];
        SgdStep.Update update = sgd.compute(s.p, s.b, s.interactions, row, weight, negatives, cache.matrix());
        if (update == null) {
            return false;
        }
        s.p = update.p();
        s.b = update.b();
        cache.applyOwn(update.items());
        return true;
    }
}
