package org.recordline.validation.codes;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.recordline.events.ValidationIssue;

/**
 * The code checks that need no terminology server, run over a resource's JSON tree: LOINC check digits, SNOMED CT
 * identifiers (Verhoeff), the shape of ICD-10-CM codes, NPI check digits, and calendar dates that cannot exist
 * ({@code 2023-02-30}). A failed check is an {@code error}: the code cannot be what the sender meant. Findings never
 * quote the value, only where it is.
 */
public final class CodeChecks {

    /** Rule ids. */
    public static final String LOINC = "code-loinc-check-digit";
    public static final String SNOMED = "code-snomed-check-digit";
    public static final String ICD10CM = "code-icd10cm-shape";
    public static final String NPI = "code-npi-check-digit";
    public static final String DATE = "date-calendar";

    static final String LOINC_SYSTEM = "http://loinc.org";
    static final String SNOMED_SYSTEM = "http://snomed.info/sct";
    static final String ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm";
    static final String NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi";

    /** A FHIR date or the date part of a dateTime/instant: year, optional month, optional day. */
    private static final Pattern DATE_PART = Pattern.compile("^(\\d{4})(?:-(\\d{2})(?:-(\\d{2}))?)?(?:T.*)?$");
    private static final int MAX_DEPTH = 64;

    private CodeChecks() {
    }

    /** Every finding for {@code resource} (a FHIR resource as JSON), its path starting at {@code path}. */
    public static List<ValidationIssue> check(JsonNode resource, String path) {
        List<ValidationIssue> out = new ArrayList<>();
        walk(resource, path, null, out, 0);
        return out;
    }

    private static void walk(JsonNode node, String path, String name, List<ValidationIssue> out, int depth) {
        if (depth > MAX_DEPTH) {
            return; // the ingestion edge limits depth far below this; never recurse without bound
        }
        if (node.isObject()) {
            checkObject(node, path, out);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                if (v.isArray()) {
                    for (int i = 0; i < v.size(); i++) {
                        walk(v.get(i), path + "." + f.getKey() + "[" + i + "]", f.getKey(), out, depth + 1);
                    }
                } else {
                    walk(v, path + "." + f.getKey(), f.getKey(), out, depth + 1);
                }
            }
        } else if (node.isTextual() && name != null && datedName(name)) {
            checkDate(node.asText(), path, out);
        }
    }

    private static void checkObject(JsonNode o, String path, List<ValidationIssue> out) {
        JsonNode system = o.get("system");
        if (system == null || !system.isTextual()) {
            return;
        }
        JsonNode code = o.get("code");
        JsonNode value = o.get("value");
        switch (system.asText()) {
            case LOINC_SYSTEM -> {
                if (code != null && code.isTextual() && !CheckDigits.loinc(code.asText())) {
                    out.add(error(LOINC, path + ".code", "the LOINC code's check digit is wrong or it is not shaped "
                            + "like a LOINC code (digits, a hyphen and one check digit)"));
                }
            }
            case SNOMED_SYSTEM -> {
                if (code != null && code.isTextual() && !CheckDigits.snomedExpression(code.asText())
                        && !CheckDigits.sctid(code.asText())) {
                    out.add(error(SNOMED, path + ".code", "the SNOMED CT code is not a valid concept identifier "
                            + "(6 to 18 digits, a concept partition and a Verhoeff check digit)"));
                }
            }
            case ICD10CM_SYSTEM -> {
                if (code != null && code.isTextual() && !CheckDigits.icd10cmShape(code.asText())) {
                    out.add(error(ICD10CM, path + ".code", "the ICD-10-CM code is not shaped like one (a letter, "
                            + "two characters, then optionally a dot and up to four more)"));
                }
            }
            case NPI_SYSTEM -> {
                if (value != null && value.isTextual() && !CheckDigits.npi(value.asText())) {
                    out.add(error(NPI, path + ".value", "the NPI is not ten digits with a valid check digit"));
                }
            }
            default -> {
            }
        }
    }

    /** Element names whose values are dates, dateTimes or instants in R4 resources. */
    private static boolean datedName(String name) {
        return name.endsWith("Date") || name.endsWith("DateTime") || name.endsWith("Instant")
                || name.equals("date") || name.equals("start") || name.equals("end") || name.equals("issued")
                || name.equals("authoredOn") || name.equals("recorded") || name.equals("lastUpdated")
                || name.equals("timestamp") || name.equals("created");
    }

    private static void checkDate(String text, String path, List<ValidationIssue> out) {
        Matcher m = DATE_PART.matcher(text);
        if (!m.matches() || m.group(3) == null) {
            return; // not a full date: the conformance layer judges the format
        }
        try {
            LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (DateTimeException e) {
            out.add(error(DATE, path, "the date does not exist in the calendar (month or day out of range)"));
        }
    }

    private static ValidationIssue error(String rule, String path, String message) {
        return new ValidationIssue("error", "code-invalid", rule, path, message);
    }
}
