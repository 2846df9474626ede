package org.recordline.commons.fhir;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The depth and declaration scan of narrative XHTML. */
class NarrativeXhtmlTest {

    private static final String NS = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";

    private static String nested(int levels) {
        return NS + "<b>".repeat(levels) + "x" + "</b>".repeat(levels) + "</div>";
    }

    @Test
    void ordinaryNarrativesPass() {
        assertNull(NarrativeXhtml.problem(NS + "Generated <b>Narrative</b><br/><table><tr><td a='1>2'>x</td></tr>"
                + "</table><!-- <b><b><b> --><![CDATA[<i><i>]]></div>", 4));
    }

    @Test
    void depthIsCountedWithTheDivItselfAndSelfClosingElementsDoNotNest() {
        assertNull(NarrativeXhtml.problem(nested(31), 32));
        assertTrue(NarrativeXhtml.problem(nested(32), 32).contains("deeper than 32"));
        assertNull(NarrativeXhtml.problem(NS + "<br/>".repeat(5000) + "</div>", 2));
        assertNull(NarrativeXhtml.problem(NS + "<p></p>".repeat(5000) + "</div>", 2));
    }

    @Test
    void thousandsOfNestedElementsAreFoundWithoutRecursion() {
        assertTrue(NarrativeXhtml.problem(nested(100_000), 32).contains("deeper"));
    }

    @Test
    void quotedGreaterThanAndCommentsDoNotConfuseTheCount() {
        assertNull(NarrativeXhtml.problem(NS + "<span title=\"a > b\">x</span><!-- <b> --></div>", 2));
        assertTrue(NarrativeXhtml.problem(NS + "<span title=\"a > b\"><b>x</b></span></div>", 2) != null);
    }

    @Test
    void documentTypesAndEntityDeclarationsAreRefused() {
        assertTrue(NarrativeXhtml.problem("<!DOCTYPE div [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + NS
                + "&x;</div>", 32).contains("document type"));
        assertTrue(NarrativeXhtml.problem(NS + "<!ENTITY a \"b\"></div>", 32) != null);
    }
}
