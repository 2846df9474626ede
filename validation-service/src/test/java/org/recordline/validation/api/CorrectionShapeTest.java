package org.recordline.validation.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.recordline.commons.fhir.JsonLimits;

/** The limits a corrected record must keep before anything parses it: the ingestion edge's check, its limits. */
class CorrectionShapeTest {

    /** The defaults, which are the ingestion-service's. */
    private static final CorrectionShape SHAPE = new CorrectionShape(10_485_760, 64, 64, 5000, 32);

    private static String bundle(int entries) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
                + String.join(",", java.util.Collections.nCopies(entries, "{\"resource\":{\"resourceType\":\"Basic\"}}"))
                + "],\"link\":[{\"relation\":\"self\",\"url\":\"x\"}]}";
    }

    @Test
    void bundleEntriesAreCountedAtTheTopLevelOnly() {
        assertNull(SHAPE.problem(bundle(5000)));
        assertEquals("the corrected record: Bundle has more than 5000 entries (at Bundle.entry)",
                SHAPE.problem(bundle(5001)));
        // objects inside other arrays do not count as entries
        assertNull(SHAPE.problem("{\"resourceType\":\"Patient\",\"name\":["
                + String.join(",", java.util.Collections.nCopies(6000, "{\"family\":\"x\"}")) + "]}"));
    }

    @Test
    void narrativesNumbersNulsDuplicatesAndTrailingContentAreRefused() {
        assertTrue(SHAPE.problem("{\"resourceType\":\"Patient\",\"text\":{\"div\":\"<!DOCTYPE x>"
                + "<div xmlns='http://www.w3.org/1999/xhtml'>x</div>\"}}").contains("document type"));
        assertTrue(SHAPE.problem("{\"a\":" + "1".repeat(65) + "}").contains("number of 65 characters"));
        assertTrue(SHAPE.problem("{\"a\":\"x\\u0000\"}").contains("NUL"));
        assertTrue(SHAPE.problem("{\"a\\u0000\":1}").contains("NUL"));
        assertTrue(SHAPE.problem("{\"a\":1,\"a\":2}").contains("duplicate JSON key"));
        assertTrue(SHAPE.problem("{\"a\":1} {\"b\":2}").contains("content after the end"));
        assertTrue(SHAPE.problem("[]").contains("must be a JSON object"));
        assertEquals("the corrected record is empty", SHAPE.problem(" "));
        assertNull(SHAPE.problem("{\"resourceType\":\"Patient\",\"text\":{\"div\":"
                + "\"<div xmlns='http://www.w3.org/1999/xhtml'><p><b>ok</b></p></div>\"}}"));
    }

    @Test
    void theLimitsComeFromTheSettings() {
        CorrectionShape tight = new CorrectionShape(100, new JsonLimits(3, 4, 2, 2));
        assertTrue(tight.problem("{\"a\":{\"b\":{\"c\":{}}}}").contains("deeper than 3 levels"));
        assertTrue(tight.problem("{\"a\":12345}").contains("longer than the limit of 4"));
        assertTrue(tight.problem("{\"resourceType\":\"Bundle\",\"entry\":[{},{},{}]}").contains("more than 2 entries"));
        assertEquals("the corrected record is larger than 100 bytes", tight.problem("{\"a\":\"" + "é".repeat(60) + "\"}"));
        assertNull(tight.problem("{\"a\":\"" + "e".repeat(60) + "\"}"));
    }
}
