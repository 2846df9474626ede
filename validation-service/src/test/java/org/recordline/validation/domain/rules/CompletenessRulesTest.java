package org.recordline.validation.domain.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.recordline.events.ValidationIssue;
import org.recordline.testsupport.SharedData;

/** The completeness rules on real Synthea bundles and on hand-made deficient patients. */
class CompletenessRulesTest {

    private static final FhirContext FHIR = FhirContext.forR4();

    private static List<String> rules(Resource r) {
        return CompletenessRules.check(r).stream().map(ValidationIssue::rule).sorted().toList();
    }

    @Test
    void everySyntheaPatientBundleIsComplete() throws Exception {
        List<Path> bundles = SharedData.syntheaPatientBundles();
        assertEquals(5, bundles.size());
        for (Path p : bundles) {
            Bundle b = FHIR.newJsonParser().parseResource(Bundle.class, Files.readString(p));
            assertEquals(List.of(), rules(b), p.getFileName().toString());
        }
    }

    @Test
    void patientMissingEverythingGetsOneIssuePerRule() {
        assertEquals(List.of("patient-birthdate", "patient-gender", "patient-identifier", "patient-name"),
                rules(new Patient()));
    }

    @Test
    void identifierNeedsSystemAndValueAndNameNeedsAPart() {
        Patient p = new Patient();
        p.addIdentifier().setValue("123");
        p.addName().setText("only text");
        p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.UNKNOWN);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1990"));
        assertEquals(List.of("patient-identifier", "patient-name"), rules(p));
        p.getIdentifierFirstRep().setSystem("urn:x");
        p.getNameFirstRep().addGiven("Sam");
        assertEquals(List.of(), rules(p));
    }

    @Test
    void submissionsWithoutOrWithSeveralPatientsAreRefused() {
        assertEquals(List.of("patient-present"), rules(new Observation()));
        Bundle b = new Bundle();
        b.addEntry().setResource(new Observation());
        assertEquals(List.of("patient-present"), rules(b));
        Patient complete = FHIR.newJsonParser().parseResource(Patient.class,
                new String(SharedData.fixture("patient-complete.json")));
        b.addEntry().setResource(complete);
        b.addEntry().setResource(complete.copy());
        assertEquals(List.of("single-patient"), rules(b));
    }

    @Test
    void issuesPointAtTheElementAndCarryNoPatientData() {
        Bundle b = new Bundle();
        b.addEntry().setResource(new Observation());
        Patient p = new Patient();
        p.addName().setFamily("Secretname");
        b.addEntry().setResource(p);
        List<ValidationIssue> issues = CompletenessRules.check(b);
        assertTrue(issues.stream().anyMatch(i -> "Bundle.entry[1].resource.birthDate".equals(i.expression())));
        assertTrue(issues.stream().allMatch(ValidationIssue::blocking));
        assertTrue(issues.stream().noneMatch(i -> i.message().contains("Secretname")));
    }
}
