package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which pairs of records the blocking keys bring together: each usual error, and two at once. Pure. */
class BlockingTest {

    /** A record with no identifier and no phone, so only names, birth date and postcode can bring it together. */
    private static Demographics d(String given, String family, String dob, String postcode) {
        return new Demographics(given, family, dob, "female", null, null, postcode, null, null, null, List.of());
    }

    private static void together(Demographics a, Demographics b) {
        Blocking.Keys x = Blocking.of(a);
        Blocking.Keys y = Blocking.of(b);
        assertTrue(x.finds(y) && y.finds(x), x + " / " + y);
    }

    private static final Demographics ANNA = d("anna", "lindqvist", "1984-03-11", "4011");

    @Test
    void twoErrorsAtOnceStillMeet() {
        // a typo in the given name and the birth date's day and month transposed (ny: family, year, initial)
        together(ANNA, d("anan", "lindqvist", "1984-11-03", "2000"));
        // a typo in the family name and another birth day (ny: given, year, initial)
        together(ANNA, d("anna", "lindqvsit", "1984-03-12", "2000"));
        // names swapped and moved (b:)
        together(ANNA, d("lindqvist", "anna", "1984-03-11", "2000"));
        // names swapped and another birth year (nd: names, day and month)
        together(ANNA, d("lindqvist", "anna", "1948-03-11", "2000"));
        // typos in both names, birth date exact (b:)
        together(ANNA, d("anan", "lindqvsit", "1984-03-11", "2000"));
        // typos in both names and the birth date wrong, same postcode (pn: postcode and initials)
        together(ANNA, d("anan", "lindqvsit", "1985-03-11", "4011"));
    }

    @Test
    void aRecordWithoutABirthDateMeetsTheSameNamesEitherWay() {
        together(ANNA, d("anna", "lindqvist", null, "2000"));
        together(d("anna", "lindqvist", null, "2000"), d("lindqvist", "anna", null, "3000"));
    }

    @Test
    void aRecordWithoutNamesMeetsTheSameBirthDateEitherWay() {
        together(ANNA, d(null, null, "1984-03-11", "2000"));
        together(d(null, null, "1984-03-11", "2000"), d(null, null, "1984-03-11", "3000"));
    }

    @Test
    void recordsWithBirthDatesDoNotProbeTheBroadNameKey() {
        Blocking.Keys a = Blocking.of(ANNA);
        Blocking.Keys sameNameOtherDate = Blocking.of(d("anna", "lindqvist", "1990-07-25", "2000"));
        // the broad key is stored, so a record without a birth date can find them, but neither probes it
        assertTrue(a.stored().stream().anyMatch(k -> k.startsWith("fg:")));
        assertFalse(a.probe().stream().anyMatch(k -> k.startsWith("fg:")));
        assertFalse(a.finds(sameNameOtherDate) || sameNameOtherDate.finds(a));
    }

    @Test
    void keysAreTheKnownStrings() {
        // known answers: a change to them is a change of Blocking.VERSION (stored keys are rebuilt)
        Blocking.Keys a = Blocking.of(ANNA);
        assertEquals(List.of("b:19840311:a", "b:19840311:l", "b:19840311", "ny:LNTK:1984:a", "ny:AN:1984:l",
                "nd:AN:LNTK:0311", "pn:4011:al", "fg:AN:LNTK"), List.copyOf(a.stored()));
        assertEquals(List.of("b:19840311:a", "b:19840311:l", "bx:19840311", "ny:LNTK:1984:a", "ny:AN:1984:l",
                "nd:AN:LNTK:0311", "pn:4011:al", "fx:AN:LNTK"), List.copyOf(a.probe()));
        assertEquals(3, Blocking.VERSION);
    }
}
