package org.recordline.commons.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.junit.jupiter.api.Test;

class XmlShapeCheckTest {

    private final XmlShapeCheck check = new XmlShapeCheck(new JsonLimits(10, 30, 3, 4));

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private JsonShapeException refused(String xml) {
        return assertThrows(JsonShapeException.class, () -> check.check(bytes(xml)));
    }

    @Test
    void aPlainResourcePasses() {
        check.check(bytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Patient xmlns=\"http://hl7.org/fhir\">"
                + "<id value=\"p1\"/><text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/1999/xhtml\">"
                + "<p>Jane &amp; <b>Doe</b></p></div></text><birthDate value=\"1970-01-01\"/></Patient>"));
    }

    @Test
    void anExternalEntityIsRefusedAtTheDoctypeAndNothingIsRead() {
        var e = refused("<?xml version=\"1.0\"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"&xxe;\"/></Patient>");
        assertEquals(IssueType.SECURITY, e.issueType());
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertFalse(e.getMessage().contains("root:"));
    }

    @Test
    void billionLaughsIsRefusedWithoutExpandingAnything() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        for (int i = 1; i < 10; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"")
                    .append(("&lol" + (i == 1 ? "" : String.valueOf(i - 1)) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>");
        var e = refused(dtd + "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"&lol9;\"/></Patient>");
        assertEquals(IssueType.SECURITY, e.issueType());
    }

    @Test
    void anEntityReferenceWithoutADoctypeIsRefused() {
        var e = refused("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"x\"/><gender value=\"&undeclared;\"/>"
                + "</Patient>");
        assertEquals(400, e.status());
    }

    @Test
    void limitsAreNamedWithThePlace() {
        String deep = "<Patient xmlns=\"http://hl7.org/fhir\">" + "<extension>".repeat(25) + "</extension>".repeat(25)
                + "</Patient>";
        assertEquals(IssueType.TOOCOSTLY, refused(deep).issueType());
        String entries = "<Bundle xmlns=\"http://hl7.org/fhir\">" + "<entry/>".repeat(4) + "</Bundle>";
        var e = refused(entries);
        assertEquals(413, e.status());
        assertEquals("Bundle.entry", e.expression());
        String number = "<Observation xmlns=\"http://hl7.org/fhir\"><valueQuantity><value value=\"" + "9".repeat(40)
                + "\"/></valueQuantity></Observation>";
        assertEquals("Observation.valueQuantity.value", refused(number).expression());
        String narrative = "<Patient xmlns=\"http://hl7.org/fhir\"><text><div xmlns=\"http://www.w3.org/1999/xhtml\">"
                + "<div>".repeat(5) + "</div>".repeat(5) + "</div></text></Patient>";
        assertTrue(refused(narrative).getMessage().contains("narrative"));
    }

    @Test
    void malformedOrForeignXmlIsRefused() {
        assertTrue(refused("<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"x\"></Patient>").getMessage()
                .startsWith("malformed XML at line 1"));
        assertTrue(refused("<Patient><id value=\"x\"/></Patient>").getMessage().contains("FHIR namespace"));
        assertTrue(refused("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Patient xmlns=\"http://hl7.org/fhir\"/>")
                .getMessage().contains("UTF-8"));
        assertThrows(JsonShapeException.class, () -> check.check(new byte[0]));
    }
}
