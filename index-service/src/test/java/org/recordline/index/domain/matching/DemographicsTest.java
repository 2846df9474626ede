package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemographicsTest {

    @Test
    void normalisesOnceAndANormalisedRecordStaysAsItIs() {
        Demographics d = new Demographics("  Zoë-Anne ", "O'Brien  Smith", "1961-07-23", "Female",
                "17, Quarry  Lane", "Mill-brook", "SW1A 1AA", "VIC", "+61 (0)491 570 156", "123-45-6789",
                List.of("urn:oid:1.2|MRN-0042", "no-bar"));
        assertEquals("zoe anne", d.given());
        assertEquals("o brien smith", d.family());
        assertEquals("19610723", d.birthDate());
        assertEquals("female", d.sex());
        assertEquals("17 quarry lane", d.address());
        assertEquals("mill brook", d.city());
        assertEquals("sw1a1aa", d.postcode());
        assertEquals("491570156", d.phone());
        assertEquals("123456789", d.nationalId());
        assertEquals(List.of("urn:oid:1.2|mrn0042"), d.mrns());
        Demographics again = new Demographics(d.given(), d.family(), d.birthDate(), d.sex(), d.address(), d.city(),
                d.postcode(), d.state(), d.phone(), d.nationalId(), d.mrns());
        assertEquals(d, again);
    }

    @Test
    void onlyLowerCaseLettersDigitsAndSingleInnerSpacesCountAsNormalised() {
        assertTrue(Demographics.normalised("anne marie 2", true));
        assertFalse(Demographics.normalised("anne marie 2", false));
        assertFalse(Demographics.normalised("anne  marie", true));
        assertFalse(Demographics.normalised(" anne", true));
        assertFalse(Demographics.normalised("anne ", true));
        assertFalse(Demographics.normalised("Anne", true));
        assertFalse(Demographics.normalised("zoë", true));
        assertFalse(Demographics.normalised("", true));
        assertEquals("zoe", Demographics.text("zoë"));
        assertNull(Demographics.text(" - "));
        assertNull(Demographics.date("1961-7-23"));
        assertNull(Demographics.date("19610a23"));
        assertEquals("19610723", Demographics.date("1961-07-23T10:00:00Z"));
    }

    @Test
    void theStoredJsonReadsBackToTheSameRecord() throws Exception {
        Demographics d = new Demographics("Zoë", "O'Brien", "1961-07-23", "female", "17 Quarry Lane", null,
                "SW1A 1AA", "VIC", "0491 570 156", null, List.of("urn:oid:1.2|MRN-0042", "urn:oid:1.3|77"));
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(d);
        assertEquals(d, Demographics.fromJson(json));
        assertEquals(new Demographics("ann", null, null, null, null, null, null, null, null, null, List.of()),
                Demographics.fromJson("{\"given\":\"ann\",\"later\":{\"x\":[1,2]},\"family\":null}"));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Demographics.fromJson("[]"));
    }
}
