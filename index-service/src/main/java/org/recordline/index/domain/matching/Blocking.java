package org.recordline.index.domain.matching;

import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.codec.language.DoubleMetaphone;

/**
 * The blocking keys of a record: two records are compared only when they share at least one (the union of several
 * keys, so that an error in one field does not hide a match). Compact strings, served by an index in the database.
 */
public final class Blocking {

    private static final DoubleMetaphone METAPHONE = new DoubleMetaphone();

    private Blocking() {
    }

    /** The record's blocking keys; a key whose fields are missing is left out. */
    public static Set<String> keys(Demographics d) {
        Set<String> keys = new LinkedHashSet<>();
        String family = sound(d.family());
        String given = sound(d.given());
        String year = d.birthDate() == null ? null : d.birthDate().substring(0, 4);
        if (d.birthDate() != null) {
            keys.add("b:" + d.birthDate());
        }
        if (family != null && year != null) {
            keys.add("fy:" + family + ":" + year);
        }
        if (family != null && given != null) {
            // in sorted order, so that a swapped given and family name share the key
            keys.add("fg:" + (family.compareTo(given) <= 0 ? family + ":" + given : given + ":" + family));
        }
        if (d.postcode() != null && d.family() != null) {
            keys.add("pf:" + d.postcode() + ":" + d.family().charAt(0));
        }
        if (d.postcode() != null && d.given() != null) {
            keys.add("pg:" + d.postcode() + ":" + d.given().charAt(0));
        }
        if (d.nationalId() != null) {
            keys.add("n:" + d.nationalId());
        }
        if (d.phone() != null) {
            keys.add("t:" + d.phone());
        }
        for (String mrn : d.mrns()) {
            keys.add("m:" + mrn);
        }
        return keys;
    }

    private static String sound(String name) {
        if (name == null) {
            return null;
        }
        String code = METAPHONE.doubleMetaphone(name);
        return code == null || code.isEmpty() ? name : code;
    }
}
