package io.streamrec.operators.item;

/**
 * How {@code model.max-items} is split among the ItemServer subtasks. Items are keyed, so each
 * subtask sees only the items of its key groups and no subtask can see the job's total without a
 * round trip. Each subtask gets the share of the cap that its key groups make of all key groups
 * (max parallelism), rounded down: the shares add up to at most the cap at every parallelism, and
 * items hash evenly over key groups, so a full model holds close to the cap. A subtask whose items
 * hash unevenly may refuse a new item while another still has room; with many items that
 * difference is a few per cent at most.
 */
public final class ItemCap {

    private ItemCap() {}

    /** The share of {@code maxItems} of a subtask owning {@code keyGroups} of {@code maxParallelism} key groups. */
    public static long share(int maxItems, int keyGroups, int maxParallelism) {
        if (keyGroups < 0 || maxParallelism < 1 || keyGroups > maxParallelism) {
            throw new IllegalArgumentException(keyGroups + " key groups of " + maxParallelism);
        }
        return (long) maxItems * keyGroups / maxParallelism;
    }
}
