package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertTrue(MODEL.model().identity(COMPARE.compare(typo, mother), typo, (f, v) -> 0)
                >= PersonMatcher.DEFAULT_IDENTITY_FLOOR);
    }

    @Test
    void sistersWithACommonFamilyNameBornTheSameYearInOneTownReachTheThresholdOnlyThroughTheirHome() {
        // two women of the benchmark that were linked before the identity floor: the family name held by 2.6% of
        // the index, the town, postcode and state agreeing, the birth dates only in the year
        Demographics baily = new Demographics("baily", "white", "19920815", "female", "274 hammett place", "ekibin",
                "2233", "wa", null, null, List.of());
        Demographics benjamin = new Demographics("benjamin", "white", "19921001", "female", "42 enright crescent",
                "ekibin", "2233", "wa", null, null, List.of());
        java.util.function.ToDoubleBiFunction<Field, String> shares =
                (f, v) -> f == Field.FAMILY && "white".equals(v) ? 0.026 : 0;
        int[] vector = COMPARE.compare(benjamin, baily);
        double score = MODEL.model().score(vector, benjamin, shares);
        double identity = MODEL.model().identity(vector, benjamin, shares);
        assertTrue(score >= PersonMatcher.DEFAULT_UPPER_THRESHOLD, "scored " + score);
        assertTrue(identity < PersonMatcher.DEFAULT_IDENTITY_FLOOR, "identity " + identity);
        // the score is the identity and the capped location: nothing else
        assertEquals(identity + MatchModel.LOCATION_CAP, score, 1e-9);
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

    @Test
    void aNamesakeInTheSameTownBornInAnotherYearIsNotLinkedWithoutSomethingOnlyOnePersonHolds() {
        // a pair of the benchmark linked before: both names agree, the town and postcode too, the birth dates not at all
        Demographics jake = new Demographics("jake", "reid", "19740322", "male", "277 howie court", "orange", "2756",
                "nsw", "0496573618", null, List.of());
        Demographics namesake = new Demographics("jake", "reid", "19581109", "male", "12 albert street", "orange",
                "2756", "nsw", "0412939805", null, List.of());
        int[] vector = COMPARE.compare(namesake, jake);
        assertEquals(Field.BIRTH_DATE.different(), vector[Field.BIRTH_DATE.ordinal()]);
        assertTrue(MODEL.model().score(vector, namesake, (f, v) -> 0) >= PersonMatcher.DEFAULT_UPPER_THRESHOLD);
        assertTrue(MODEL.model().identity(vector, namesake, (f, v) -> 0) >= PersonMatcher.DEFAULT_IDENTITY_FLOOR);
        assertFalse(MatchModel.birthDateCorroborated(vector));
        // the same man with a wrong birth date but his phone, or his street address, or his national id: corroborated
        Demographics samePhone = new Demographics("jake", "reid", "19581109", "male", "12 albert street", "orange",
                "2756", "nsw", "0496573618", null, List.of());
        assertTrue(MatchModel.birthDateCorroborated(COMPARE.compare(samePhone, jake)));
        Demographics sameStreet = new Demographics("jake", "reid", "19581109", "male", "277 howie court", "orange",
                "2756", "nsw", null, null, List.of());
        assertTrue(MatchModel.birthDateCorroborated(COMPARE.compare(sameStreet, jake)));
        // birth dates that agree in any way, or a missing one, need nothing more
        Demographics typo = new Demographics("jake", "reid", "19740323", "male", null, "orange", "2756", "nsw", null,
                null, List.of());
        assertTrue(MatchModel.birthDateCorroborated(COMPARE.compare(typo, jake)));
        Demographics noDate = new Demographics("jake", "reid", null, "male", null, "orange", "2756", "nsw", null,
                null, List.of());
        assertTrue(MatchModel.birthDateCorroborated(COMPARE.compare(noDate, jake)));
    }
}
