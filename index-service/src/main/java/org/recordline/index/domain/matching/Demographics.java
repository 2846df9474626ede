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

    private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

    /**
     * Reads demographics as the index stores them (the JSON Jackson writes for this record), with a streaming parser:
     * every candidate of every match is read this way. Unknown fields are skipped.
     */
    public static Demographics fromJson(String json) throws java.io.IOException {
        String[] f = new String[10];
        List<String> mrns = new java.util.ArrayList<>();
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                throw new java.io.IOException("stored demographics are not a JSON object");
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken t = p.nextToken();
                int slot = switch (name) {
                    case "given" -> 0;
                    case "family" -> 1;
                    case "birthDate" -> 2;
                    case "sex" -> 3;
                    case "address" -> 4;
                    case "city" -> 5;
                    case "postcode" -> 6;
                    case "state" -> 7;
                    case "phone" -> 8;
                    case "nationalId" -> 9;
                    default -> -1;
                };
                if (slot >= 0) {
                    f[slot] = t == com.fasterxml.jackson.core.JsonToken.VALUE_NULL ? null : p.getValueAsString();
                } else if ("mrns".equals(name) && t == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                    while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                        mrns.add(p.getValueAsString());
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        return new Demographics(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], mrns);
    }

    private static final java.util.regex.Pattern MARKS = java.util.regex.Pattern.compile("\\p{M}+");
    private static final java.util.regex.Pattern NOT_TEXT = java.util.regex.Pattern.compile("[^\\p{L}\\p{N}]+");
    private static final java.util.regex.Pattern NOT_DIGIT = java.util.regex.Pattern.compile("[^0-9]");

    /** Lower case, no accents, letters, digits and single spaces only; null when nothing is left. */
    static String text(String s) {
        if (s == null) {
            return null;
        }
        if (normalised(s, true)) {
            return s; // already in this form (a stored record read back): nothing to do
        }
        String t = NOT_TEXT.matcher(MARKS.matcher(Normalizer.normalize(s, Normalizer.Form.NFD)).replaceAll("")
                .toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
        return t.isEmpty() ? null : t;
    }

    /** Letters and digits only, lower case; null when nothing is left. */
    static String code(String s) {
        if (s == null) {
            return null;
        }
        if (normalised(s, false)) {
            return s;
        }
        String t = NOT_TEXT.matcher(s.toLowerCase(Locale.ROOT)).replaceAll("");
        return t.isEmpty() ? null : t;
    }

    /**
     * Whether {@code s} is in normal form already: non-empty, only {@code a-z} and {@code 0-9} and, when
     * {@code spaces}, single spaces between words. Everything else (capitals, accents, other scripts, punctuation)
     * goes the long way.
     */
    static boolean normalised(String s, boolean spaces) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                continue;
            }
            if (!spaces || c != ' ' || i == 0 || i == n - 1 || s.charAt(i - 1) == ' ') {
                return false;
            }
        }
        return true;
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
        if (d.length() != 8) {
            return null;
        }
        for (int i = 0; i < 8; i++) {
            if (d.charAt(i) < '0' || d.charAt(i) > '9') {
                return null;
            }
        }
        return d;
    }

    private static String phone(String s) {
        if (s == null) {
            return null;
        }
        String digits = NOT_DIGIT.matcher(s).replaceAll("");
        if (digits.length() < 6) {
            return null;
        }
        return digits.length() > 9 ? digits.substring(digits.length() - 9) : digits;
    }
}
