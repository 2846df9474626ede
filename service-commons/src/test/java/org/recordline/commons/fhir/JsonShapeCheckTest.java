package org.recordline.commons.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.Test;

/** The streaming pre-check: each refusal names its real reason and where it is. */
class JsonShapeCheckTest {

    private static final JsonShapeCheck CHECK = new JsonShapeCheck(new JsonLimits(64, 64, 5000, 32));

    private static JsonShapeException refused(String json) {
        return assertThrows(JsonShapeException.class,
                () -> CHECK.check(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aValidResourcePasses() {
        CHECK.check(("{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":1.50},\"text\":{\"div\":"
                + "\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\"><b>x</b></div>\"}}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void duplicateKeysAreRefusedAtEveryLevelWithTheKeyAndThePlace() {
        JsonShapeException top = refused("{\"resourceType\":\"Patient\",\"resourceType\":\"Observation\"}");
        assertEquals(400, top.status());
        assertTrue(top.getMessage().contains("duplicate JSON key \"resourceType\""), top.getMessage());
        assertEquals("Patient", top.expression());
        JsonShapeException inner = refused(
                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\",\"family\":\"B\"}]}");
        assertTrue(inner.getMessage().contains("\"family\""), inner.getMessage());
        assertEquals("Patient.name[0]", inner.expression());
        JsonShapeException entry = refused("{\"resourceType\":\"Bundle\",\"entry\":[{},{\"resource\":"
                + "{\"resourceType\":\"Patient\",\"id\":\"a\",\"id\":\"b\"}}]}");
        assertEquals("Bundle.entry[1].resource", entry.expression());
    }

    @Test
    void aLongNumberIsRefusedAsALongNumberNotAsDeepNesting() {
        JsonShapeException e = refused("{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":"
                + "1".repeat(5000) + "}}");
        assertEquals(400, e.status());
        assertEquals(IssueType.TOOCOSTLY, e.issueType());
        assertTrue(e.getMessage().contains("number of 5000 characters") && e.getMessage().contains("64"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("nesting"), e.getMessage());
        assertEquals("Observation.valueQuantity.value", e.expression());
        JsonShapeException fraction = refused("{\"resourceType\":\"Observation\",\"valueQuantity\":"
                + "{\"value\":0." + "5".repeat(100) + "}}");
        assertTrue(fraction.getMessage().contains("number"), fraction.getMessage());
    }

    @Test
    void deepNestingNamesTheLimitAndThePlace() {
        String deep = "{\"resourceType\":\"Patient\",\"extension\":" + "[{\"extension\":".repeat(100) + "[]"
                + "}]".repeat(100) + "}";
        JsonShapeException e = refused(deep);
        assertTrue(e.getMessage().contains("nesting deeper than 64"), e.getMessage());
        assertTrue(e.expression().startsWith("Patient.extension[0].extension[0]"), e.expression());
    }

    @Test
    void deepNarrativeXhtmlIsRefusedBeforeAnyXmlParserSeesIt() {
        String div = "<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">" + "<b>".repeat(3000) + "x"
                + "</b>".repeat(3000) + "</div>";
        JsonShapeException e = refused("{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\","
                + "\"div\":\"" + div + "\"}}");
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("XHTML") && e.getMessage().contains("32"), e.getMessage());
        assertEquals("Patient.text.div", e.expression());
        JsonShapeException doctype = refused("{\"resourceType\":\"Patient\",\"text\":{\"div\":"
                + "\"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><div>&e;</div>\"}}");
        assertTrue(doctype.getMessage().contains("document type"), doctype.getMessage());
    }

    @Test
    void bundleEntriesAreCountedAndNulAndMalformedInputAreRefused() {
        String entries = String.join(",", java.util.Collections.nCopies(5001, "{}"));
        JsonShapeException many = refused("{\"resourceType\":\"Bundle\",\"entry\":[" + entries + "]}");
        assertEquals(413, many.status());
        JsonShapeException nul = refused("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\\u0000B\"}]}");
        assertEquals(IssueType.INVALID, nul.issueType());
        assertEquals("Patient.name[0].family", nul.expression());
        JsonShapeException nulName = refused("{\"resourceType\":\"Patient\",\"name\":[{\"fa\\u0000\":1}]}");
        assertEquals(IssueType.INVALID, nulName.issueType());
        assertEquals("Patient.name[0]", nulName.expression(), "the place, never the name holding U+0000");
        assertEquals(IssueType.STRUCTURE, refused("{\"resourceType\": \"Patient\", ").issueType());
        assertEquals(IssueType.STRUCTURE, refused("[1,2]").issueType());
    }
}
