package io.streamrec.operators.item;

/**
 * When a restored job rewrites everything it publishes (every user's list and meta, every similar
 * list, every item's meta, the popular list) from the restored model, also the keys of users and
 * items it never sees an event for: option {@code recs.refresh-on-restore}. The {@link ItemServer}
 * decides at its restore and asks through the republish path.
 */
public enum RefreshOnRestore {
    /**
     * When the restore starts a new run (a submission from a savepoint or retained checkpoint: a
     * repair, a rollback, an upgrade), not on a failover within the run. A run takes over every key
     * its state holds, so no list of an abandoned run outlives the restore.
     */
    NEW_RUN,
    /** On every restore, failovers within a run included (the old {@code recs.refresh-all-on-restore true}). */
    ALWAYS,
    /**
     * Never: keys are rewritten only when they change. Right only when the restored state is what
     * Redis already shows, e.g. an upgrade from the live run's final savepoint.
     */
    NEVER;

    /** True when a restore ({@code newRun}: by another run than the one that took the snapshot) rewrites everything. */
    public boolean refreshes(boolean newRun) {
        return this == ALWAYS || (this == NEW_RUN && newRun);
    }
}
