package org.recordline.index.domain.matching;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/**
 * What probabilistic matching compares about a person, normalised once: lower case, accents and punctuation gone,
 * spaces collapsed; digits only in phone numbers, postcodes and identifiers; dates as {@code yyyyMMdd}. A field that
 * was not given is null and counts neither for nor against a match.
 *
 * @param given      first given name
 * @param family     family name
 * @param birthDate  {@code yyyyMMdd}, or null
 * @param sex        {@code male}, {@code female}, {@code other}, {@code unknown}, or null
 * @param address    house number and street
 * @param city       city or suburb
 * @param postcode   postal code, digits and letters only
 * @param state      state or region
 * @param phone      digits only, at most the last 9 (country and trunk prefixes dropped)
 * @param nationalId national identifier (e.g. a social security number), digits and letters only
 * @param mrns       medical record numbers as {@code assigning-authority|value}
 */
public record Demographics(String given, String family, String birthDate, String sex, String address, String city,
                           String postcode, String state, String phone, String nationalId, List<String> mrns) {

    public Demographics {
        given = text(given);
        family = text(family);
        birthDate = date(birthDate);
        sex = text(sex);
        address = text(address);
        city = text(city);
        postcode = code(postcode);
        state = text(state);
        phone = phone(phone);
        nationalId = code(nationalId);
        mrns = mrns == null ? List.of() : mrns.stream().filter(m -> m != null && m.contains("|"))
                .map(m -> m.substring(0, m.indexOf('|')) + "|" + code(m.substring(m.indexOf('|') + 1)))
                .filter(m -> !m.endsWith("|null")).toList();
    }

    /** Lower case, no accents, letters, digits and single spaces only; null when nothing is left. */
    static String text(String s) {
        if (s == null) {
            return null;
        }
        String t = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
        return t.isEmpty() ? null : t;
    }

    /** Letters and digits only, lower case; null when nothing is left. */
    static String code(String s) {
        if (s == null) {
            return null;
        }
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "");
        return t.isEmpty() ? null : t;
    }

    /** {@code yyyyMMdd} from {@code yyyy-MM-dd}, {@code yyyyMMdd} or a dateTime; null when not a full date. */
    static String date(String s) {
        if (s == null) {
            return null;
        }
        String d = s.strip();
        if (d.length() >= 10 && d.charAt(4) == '-' && d.charAt(7) == '-') {
            d = d.substring(0, 4) + d.substring(5, 7) + d.substring(8, 10);
        }
        return d.matches("[0-9]{8}") ? d : null;
    }

    private static String phone(String s) {
        if (s == null) {
            return null;
        }
        String digits = s.replaceAll("[^0-9]", "");
        if (digits.length() < 6) {
            return null;
        }
        return digits.length() > 9 ? digits.substring(digits.length() - 9) : digits;
    }
}
