package io.streamrec.operators.records;

import java.util.Arrays;

/**
 * Catalogue facts about one item, from the {@code items} topic: the categories it belongs to and
 * whether it may be recommended. A Flink POJO: it travels from the validator to the ItemServer and
 * is the ItemServer's keyed state {@code item-metadata} ({@code SavepointLayout}), where the record
 * with the newest {@code ts} wins.
 */
public class ItemMetadata {
    public String item;
    /** Distinct, non-blank category names, in the order given (at most {@code ItemMetadataParser.MAX_CATEGORIES}). */
    public String[] categories;
    /** False: the item is in no list (users', similar, popular) until a newer record makes it available. */
    public boolean available = true;
    /** The record's time, epoch ms: an older record than the one kept is ignored. */
    public long ts;

    public ItemMetadata() {}

    public ItemMetadata(String item, String[] categories, boolean available, long ts) {
        this.item = item;
        this.categories = categories;
        this.available = available;
        this.ts = ts;
    }

    /** True when both say the same about the item (categories in the same order, the same availability); ts aside. */
    public boolean sameFacts(ItemMetadata other) {
        return other != null && available == other.available && Arrays.equals(categoriesOrEmpty(), other.categoriesOrEmpty());
    }

    /** What an item without any metadata is: available, in no category. */
    public boolean isDefault() {
        return available && categoriesOrEmpty().length == 0;
    }

    public String[] categoriesOrEmpty() {
        return categories == null ? new String[0] : categories;
    }

    @Override
    public String toString() {
        return "ItemMetadata{" + item + ", categories=" + Arrays.toString(categories) + ", available=" + available
                + ", ts=" + ts + "}";
    }
}
