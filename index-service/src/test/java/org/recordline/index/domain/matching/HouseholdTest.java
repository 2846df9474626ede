package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * People who share a home share its address, postcode, city and phone: with the shipped model, that agreement alone
 * must not link them, while it still carries a record with a mistyped name over the upper threshold.
 */
class HouseholdTest {

    private static final MatchModelJson MODEL = MatchModelJson.builtIn();
    private static final PairComparator COMPARE = new PairComparator();

    private static Demographics at17QuarryLane(String given, String family, String birthDate, String sex) {
        return new Demographics(given, family, birthDate, sex, "17 Quarry Lane", "Millbrook", "4471", "vic",
                "0491 570 156", null, List.of());
    }

    private static double score(Demographics a, Demographics b) {
        return PersonMatcher.score(MODEL, COMPARE.compare(a, b), a);
    }

    @Test
    void siblingsSpousesAndStrangersAtOneAddressAreNotLinked() {
        Demographics mother = at17QuarryLane("Philippa", "Underwood", "1961-07-23", "female");
        Demographics daughter = at17QuarryLane("Rosalind", "Underwood", "1990-02-11", "female");
        Demographics husband = at17QuarryLane("Graham", "Underwood", "1958-11-02", "male");
        Demographics lodger = at17QuarryLane("Gwendolyn", "Ashcombe", "1939-01-30", "female");
        for (Demographics other : List.of(daughter, husband, lodger)) {
            double s = score(other, mother);
            assertTrue(s < PersonMatcher.DEFAULT_UPPER_THRESHOLD, other.given() + " scored " + s);
        }
        assertTrue(score(lodger, mother) < 2, "a stranger with another name and birth date is not even possible");
    }

    @Test
    void theSamePersonWithATypoAtTheSameAddressStillLinks() {
        Demographics mother = at17QuarryLane("Philippa", "Underwood", "1961-07-23", "female");
        Demographics typo = at17QuarryLane("Phillipa", "Undrewood", "1961-07-23", "female");
        assertTrue(score(typo, mother) >= PersonMatcher.DEFAULT_UPPER_THRESHOLD);
    }

    @Test
    void locationAddsAtMostTheCapAndDisagreementCountsInFull() {
        int[] vector = new int[Field.values().length];
        java.util.Arrays.fill(vector, Field.MISSING);
        for (Field f : MatchModel.LOCATION) {
            vector[f.ordinal()] = 0;
        }
        assertEquals(MatchModel.LOCATION_CAP, MODEL.model().score(vector), 1e-9);
        for (Field f : MatchModel.LOCATION) {
            vector[f.ordinal()] = f.different();
        }
        double disagreement = MatchModel.LOCATION.stream().mapToDouble(f -> MODEL.model().weight(f, f.different()))
                .sum();
        assertTrue(disagreement < -10);
        assertEquals(disagreement, MODEL.model().score(vector), 1e-9);
    }
}
