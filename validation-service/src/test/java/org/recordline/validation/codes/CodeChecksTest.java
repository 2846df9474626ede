package org.recordline.validation.codes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recordline.events.ValidationIssue;

/** The code checks find bad codes wherever a Coding or an Identifier sits, and say where without quoting them. */
class CodeChecksTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<ValidationIssue> check(String json) throws Exception {
        JsonNode n = JSON.readTree(json);
        return CodeChecks.check(n, n.get("resourceType").asText());
    }

    @Test
    void findsEachKindOfBadCodeAtItsPath() throws Exception {
        List<ValidationIssue> issues = check("""
                {"resourceType":"Observation","status":"final",
                 "code":{"coding":[{"system":"http://loinc.org","code":"2708-6"},{"system":"http://loinc.org","code":"2708-5"}]},
                 "valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"22298007"}]},
                 "performer":[{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567890"}}],
                 "note":[{"text":"x"}],
                 "effectiveDateTime":"2023-02-30",
                 "interpretation":[{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"e11.9"}]}]}
                """);
        assertEquals(List.of(
                "code-loinc-check-digit@Observation.code.coding[1].code",
                "code-snomed-check-digit@Observation.valueCodeableConcept.coding[0].code",
                "code-npi-check-digit@Observation.performer[0].identifier.value",
                "date-calendar@Observation.effectiveDateTime",
                "code-icd10cm-shape@Observation.interpretation[0].coding[0].code"),
                issues.stream().map(i -> i.rule() + "@" + i.expression()).toList());
        assertTrue(issues.stream().noneMatch(i -> i.message().contains("2708-5") || i.message().contains("1234567890")));
    }

    @Test
    void goodCodesExpressionsAndPartialDatesPass() throws Exception {
        assertEquals(List.of(), check("""
                {"resourceType":"Condition",
                 "code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006"},
                                    {"system":"http://snomed.info/sct","code":"64572001:246075003=6142004"},
                                    {"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"E11.9"}]},
                 "onsetDateTime":"2020-02-29T10:00:00Z","recordedDate":"2021-06","abatementDateTime":"1999"}
                """));
    }

    @Test
    void deepNestingStopsWithoutOverflow() throws Exception {
        StringBuilder sb = new StringBuilder("{\"resourceType\":\"Basic\",\"a\":");
        for (int i = 0; i < 3000; i++) {
            sb.append("{\"a\":");
        }
        sb.append("1").append("}".repeat(3001));
        ObjectMapper lenient = new ObjectMapper();
        lenient.getFactory().setStreamReadConstraints(
                com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(10_000).build());
        JsonNode n = lenient.readTree(sb.toString());
        assertEquals(List.of(), CodeChecks.check(n, "Basic"));
    }
}
