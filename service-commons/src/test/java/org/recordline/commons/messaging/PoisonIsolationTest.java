package org.recordline.commons.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PoisonIsolationTest {

    /** Applies a batch like a transaction: all or nothing, failing if any poison record is in it. */
    private static final class Store {
        final List<Integer> applied = new ArrayList<>();
        final List<Integer> poisoned = new ArrayList<>();
        int attempts;

        void run(List<Integer> batch, Set<Integer> poison) {
            PoisonIsolation.apply(batch, part -> {
                attempts++;
                if (part.stream().anyMatch(poison::contains)) {
                    throw new IllegalStateException("poison in batch");
                }
                applied.addAll(part);
            }, (record, failure) -> poisoned.add(record));
        }
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void aGoodBatchIsAppliedInOneAttempt() {
        Store s = new Store();
        s.run(range(500), Set.of());
        assertEquals(range(500), s.applied);
        assertEquals(1, s.attempts);
        assertTrue(s.poisoned.isEmpty());
    }

    @Test
    void onePoisonRecordInTheMiddleIsTheOnlyOneSetAsideAndTheRestKeepTheirOrder() {
        Store s = new Store();
        s.run(range(500), Set.of(250));
        assertEquals(List.of(250), s.poisoned);
        List<Integer> expected = new ArrayList<>(range(500));
        expected.remove(Integer.valueOf(250));
        assertEquals(expected, s.applied, "every good record applied once, in order");
        assertTrue(s.attempts <= 2 * 9 + 1, "about 2 log2(n) attempts, not n: " + s.attempts);
    }

    @Test
    void severalPoisonRecordsIncludingTheEdgesAreEachSetAside() {
        Store s = new Store();
        s.run(range(100), Set.of(0, 37, 38, 99));
        assertEquals(List.of(0, 37, 38, 99), s.poisoned);
        assertEquals(96, s.applied.size());
        assertEquals(s.applied.stream().sorted().toList(), s.applied);
    }

    @Test
    void aBatchOfOnlyPoisonAppliesNothing() {
        Store s = new Store();
        s.run(range(8), Set.of(0, 1, 2, 3, 4, 5, 6, 7));
        assertEquals(range(8), s.poisoned);
        assertTrue(s.applied.isEmpty());
    }

    @Test
    void aSingleRecordIsTriedOnce() {
        Store s = new Store();
        s.run(List.of(7), Set.of(7));
        assertEquals(List.of(7), s.poisoned);
        assertEquals(1, s.attempts);
    }
}
