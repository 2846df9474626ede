package org.recordline.validation.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The limits a corrected record must keep before anything parses it: the ingestion edge's, the same defaults. */
class CorrectionShapeTest {

    private static String bundle(int entries) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":["
                + String.join(",", java.util.Collections.nCopies(entries, "{\"resource\":{\"resourceType\":\"Basic\"}}"))
                + "],\"link\":[{\"relation\":\"self\",\"url\":\"x\"}]}";
    }

    @Test
    void bundleEntriesAreCountedAtTheTopLevelOnly() {
        assertNull(QuarantineResource.shapeProblem(bundle(QuarantineResource.MAX_ENTRIES)));
        assertEquals("the corrected record holds more than 5000 Bundle entries",
                QuarantineResource.shapeProblem(bundle(QuarantineResource.MAX_ENTRIES + 1)));
        // objects inside other arrays do not count as entries
        assertNull(QuarantineResource.shapeProblem("{\"resourceType\":\"Patient\",\"name\":["
                + String.join(",", java.util.Collections.nCopies(6000, "{\"family\":\"x\"}")) + "]}"));
    }

    @Test
    void narrativesNumbersNulsAndTrailingContentAreRefused() {
        assertTrue(QuarantineResource.shapeProblem("{\"resourceType\":\"Patient\",\"text\":{\"div\":\"<!DOCTYPE x>"
                + "<div xmlns='http://www.w3.org/1999/xhtml'>x</div>\"}}").contains("narrative"));
        assertTrue(QuarantineResource.shapeProblem("{\"a\":" + "1".repeat(65) + "}").contains("number"));
        assertTrue(QuarantineResource.shapeProblem("{\"a\":\"x\\u0000\"}").contains("NUL"));
        assertTrue(QuarantineResource.shapeProblem("{\"a\":1} {\"b\":2}").contains("after its root"));
        assertNull(QuarantineResource.shapeProblem("{\"resourceType\":\"Patient\",\"text\":{\"div\":"
                + "\"<div xmlns='http://www.w3.org/1999/xhtml'><p><b>ok</b></p></div>\"}}"));
    }
}
