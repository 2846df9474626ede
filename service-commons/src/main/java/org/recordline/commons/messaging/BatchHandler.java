package org.recordline.commons.messaging;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a consumer does with the records of one poll, for {@link BatchConsumer}: decode each record, then apply the
 * decoded events together in one transaction.
 *
 * @param <T> the decoded event
 */
public interface BatchHandler<T> {

    /**
     * Decodes one record. Any exception (an {@link org.recordline.events.InvalidEventException} names the broken
     * rule) makes the record poison: it is dead-lettered with the reason, its neighbours are applied.
     */
    T decode(ConsumerRecord<String, byte[]> record);

    /**
     * Applies {@code events}, in order, inside the transaction {@link BatchConsumer} opened: all of them or, by
     * throwing, none. A transient failure retries the batch; any other makes {@link BatchConsumer} find the culprit.
     * Redeliveries must be skipped (for example with {@link org.recordline.commons.persistence.ProcessedEvents}).
     *
     * @return how many events had each outcome (e.g. {@code applied}, {@code duplicate}), for the metrics
     */
    Map<String, Integer> apply(List<T> events);

    /** A handler made of two functions, for a class that consumes several channels. */
    static <T> BatchHandler<T> of(java.util.function.Function<ConsumerRecord<String, byte[]>, T> decode,
                                  java.util.function.Function<List<T>, Map<String, Integer>> apply) {
        return new BatchHandler<>() {
            @Override
            public T decode(ConsumerRecord<String, byte[]> record) {
                return decode.apply(record);
            }

            @Override
            public Map<String, Integer> apply(List<T> events) {
                return apply.apply(events);
            }
        };
    }
}
