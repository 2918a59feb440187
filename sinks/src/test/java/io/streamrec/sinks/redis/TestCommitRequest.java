package io.streamrec.sinks.redis;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;

/** A commit request as Flink hands it to a committer; the Redis committer signals nothing. */
final class TestCommitRequest implements CommitRequest<WriteBatch> {

    private final WriteBatch committable;

    TestCommitRequest(WriteBatch committable) {
        this.committable = committable;
    }

    /** One request per write, each a batch of that write: checkpoints committed together. */
    static List<CommitRequest<WriteBatch>> requestsFor(List<VersionedWrite> writes) {
        return writes.stream().map(w -> new TestCommitRequest(WriteBatch.of(List.of(w)))).collect(Collectors.toList());
    }

    @Override
    public WriteBatch getCommittable() {
        return committable;
    }

    @Override
    public int getNumberOfRetries() {
        return 0;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
        throw new AssertionError("the committer must throw, not signal", t);
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
        throw new AssertionError("the committer must throw, not signal", t);
    }

    @Override
    public void retryLater() {
        throw new AssertionError("the committer retries itself");
    }

    @Override
    public void updateAndRetryLater(WriteBatch committable) {
        throw new AssertionError("the committer retries itself");
    }

    @Override
    public void signalAlreadyCommitted() {
        throw new AssertionError("the committer relies on the version guard");
    }
}
