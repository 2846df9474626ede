package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Comparison levels on hand-picked pairs, and the normalisation before them. */
class PairComparatorTest {

    private static final PairComparator COMPARE = new PairComparator();

    private static Demographics person(String given, String family, String dob) {
        return new Demographics(given, family, dob, "female", "12 Main Street", "Springfield", "4011", "qld",
                "+61 7 5555 0101", "123-456-789", List.of("urn:oid:1.2.3|MRN-1"));
    }

    private static int level(int[] v, Field f) {
        return v[f.ordinal()];
    }

    @Test
    void namesAreExactSimilarPhoneticByInitialOrDifferent() {
        assertEquals(0, PairComparator.name("martha", "martha", Field.GIVEN));
        // Jaro-Winkler of MARTHA and MARHTA is 0.961 (Winkler's own example)
        assertEquals(1, PairComparator.name("martha", "marhta", Field.GIVEN));
        // Double Metaphone: Smith is SM0 or XMT, Schmidt XMT or SMT; their Jaro-Winkler, 0.67, is not similar
        assertEquals(2, PairComparator.name("smith", "schmidt", Field.FAMILY));
        assertEquals(3, PairComparator.name("j", "jonathan", Field.GIVEN));
        assertEquals(Field.FAMILY.different(), PairComparator.name("j", "jonathan", Field.FAMILY));
        assertEquals(Field.GIVEN.different(), PairComparator.name("alice", "bob", Field.GIVEN));
        assertEquals(Field.MISSING, PairComparator.name(null, "bob", Field.GIVEN));
    }

    @Test
    void givenAndFamilySwappedCountAsAgreeingButNotExactly() {
        int[] v = COMPARE.compare(person("Lachlan", "Berry", "1999-02-19"), person("Berry", "Lachlan", "1999-02-19"));
        assertEquals(1, level(v, Field.GIVEN));
        assertEquals(1, level(v, Field.FAMILY));
        int[] straight = COMPARE.compare(person("Lachlan", "Berry", "1999-02-19"),
                person("Lachlan", "Berry", "1999-02-19"));
        assertEquals(0, level(straight, Field.GIVEN));
    }

    @Test
    void birthDatesExactTransposedOneDigitSameYearOrDifferent() {
        assertEquals(0, PairComparator.birthDate("19990219", "19990219"));
        assertEquals(1, PairComparator.birthDate("19990211", "19991102"));
        assertEquals(2, PairComparator.birthDate("19990219", "19990218"));
        assertEquals(3, PairComparator.birthDate("19990219", "19990712"));
        assertEquals(4, PairComparator.birthDate("19990219", "19890712"));
        assertEquals(Field.MISSING, PairComparator.birthDate(null, "19890712"));
    }

    @Test
    void identifiersWithinOneEditAndMrnsOnlyFromTheSameAuthority() {
        assertEquals(0, PairComparator.edit("123456789", "123456789", 5));
        assertEquals(1, PairComparator.edit("123456789", "123456780", 5));
        assertEquals(1, PairComparator.edit("123456789", "12345678", 5));
        assertEquals(2, PairComparator.edit("123456789", "213456780", 5));
        // in a short number one edit is another number, not a typo
        assertEquals(2, PairComparator.edit("n3", "n4", 5));
        assertEquals(1, PairComparator.edit("4011", "4012", 1));
        assertEquals(1, PairComparator.mrn(List.of("urn:a|mrn001"), List.of("urn:b|x", "urn:a|mrn002")));
        assertEquals(2, PairComparator.mrn(List.of("urn:a|n3"), List.of("urn:a|n4")));
        assertEquals(Field.MISSING, PairComparator.mrn(List.of("urn:a|mrn1"), List.of("urn:b|mrn1")));
    }

    @Test
    void normalisationBeforeComparison() {
        Demographics d = new Demographics(" José ", "O'Brien-Smith", "1980-04-12T00:00:00Z", null, null, null,
                "SW1A 1AA", null, "+1 (555) 010-9999", "123-45-6789", List.of("urn:a|MRN 7", "no-authority"));
        assertEquals("jose", d.given());
        assertEquals("o brien smith", d.family());
        assertEquals("19800412", d.birthDate());
        assertEquals("sw1a1aa", d.postcode());
        assertEquals("550109999", d.phone());
        assertEquals("123456789", d.nationalId());
        assertEquals(List.of("urn:a|mrn7"), d.mrns());
        assertNull(new Demographics("  ", null, "1980", null, null, null, null, null, "12", null, null).given());
        int[] v = COMPARE.compare(d, new Demographics("Jose", "OBrien Smith", "19800412", null, null, null, null,
                null, null, null, List.of()));
        assertEquals(0, level(v, Field.GIVEN));
        assertEquals(Field.MISSING, level(v, Field.SEX));
    }

    @Test
    void blockingKeysSurviveASwapAndSkipWhatIsMissing() {
        var a = Blocking.of(person("Lachlan", "Berry", "1999-02-19"));
        var b = Blocking.of(person("Berry", "Lachlan", "1999-02-20"));
        assertEquals(true, a.finds(b) && b.finds(a), a + " / " + b);
        Blocking.Keys none = Blocking.of(new Demographics(null, null, null, null, null, null, null, null, null, null,
                null));
        assertEquals(List.of(), List.copyOf(none.stored()));
        assertEquals(List.of(), List.copyOf(none.probe()));
    }
}
