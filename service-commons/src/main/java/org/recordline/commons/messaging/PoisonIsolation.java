package org.recordline.commons.messaging;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Finds the poison records of a batch that failed: the batch is split in halves, each tried on its own, recursively,
 * until each failing record stands alone. The good records are applied, left to right, so records of one partition
 * keep their order; a batch with one poison record among n costs about 2·log2(n) extra attempts.
 */
public final class PoisonIsolation {

    private PoisonIsolation() {
    }

    /**
     * Applies {@code batch} with {@code attempt} (which applies all of its argument or, by throwing, none); every
     * record that fails on its own is handed to {@code poison} with its failure, in order.
     */
    public static <E> void apply(List<E> batch, Consumer<List<E>> attempt, BiConsumer<E, Throwable> poison) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            attempt.accept(batch);
        } catch (RuntimeException | AssertionError e) {
            if (batch.size() == 1) {
                poison.accept(batch.get(0), e);
                return;
            }
            int mid = batch.size() / 2;
            apply(batch.subList(0, mid), attempt, poison);
            apply(batch.subList(mid, batch.size()), attempt, poison);
        }
    }
}
