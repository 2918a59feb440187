package io.streamrec.operators.user;

import io.streamrec.operators.model.IdleExpiry;
import io.streamrec.operators.state.UserState;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UserWorker's timers, per user: at most one refresh timer (processing time, at the pacer's
 * next boundary) while the user has a change not yet in a list, and one expiry timer (event time,
 * {@link IdleExpiry}) at the expiry of their newest interaction. Both live in the keyed timer
 * service, so they are checkpointed with the user's state.
 */
final class UserTimers {

    private static final Logger LOG = LoggerFactory.getLogger(UserTimers.class);

    private final InternalTimerService<VoidNamespace> timers;
    private final RefreshPacer pacer;
    private final IdleExpiry expiry;
    private final int bulkRefreshRate;

    UserTimers(InternalTimerService<VoidNamespace> timers, RefreshPacer pacer, IdleExpiry expiry, int bulkRefreshRate) {
        this.timers = timers;
        this.pacer = pacer;
        this.expiry = expiry;
        this.bulkRefreshRate = bulkRefreshRate;
    }

    /** Asks for a refresh of the current user (state {@code s}) unless one is pending. */
    void requestRefresh(UserState s, long now) {
        if (!s.refreshPending) {
            s.refreshPending = true;
            s.refreshRequestedAt = now;
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, pacer.nextRefreshTime(now));
        }
    }

    /** A due refresh of the current user that has to wait: due again at the next boundary. */
    void retryRefresh(long now) {
        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, pacer.nextRefreshTime(now));
    }

    /**
     * Registers a refresh for every user in the backend (those without one pending), so that every
     * list is rewritten from the model with a newer version, also for users who never interact again:
     * on a republish request (Redis lost its data) and when
     * a restore takes over (the ItemServers ask the same way, see {@code recs.refresh-on-restore}). Spread at the bulk rate: Flink fires all due timers in one go, and the lists scored before a checkpoint wait
     * in the Redis sink until it completes. Returns how many were requested.
     */
    long refreshEveryUser(UserStateCache users, long now, String reason) throws Exception {
        long[] requested = {0};
        users.applyToAllUsers((user, state) -> {
                    UserState s = state.value();
                    if (s != null && !s.refreshPending) {
                        s.refreshPending = true;
                        s.refreshRequestedAt = now;
                        state.update(s);
                        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE,
                                pacer.bulkRefreshTime(now, requested[0]++, bulkRefreshRate));
                    }
                });
        LOG.info("refresh of {} users requested ({})", requested[0], reason);
        return requested[0];
    }

    /** Moves the current user's expiry timer to that of an interaction at {@code lastTs} (the user's newest). */
    void moveExpiry(UserState s, long lastTs) {
        if (!expiry.enabled()) {
            return;
        }
        long due = expiry.timerFor(lastTs);
        if (s.interactions > 0) {
            long before = expiry.timerFor(s.lastTs);
            if (before == due) {
                return;
            }
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, before);
        }
        timers.registerEventTimeTimer(VoidNamespace.INSTANCE, due);
    }

    /** Removes the current user's expiry timer, if any (the user is being deleted; {@code s} may be null). */
    void cancelExpiry(UserState s) {
        if (s != null && expiry.enabled() && s.interactions > 0) {
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, expiry.timerFor(s.lastTs));
        }
    }

    /** True when the user (state {@code s}) has expired at event time {@code time}. */
    boolean expired(UserState s, long time) {
        return expiry.expired(s.lastTs, time);
    }
}
