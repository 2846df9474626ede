package org.recordline.validation.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What the full path keeps of the validator's messages, and what it treats as undecidable offline. */
class FullConformanceTest {

    @Test
    void valuesQuotedByTheValidatorAreRedacted() {
        String m = FullConformance.redacted("The value 'Secretname Smith' is not legal for the pattern \"[A-Z]+\"; "
                + "Not a valid date (1990-02-30) and text is `Jo`");
        assertFalse(m.contains("Secretname"), m);
        assertFalse(m.contains("1990-02-30"), m);
        assertFalse(m.contains("Jo`"), m);
        assertEquals("The value '…' is not legal for the pattern '…'; Not a valid date (…) and text is '…'", m);
        assertTrue(FullConformance.redacted("x".repeat(2000)).length() <= 501);
    }

    @Test
    void terminologyAndOutsideReferencesAreUndecidableButWrongCodesOfKnownSystemsAreNot() {
        assertTrue(FullConformance.offlineUndecidable("Terminology_PassThrough_TX_Message",
                "CodeSystem is unknown and can't be validated: http://loinc.org for 'http://loinc.org#1-8'"));
        assertTrue(FullConformance.offlineUndecidable("Reference_REF_CantResolve", "Unable to resolve resource"));
        assertFalse(FullConformance.offlineUndecidable("Terminology_TX_NoValid_16",
                "The value provided ('invalid') was not found in the value set 'AdministrativeGender'"));
        assertFalse(FullConformance.offlineUndecidable("Validation_VAL_Profile_Minimum",
                "Encounter.class: minimum required = 1, but only found 0"));
    }
}
