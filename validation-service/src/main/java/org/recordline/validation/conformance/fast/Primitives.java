package org.recordline.validation.conformance.fast;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Pattern;

/**
 * Value checks of the FHIR R4 primitive types, on Jackson nodes. Every check returns {@code null} when the value is
 * acceptable, otherwise a message that never repeats the value itself.
 */
final class Primitives {

    private Primitives() {
    }

    enum Kind {
        BOOLEAN, INTEGER, POSITIVE_INT, UNSIGNED_INT, DECIMAL,
        STRING, MARKDOWN, CODE, ID, URI, URL, CANONICAL, OID, UUID, BASE64, DATE, DATETIME, INSTANT, TIME, XHTML;

        boolean isJsonString() {
            return this != BOOLEAN && this != INTEGER && this != POSITIVE_INT && this != UNSIGNED_INT
                    && this != DECIMAL;
        }
    }

    /** Maps a FHIR type code (or a FHIRPath system type) to a primitive kind, or {@code null} if not primitive. */
    static Kind kindOf(String typeCode) {
        switch (typeCode) {
            case "boolean": return Kind.BOOLEAN;
            case "integer": return Kind.INTEGER;
            case "positiveInt": return Kind.POSITIVE_INT;
            case "unsignedInt": return Kind.UNSIGNED_INT;
            case "decimal": return Kind.DECIMAL;
            case "string": return Kind.STRING;
            case "markdown": return Kind.MARKDOWN;
            case "code": return Kind.CODE;
            case "id": return Kind.ID;
            case "uri": return Kind.URI;
            case "url": return Kind.URL;
            case "canonical": return Kind.CANONICAL;
            case "oid": return Kind.OID;
            case "uuid": return Kind.UUID;
            case "base64Binary": return Kind.BASE64;
            case "date": return Kind.DATE;
            case "dateTime": return Kind.DATETIME;
            case "instant": return Kind.INSTANT;
            case "time": return Kind.TIME;
            case "xhtml": return Kind.XHTML;
            case "http://hl7.org/fhirpath/System.String": return Kind.STRING;
            case "http://hl7.org/fhirpath/System.Boolean": return Kind.BOOLEAN;
            case "http://hl7.org/fhirpath/System.Integer": return Kind.INTEGER;
            case "http://hl7.org/fhirpath/System.Decimal": return Kind.DECIMAL;
            case "http://hl7.org/fhirpath/System.Date": return Kind.DATE;
            case "http://hl7.org/fhirpath/System.DateTime": return Kind.DATETIME;
            case "http://hl7.org/fhirpath/System.Time": return Kind.TIME;
            default: return null;
        }
    }

