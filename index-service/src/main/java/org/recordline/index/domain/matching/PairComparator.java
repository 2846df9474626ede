package org.recordline.index.domain.matching;

import java.util.List;
import org.apache.commons.codec.language.DoubleMetaphone;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Compares two records field by field into a comparison vector: one level per {@link Field} (its ordinal), or
 * {@link Field#MISSING}. Names by Jaro-Winkler similarity and Double Metaphone codes, and given and family name
 * swapped; dates exact, day and month transposed, one digit off, or the same year; identifiers, phones and postcodes
 * exactly or within one edit. Thread-safe.
 */
public final class PairComparator {

    /** Jaro-Winkler similarity from which two names count as similar (a typo, a dropped letter). */
    static final double SIMILAR = 0.92;
    /** Jaro-Winkler similarity from which two addresses or cities count as similar. */
    static final double SIMILAR_PLACE = 0.88;

    private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();
    private static final LevenshteinDistance ONE_EDIT = new LevenshteinDistance(1);
    private static final DoubleMetaphone METAPHONE = new DoubleMetaphone();

    /** The comparison vector of {@code a} and {@code b}. */
    public int[] compare(Demographics a, Demographics b) {
        int[] v = new int[Field.values().length];
        // a given name and a family name entered the wrong way round count as what they are when swapped back
        // (each name comparison made once: the swapped ones only when the given names disagree)
        int givenGiven = name(a.given(), b.given(), Field.GIVEN);
        int givenFamily = 0;
        int familyGiven = 0;
        boolean swapped = a.given() != null && a.family() != null && b.given() != null && b.family() != null
                && givenGiven > 1 && !a.given().equals(a.family())
                && (givenFamily = name(a.given(), b.family(), Field.GIVEN)) <= 1
                && (familyGiven = name(a.family(), b.given(), Field.FAMILY)) <= 1;
        v[Field.GIVEN.ordinal()] = swapped ? Math.max(1, givenFamily) : givenGiven;
        v[Field.FAMILY.ordinal()] = swapped ? Math.max(1, familyGiven) : name(a.family(), b.family(), Field.FAMILY);
        v[Field.BIRTH_DATE.ordinal()] = birthDate(a.birthDate(), b.birthDate());
        v[Field.SEX.ordinal()] = same(a.sex(), b.sex());
        v[Field.ADDRESS.ordinal()] = place(a.address(), b.address());
        v[Field.CITY.ordinal()] = place(a.city(), b.city());
        v[Field.POSTCODE.ordinal()] = edit(a.postcode(), b.postcode(), 1);
        v[Field.STATE.ordinal()] = same(a.state(), b.state());
        v[Field.PHONE.ordinal()] = edit(a.phone(), b.phone(), MIN_EDIT_LENGTH);
        v[Field.NATIONAL_ID.ordinal()] = edit(a.nationalId(), b.nationalId(), MIN_EDIT_LENGTH);
        v[Field.MRN.ordinal()] = mrn(a.mrns(), b.mrns());
        return v;
    }

    /** exact, similar (Jaro-Winkler), phonetic (a Double Metaphone code shared), initial (given only), different. */
    static int name(String a, String b, Field field) {
        if (a == null || b == null) {
            return Field.MISSING;
        }
        if (a.equals(b)) {
            return 0;
        }
        if (JARO_WINKLER.apply(a, b) >= SIMILAR) {
            return 1;
        }
        if (phonetic(a, b)) {
            return 2;
        }
        if (field == Field.GIVEN && (a.length() == 1 || b.length() == 1) && a.charAt(0) == b.charAt(0)) {
            return 3;
        }
        return field.different();
    }

    private static boolean phonetic(String a, String b) {
        String[] ca = codes(a);
        String[] cb = codes(b);
        if (ca[0] == null || ca[0].isEmpty() || cb[0] == null || cb[0].isEmpty()) {
            return false;
        }
        return ca[0].equals(cb[0]) || ca[0].equals(cb[1]) || ca[1].equals(cb[0]);
    }

    /** Names seen recently with their primary and alternate Double Metaphone codes: names repeat, codes cost. */
    private static final java.util.Map<String, String[]> CODES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_CODES = 100_000;

    private static String[] codes(String name) {
        String[] c = CODES.get(name);
        if (c == null) {
            c = new String[] {METAPHONE.doubleMetaphone(name), METAPHONE.doubleMetaphone(name, true)};
            if (CODES.size() >= MAX_CODES) {
                CODES.clear(); // a crude bound: refilled from the names in use
            }
            CODES.put(name, c);
        }
        return c;
    }

    /** exact, day and month transposed, one digit off, same year, different. */
    static int birthDate(String a, String b) {
        if (a == null || b == null) {
            return Field.MISSING;
        }
        if (a.equals(b)) {
            return 0;
        }
        if (a.substring(0, 4).equals(b.substring(0, 4)) && a.substring(4, 6).equals(b.substring(6, 8))
                && a.substring(6, 8).equals(b.substring(4, 6))) {
            return 1;
        }
        int differing = 0;
        for (int i = 0; i < 8; i++) {
            differing += a.charAt(i) == b.charAt(i) ? 0 : 1;
        }
        if (differing == 1) {
            return 2;
        }
        return a.substring(0, 4).equals(b.substring(0, 4)) ? 3 : 4;
    }

    private static int same(String a, String b) {
        if (a == null || b == null) {
            return Field.MISSING;
        }
        return a.equals(b) ? 0 : 1;
    }

    private static int place(String a, String b) {
        if (a == null || b == null) {
            return Field.MISSING;
        }
        if (a.equals(b)) {
            return 0;
        }
        return JARO_WINKLER.apply(a, b) >= SIMILAR_PLACE ? 1 : 2;
    }

    /**
     * Identifiers shorter than this are never "one edit" apart: in a short number one edit is most of it (MRN 3 and
     * MRN 4 are two patients, not a typo).
     */
    static final int MIN_EDIT_LENGTH = 5;

    /** exact, within one edit (a typo; a transposed pair counts as two) when both have {@code minLength}, different. */
    static int edit(String a, String b, int minLength) {
        if (a == null || b == null) {
            return Field.MISSING;
        }
        if (a.equals(b)) {
            return 0;
        }
        return a.length() >= minLength && b.length() >= minLength && ONE_EDIT.apply(a, b) == 1 ? 1 : 2;
    }

    /** The closest agreement of any two MRNs from the same assigning authority; missing when none share one. */
    static int mrn(List<String> a, List<String> b) {
        int best = Field.MISSING;
        for (String x : a) {
            String authority = x.substring(0, x.indexOf('|') + 1);
            for (String y : b) {
                if (y.startsWith(authority)) {
                    int level = edit(x.substring(authority.length()), y.substring(authority.length()),
                            MIN_EDIT_LENGTH);
                    best = best == Field.MISSING ? level : Math.min(best, level);
                }
            }
        }
        return best;
    }
}
