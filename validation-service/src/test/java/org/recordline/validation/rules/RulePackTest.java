package org.recordline.validation.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.recordline.events.ValidationIssue;

/** Rule packs: what a pack may say, and what its rules find. */
class RulePackTest {

    private static final FhirContext FHIR = FhirContext.forR4();
    private static final RuleEngine ENGINE = new RuleEngine(FHIR);
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void theBuiltInPackParsesAndCompiles() {
        RulePack core = RulePack.parse(RulePacks.builtIn());
        ENGINE.compile(core, List.of());
        assertEquals("recordline-core", core.pack());
        assertTrue(core.rules().size() >= 12);
    }

    @Test
    void everyProblemOfABrokenPackIsReportedAtOnce() {
        RulePackException e = assertThrows(RulePackException.class, () -> RulePack.parse("""
                pack: Bad Id
                rules:
                  - id: a
                    resourceType: Patient
                    severity: fatal
                    message: m
                  - id: a
                    kind: within-days
                    resourceType: patient
                    severity: error
                """));
        assertEquals(9, e.problems().size(), e.problems().toString());
        assertTrue(e.getMessage().contains("version"));
    }

    @Test
    void unknownKeysAndBadExpressionsAreRefused() {
        assertThrows(RulePackException.class, () -> RulePack.parse("pack: p\nversion: '1'\nrulez: []\n"));
        RulePack p = RulePack.parse("""
                pack: p
                version: "1"
                rules:
                  - id: r
                    resourceType: Patient
                    severity: error
                    require: name.where(
                    message: m
                """);
        RulePackException e = assertThrows(RulePackException.class, () -> ENGINE.compile(p, List.of()));
        assertTrue(e.getMessage().contains("rule r"), e.getMessage());
    }

    @Test
    void theAssigningAuthorityComesFromTheSourceSettings() {
        RulePack p = RulePack.parse("""
                pack: mrn
                version: "2"
                sources:
                  ehr-north: {assigningAuthority: "urn:oid:1.2.3"}
                rules:
                  - id: patient-mrn
                    resourceType: Patient
                    severity: error
                    where: "%assigningAuthority.exists()"
                    require: identifier.where(system = %assigningAuthority and value.exists()).exists()
                    location: identifier
                    message: no MRN from the source's authority
                """);
        ENGINE.compile(p, List.of("ehr-north"));
        Patient patient = new Patient();
        patient.addIdentifier().setSystem("urn:oid:9.9").setValue("1");
        List<ValidationIssue> north = ENGINE.apply(p, "ehr-north", patient, NOW).issues();
        assertEquals(1, north.size());
        assertEquals("mrn@2", north.get(0).pack());
        assertEquals("Patient.identifier", north.get(0).expression());
        RuleEngine.Result other = ENGINE.apply(p, "ehr-south", patient, NOW);
        assertEquals(List.of(), other.issues());
        assertEquals(0, other.applicable()); // no authority known for ehr-south: the rule does not apply
        patient.addIdentifier().setSystem("urn:oid:1.2.3").setValue("42");
        assertEquals(List.of(), ENGINE.apply(p, "ehr-north", patient, NOW).issues());
    }

    @Test
    void aDischargeSummaryMustFollowItsEncounterWithinTheDays() {
        RulePack core = RulePack.parse(RulePacks.builtIn());
        Bundle b = new Bundle();
        Encounter enc = new Encounter();
        enc.setPeriod(new Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2026-01-01T08:00:00Z"))
                .setEndElement(new org.hl7.fhir.r4.model.DateTimeType("2026-01-03T08:00:00Z")));
        b.addEntry().setFullUrl("urn:uuid:00000000-0000-4000-8000-000000000001").setResource(enc);
        DocumentReference doc = new DocumentReference();
        doc.getType().addCoding().setSystem("http://loinc.org").setCode("18842-5");
        doc.getContext().addEncounter(new Reference("urn:uuid:00000000-0000-4000-8000-000000000001"));
        doc.setDateElement(new org.hl7.fhir.r4.model.InstantType("2026-03-01T00:00:00Z"));
        b.addEntry().setFullUrl("urn:uuid:00000000-0000-4000-8000-000000000002").setResource(doc);
        List<ValidationIssue> late = ENGINE.apply(core, "any", b, NOW).issues();
        assertTrue(late.stream().anyMatch(i -> i.rule().equals("discharge-summary-timely")
                && i.expression().equals("Bundle.entry[1].resource.date")), late.toString());
        doc.setDateElement(new org.hl7.fhir.r4.model.InstantType("2026-01-10T00:00:00Z"));
        assertTrue(ENGINE.apply(core, "any", b, NOW).issues().stream()
                .noneMatch(i -> i.rule().equals("discharge-summary-timely")));
    }

    @Test
    void aFinalDocumentNeedsAuthorDateAndAuthenticator() {
        RulePack core = RulePack.parse(RulePacks.builtIn());
        DocumentReference doc = new DocumentReference();
        doc.setDocStatus(DocumentReference.ReferredDocumentStatus.FINAL);
        assertEquals(List.of("final-document-authenticator", "final-document-author", "final-document-date"),
                ENGINE.apply(core, "any", doc, NOW).issues().stream().map(ValidationIssue::rule).sorted().toList());
        doc.setDocStatus(DocumentReference.ReferredDocumentStatus.PRELIMINARY);
        assertEquals(List.of(), ENGINE.apply(core, "any", doc, NOW).issues());
    }

    @Test
    void emptyValuesAndUnknownChecksAreProblemsNotCrashes() {
        for (String bad : List.of(
                "pack: p\nversion: '1'\nsources: {ehr-x: {requireProfiles: {Patient: }}}\nrules: [{id: r, resourceType: Patient, severity: error, require: 'true', message: m}]\n",
                "pack: p\nversion: '1'\nsources: {ehr-x: {requireProfiles: {Patient: [~]}}}\nrules: [{id: r, resourceType: Patient, severity: error, require: 'true', message: m}]\n",
                "pack: p\nversion: '1'\ncodeChecks: {code-loinc-check-digit: }\nrules: [{id: r, resourceType: Patient, severity: error, require: 'true', message: m}]\n",
                "pack: p\nversion: '1'\ncodeChecks: {code-made-up: error}\nrules: [{id: r, resourceType: Patient, severity: error, require: 'true', message: m}]\n",
                "pack: p\nversion: '1'\nrules: [~]\n",
                "pack: p\nversion: '1'\nrules: [{id: r, kind: not-in-future, resourceType: '*', severity: error, dates: [~], message: m}]\n",
                "[1, 2]\n", "pack: [\n")) {
            RulePackException e = assertThrows(RulePackException.class, () -> RulePack.parse(bad), bad);
            assertTrue(!e.problems().isEmpty());
        }
    }
}