    private static final String YEAR = "([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)";
    private static final String TZ = "(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))";
    private static final String HMS = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?";
    static final Pattern DATE = Pattern.compile(YEAR + "(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?");
    static final Pattern DATETIME = Pattern.compile(
            YEAR + "(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T" + HMS + TZ + ")?)?)?");
    static final Pattern INSTANT = Pattern.compile(
            YEAR + "-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T" + HMS + TZ);
    static final Pattern TIME = Pattern.compile(HMS);
    static final Pattern CODE = Pattern.compile("[^\\s]+( [^\\s]+)*");
    static final Pattern ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    static final Pattern OID = Pattern.compile("urn:oid:[0-2](\\.(0|[1-9][0-9]*))+");
    static final Pattern UUID = Pattern.compile("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** Largest string FHIR accepts (1 MB). */
    private static final int MAX_STRING = 1024 * 1024;

    /** Result of a check: null = fine; otherwise the issue. */
    record Problem(String severity, String code, String rule, String message) {
    }

    static Problem typeMismatch(Kind kind, JsonNode v) {
        return new Problem("error", "structure", "fhir-type",
                "a " + typeName(kind) + " value must be a JSON " + jsonTypeName(kind) + ", but a JSON "
                        + describe(v) + " was found");
    }

    static String describe(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        if (v.isNumber()) {
            return "number";
        }
        return "value";
    }

    private static String jsonTypeName(Kind k) {
        switch (k) {
            case BOOLEAN: return "boolean";
            case INTEGER: case POSITIVE_INT: case UNSIGNED_INT: return "integer number";
            case DECIMAL: return "number";
            default: return "string";
        }
    }

    static String typeName(Kind k) {
        switch (k) {
            case POSITIVE_INT: return "positiveInt";
            case UNSIGNED_INT: return "unsignedInt";
            case BASE64: return "base64Binary";
            case DATETIME: return "dateTime";
            default: return k.name().toLowerCase();
        }
    }

    /** Checks one JSON value (not null, not an array) against a primitive kind. */
    static Problem check(Kind kind, JsonNode v) {
        switch (kind) {
            case BOOLEAN:
                return v.isBoolean() ? null : typeMismatch(kind, v);
            case INTEGER:
            case POSITIVE_INT:
            case UNSIGNED_INT: {
                if (!v.isIntegralNumber()) {
                    return typeMismatch(kind, v);
                }
                if (!v.canConvertToInt()) {
                    return invalid("the value is outside the range of a 32-bit " + typeName(kind));
                }
                int i = v.intValue();
                if (kind == Kind.POSITIVE_INT && i < 1) {
                    return invalid("a positiveInt must be 1 or more");
                }
                if (kind == Kind.UNSIGNED_INT && i < 0) {
                    return invalid("an unsignedInt must not be negative");
                }
                return null;
            }
            case DECIMAL:
                return v.isNumber() ? null : typeMismatch(kind, v);
            default:
                break;
        }
        if (!v.isTextual()) {
            return typeMismatch(kind, v);
        }
        String s = v.textValue();
        if (s.isEmpty()) {
            return new Problem("error", "invalid", "fhir-invariant:ele-1",
                    "a " + typeName(kind) + " value cannot be empty: all FHIR elements must have a value or children");
        }
        if (s.length() > MAX_STRING) {
            return invalid("the value is longer than the 1 MB FHIR allows");
        }
        switch (kind) {
            case STRING:
            case MARKDOWN:
                if (isBlank(s)) {
                    return new Problem("error", "invalid", "fhir-invariant:ele-1",
                            "a " + typeName(kind) + " value cannot consist only of whitespace");
                }
                if (hasControlCharacter(s)) {
                    return invalid("the value contains a control character (below U+0020 other than tab, carriage "
                            + "return and line feed), which FHIR does not allow in a " + typeName(kind));
                }
                if (Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1))) {
                    return kind == Kind.STRING ? new Problem("warning", "value", "fhir-string-whitespace",
                            "the value starts or ends with whitespace") : null;
                }
                return null;
            case CODE:
                return CODE.matcher(s).matches() ? null
                        : invalid("the value is not a valid code (no leading, trailing or repeated whitespace allowed)");
            case ID:
                return ID.matcher(s).matches() ? null
                        : invalid("the value is not a valid id (1-64 characters A-Z, a-z, 0-9, '-' or '.')");
            case URI:
            case URL:
            case CANONICAL:
                return checkUri(s);
            case OID:
                return OID.matcher(s).matches() ? null : invalid("the value is not a valid oid (urn:oid:...)");
            case UUID:
                return UUID.matcher(s).matches() ? null
                        : invalid("the value is not a valid uuid (urn:uuid: followed by a lowercase UUID)");
            case BASE64:
                return checkBase64(s);
            case DATE:
                return DATE.matcher(s).matches() && validDay(s) ? null : invalid("the value is not a valid date");
            case DATETIME:
                if (DATETIME.matcher(s).matches() && validDay(s)) {
                    return null;
                }
                if (s.length() > 10 && s.indexOf('T') == 10 && DATETIME.matcher(s + "Z").matches()) {
                    return invalid("the value is not a valid dateTime: if a date has a time, it must have a timezone");
                }
                return invalid("the value is not a valid dateTime");
            case INSTANT:
                return INSTANT.matcher(s).matches() && validDay(s) ? null
                        : invalid("the value is not a valid instant (a full date, time and timezone are required)");
            case TIME:
                return TIME.matcher(s).matches() ? null : invalid("the value is not a valid time (hh:mm:ss)");
            case XHTML:
                return Xhtml.check(s);
            default:
                return null;
        }
    }

    static Problem invalid(String msg) {
        return new Problem("error", "value", "fhir-primitive", msg);
    }

    /** FHIR: strings SHALL NOT contain characters below U+0020 except U+0009, U+000A and U+000D. */
    static boolean hasControlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                return true;
            }
        }
        return false;
    }

    private static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static Problem checkUri(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                return invalid("URI values cannot contain whitespace");
            }
        }
        if (s.startsWith("urn:uuid:") && !UUID.matcher(s).matches()) {
            return invalid("UUIDs must be valid and lowercase");
        }
        if (s.startsWith("urn:oid:") && !OID.matcher(s).matches()) {
            return invalid("the value is not a valid OID URI");
        }
        return null;
    }

    private static Problem checkBase64(String s) {
        int pad = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                continue;
            }
            if (c == '=') {
                pad++;
                continue;
            }
            boolean alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/';
            if (!alpha || pad > 0) {
                return invalid("the value is not valid base64");
            }
        }
        return pad > 2 ? invalid("the value is not valid base64") : null;
    }

    /** Checks the day of month against the month and leap years (the regexes allow 31 everywhere). */
    private static boolean validDay(String s) {
        if (s.length() < 10) {
            return true;
        }
        int y = Integer.parseInt(s.substring(0, 4));
        int m = (s.charAt(5) - '0') * 10 + (s.charAt(6) - '0');
        int d = (s.charAt(8) - '0') * 10 + (s.charAt(9) - '0');
        int max;
        switch (m) {
            case 2:
                max = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
                break;
            case 4: case 6: case 9: case 11:
                max = 30;
                break;
            default:
                max = 31;
        }
        return d <= max;
    }
}
