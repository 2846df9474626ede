package org.recordline.validation.codes;

/**
 * Check digits and code shapes that need no terminology server. Every method is pure and total: any input, including
 * {@code null}, gets an answer.
 */
public final class CheckDigits {

    private static final int[][] VERHOEFF_D = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
        {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
        {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
        {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
    private static final int[][] VERHOEFF_P = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4}, {5, 8, 0, 3, 7, 9, 6, 1, 4, 2},
        {8, 9, 1, 6, 0, 4, 3, 5, 2, 7}, {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
        {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

    private CheckDigits() {
    }

    /** Whether {@code digits} (ASCII digits only) passes the Luhn (mod 10) check, its last digit being the check. */
    public static boolean luhn(CharSequence digits) {
        if (!allDigits(digits) || digits.length() < 2) {
            return false;
        }
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /** Whether {@code digits} passes the Verhoeff check, its last digit being the check. */
    public static boolean verhoeff(CharSequence digits) {
        if (!allDigits(digits) || digits.length() < 2) {
            return false;
        }
        int c = 0;
        int n = digits.length();
        for (int i = 0; i < n; i++) {
            int d = digits.charAt(n - 1 - i) - '0';
            c = VERHOEFF_D[c][VERHOEFF_P[i % 8][d]];
        }
        return c == 0;
    }

    /**
     * Whether {@code code} is a LOINC code with a correct check digit: {@code NNNNN-C} (1 to 7 digits, the check
     * being LOINC's mod 10 over the digits). LOINC parts, answers and groups ({@code LP}, {@code LA}, {@code LG}
     * prefixes) are checked for their shape only.
     */
    public static boolean loinc(String code) {
        if (code == null) {
            return false;
        }
        boolean prefixed = code.startsWith("LP") || code.startsWith("LA") || code.startsWith("LG");
        String body = prefixed ? code.substring(2) : code;
        int dash = body.indexOf('-');
        if (dash < 1 || dash > 7 || dash != body.length() - 2) {
            return false;
        }
        String digits = body.substring(0, dash);
        char check = body.charAt(dash + 1);
        return allDigits(digits) && check >= '0' && check <= '9' && (prefixed || luhn(digits + check));
    }

    /**
     * Whether {@code code} is a SNOMED CT concept identifier (SCTID): 6 to 18 digits, no leading zero, a partition
     * identifier of a concept ({@code 00} or {@code 10} in the second and third digit from the right), and a correct
     * Verhoeff check digit. Post-coordinated expressions are not SCTIDs: see {@link #snomedExpression}.
     */
    public static boolean sctid(String code) {
        if (code == null || code.length() < 6 || code.length() > 18 || !allDigits(code) || code.charAt(0) == '0') {
            return false;
        }
        String partition = code.substring(code.length() - 3, code.length() - 1);
        return (partition.equals("00") || partition.equals("10")) && verhoeff(code);
    }

    /** Whether {@code code} looks like a SNOMED CT expression rather than a single identifier. */
    public static boolean snomedExpression(String code) {
        return code != null && (code.indexOf(':') >= 0 || code.indexOf('|') >= 0 || code.indexOf('+') >= 0
                || code.indexOf('=') >= 0 || code.indexOf(' ') >= 0);
    }

    /**
     * Whether {@code code} has the shape of an ICD-10-CM code: a letter (U for codes for special purposes such as
     * U07.1, COVID-19), a digit, a digit or letter, then
     * optionally a dot and one to four digits or letters ({@code E11.9}, {@code S72.001A}, {@code Z00.00}).
     */
    public static boolean icd10cmShape(String code) {
        if (code == null || code.length() < 3 || code.length() > 8) {
            return false;
        }
        char first = code.charAt(0);
        if (first < 'A' || first > 'Z' || !isDigit(code.charAt(1)) || !isDigitOrUpper(code.charAt(2))) {
            return false;
        }
        if (code.length() == 3) {
            return true;
        }
        if (code.charAt(3) != '.' || code.length() == 4) {
            return false;
        }
        for (int i = 4; i < code.length(); i++) {
            if (!isDigitOrUpper(code.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code npi} is a US National Provider Identifier: ten digits whose last is the Luhn check digit
     * computed with the prefix {@code 80840} (the NPI's card issuer prefix).
     */
    public static boolean npi(String npi) {
        return npi != null && npi.length() == 10 && allDigits(npi) && luhn("80840" + npi);
    }

    private static boolean allDigits(CharSequence s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isDigitOrUpper(char c) {
        return isDigit(c) || c >= 'A' && c <= 'Z';
    }
}
