package org.recordline.index.domain.matching;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.codec.language.DoubleMetaphone;

/**
 * The blocking keys of a record: two records are compared only when one's probe keys meet the other's stored keys
 * (the union of several keys, so that an error in one field does not hide a match). Compact strings, stored as
 * 64-bit hashes in the {@code block_key} index.
 *
 * <p>Every key a record probes with is narrow: it names a birth date with an initial, or a name's sound with a birth
 * year and an initial, or both names' sounds with day and month, or a postcode with both initials, or an identifier, so
 * the records sharing it stay few as the index grows (they still grow with it, but slowly: at 1,000,000 people with
 * FEBRL's name frequencies, a handful each). Between them they survive any two of the usual errors: a typo in a name
 * (not its initial), names swapped, a birth date with day and month transposed or another year, a move, a missing
 * identifier. Two broad keys are kept for records that lack a field. The names' sounds alone ({@code fg:}) are stored
 * for everyone but probed only by a record without a birth date, which has no narrower key to find its matches with;
 * records with a birth date probe {@code fx:}, the same key stored only by records without one, so each of two such
 * records finds the other. The birth date alone ({@code b:}, with {@code bx:}) works the same way for records without
 * names. Not found: two records with one birth date and nothing else in common (neither initial, nor postcode, nor a
 * name's sound), e.g. one carrying only a given name and the other only a family name.
 *
 * <p>Changing the keys changes {@link #VERSION}; the index re-keys its stored records to the new version when it
 * starts ({@code BlockingKeyMaintenance}).
 */
public final class Blocking {

    /** The version of these rules; stored keys of an older version are rebuilt at start-up. */
    public static final int VERSION = 3;

    private static final DoubleMetaphone METAPHONE = new DoubleMetaphone();

    private Blocking() {
    }

    /**
     * A record's keys.
     *
     * @param stored the keys stored for it, by which others find it
     * @param probe  the keys it looks for others with, a subset of {@code stored} plus {@code fx:} and {@code bx:}
     */
    public record Keys(Set<String> stored, Set<String> probe) {

        /** True when a record probing with these keys finds {@code other} (shares a key with its stored keys). */
        public boolean finds(Keys other) {
            for (String k : probe) {
                if (other.stored.contains(k)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The record's keys; a key whose fields are missing is left out. */
    public static Keys of(Demographics d) {
        Set<String> stored = new LinkedHashSet<>();
        Set<String> probe = new LinkedHashSet<>();
        String family = sound(d.family());
        String given = sound(d.given());
        String dob = d.birthDate();
        String names = family == null || given == null ? null
                // in sorted order, so that a swapped given and family name share the key
                : family.compareTo(given) <= 0 ? family + ":" + given : given + ":" + family;
        if (dob != null) {
            // the birth date with either initial (both, so swapped names keep one): a birth date alone is shared by
            // about 30 records at 1,000,000 people, with an initial by a handful
            if (d.given() != null) {
                both(stored, probe, "b:" + dob + ":" + initial(d.given()));
            }
            if (d.family() != null) {
                both(stored, probe, "b:" + dob + ":" + initial(d.family()));
            }
            // the birth date alone, like the names alone below: stored for everyone, probed only by a record without
            // names; everyone probes bx:, stored only by records without names
            stored.add("b:" + dob);
            if (d.given() == null && d.family() == null) {
                probe.add("b:" + dob);
                stored.add("bx:" + dob);
            }
            probe.add("bx:" + dob);
            String year = dob.substring(0, 4);
            // a name's sound, the year and the other name's initial, both ways round: a typo in one name after its
            // first letter, or the names swapped, keeps one of the two
            if (family != null) {
                both(stored, probe, "ny:" + family + ":" + year + ":" + initial(d.given()));
            }
            if (given != null) {
                both(stored, probe, "ny:" + given + ":" + year + ":" + initial(d.family()));
            }
            if (names != null) {
                // day and month in sorted order, so a transposition keeps the key; any other year too
                String month = dob.substring(4, 6);
                String day = dob.substring(6, 8);
                both(stored, probe, "nd:" + names + ":" + (month.compareTo(day) <= 0 ? month + day : day + month));
            }
        }
        if (d.postcode() != null && (d.family() != null || d.given() != null)) {
            String f = initial(d.family());
            String g = initial(d.given());
            both(stored, probe, "pn:" + d.postcode() + ":" + (f.compareTo(g) <= 0 ? f + g : g + f));
        }
        if (d.nationalId() != null) {
            both(stored, probe, "n:" + d.nationalId());
        }
        if (d.phone() != null) {
            both(stored, probe, "t:" + d.phone());
        }
        for (String mrn : d.mrns()) {
            both(stored, probe, "m:" + mrn);
        }
        if (names != null) {
            stored.add("fg:" + names);
            if (dob == null) {
                probe.add("fg:" + names);
                stored.add("fx:" + names);
            }
            probe.add("fx:" + names);
        }
        return new Keys(Collections.unmodifiableSet(stored), Collections.unmodifiableSet(probe));
    }

    private static void both(Set<String> stored, Set<String> probe, String key) {
        stored.add(key);
        probe.add(key);
    }

    private static String initial(String name) {
        return name == null ? "" : name.substring(0, 1);
    }

    private static String sound(String name) {
        if (name == null) {
            return null;
        }
        String code = METAPHONE.doubleMetaphone(name);
        return code == null || code.isEmpty() ? name : code;
    }
}
