package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.api.Test;

/**
 * Term-frequency adjustment from the index's own name counts: an exact agreement on a common surname weighs less, so
 * two men of one common surname born on one day are not linked on that alone. Pure.
 */
class NameFrequencyTest {

    private static final MatchModelJson MODEL = MatchModelJson.builtIn();
    private static final PairComparator COMPARE = new PairComparator();

    /** 5,000 records, 110 of them (2.2 %) Clarke, one Zylberstein, 60 (1.2 %) Jared. */
    private static final Map<String, Long> COUNTS = Map.of("g:", 5000L, "f:", 5000L, "f:clarke", 110L,
            "f:zylberstein", 1L, "g:jared", 60L);

    @Test
    void onlyANameCommonerThanChanceAgreementIsAdjusted() {
        ToDoubleBiFunction<Field, String> shares = PersonMatcher.shares(MODEL, COUNTS);
        assertEquals(0.022, shares.applyAsDouble(Field.FAMILY, "clarke"), 1e-9);
        assertEquals(0.012, shares.applyAsDouble(Field.GIVEN, "jared"), 1e-9);
        assertEquals(0, shares.applyAsDouble(Field.FAMILY, "zylberstein"), "a rare name keeps the model's weight");
        assertEquals(0, shares.applyAsDouble(Field.FAMILY, "unseen"));
        assertEquals(0, shares.applyAsDouble(Field.CITY, "clarke"));
        // known answer: log2(m / share) = log2(0.88 / 0.022) for an exact family name
        assertEquals(Math.log(0.88 / 0.022) / Math.log(2), MODEL.model().weight(Field.FAMILY, 0, 0.022), 1e-9);
    }

    @Test
    void aSmallIndexKeepsTheModelsWeights() {
        ToDoubleBiFunction<Field, String> shares = PersonMatcher.shares(MODEL, Map.of("g:", 999L, "f:", 999L,
                "f:clarke", 500L));
        assertEquals(0, shares.applyAsDouble(Field.FAMILY, "clarke"));
    }

    @Test
    void twoMenOfACommonSurnameBornOnOneDayAreNotLinked() {
        // a false link the MPI benchmark found at 200,000 people, before the index counted names
        Demographics tommy = new Demographics("tommy", "clarke", "19991129", "male", "111 liverpool street",
                "bayview", "2151", "nsw", "435172624", null, List.of());
        Demographics jared = new Demographics("jared", "clarke", "19991129", "male", "170 debenham street",
                "o connor", "4123", "nsw", null, null, List.of());
        int[] v = COMPARE.compare(jared, tommy);
        double unadjusted = MODEL.model().score(v, jared, (f, x) -> 0);
        double adjusted = MODEL.model().score(v, jared, PersonMatcher.shares(MODEL, COUNTS));
        assertTrue(unadjusted >= PersonMatcher.DEFAULT_UPPER_THRESHOLD, "linked without counts: " + unadjusted);
        assertTrue(adjusted < PersonMatcher.DEFAULT_UPPER_THRESHOLD, "with counts: " + adjusted);
        // the same man sent twice, a typo in his given name, still links with a common surname
        Demographics tommyAgain = new Demographics("tomny", "clarke", "19991129", "male", "111 liverpool street",
                "bayview", "2151", "nsw", "435172624", null, List.of());
        assertTrue(MODEL.model().score(COMPARE.compare(tommyAgain, tommy), tommyAgain,
                PersonMatcher.shares(MODEL, COUNTS)) >= PersonMatcher.DEFAULT_UPPER_THRESHOLD);
    }
}
