package org.recordline.validation.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recordline.events.ValidationIssue;
import org.recordline.testsupport.SharedData;
import org.recordline.validation.conformance.fast.FastConformance;
import org.recordline.validation.rules.RuleEngine;
import org.recordline.validation.rules.RulePack;
import org.recordline.validation.rules.RulePacks;

/** The whole review, every layer on, on real Synthea bundles and on hand-made deficient records. */
class ReviewTest {

    private static final FhirContext FHIR = FhirContext.forR4();
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static Review review;
    private static RulePack core;

    @BeforeAll
    static void setUp() {
        DefaultProfileValidationSupport support = new DefaultProfileValidationSupport(FHIR);
        RuleEngine engine = new RuleEngine(FHIR, support);
        core = RulePack.parse(RulePacks.builtIn());
        engine.compile(core, List.of());
        review = new Review(FHIR, FastConformance.compile(support), engine);
    }

    private static Review.Outcome review(Resource r) {
        return review.review("ehr-test", FHIR.newJsonParser().encodeResourceToString(r), List.of(core), NOW);
    }

    private static List<String> blockingRules(Resource r) {
        return review(r).blocking().stream().map(ValidationIssue::rule).sorted().distinct().toList();
    }

    @Test
    void everySyntheaPatientBundlePassesWithFullCompleteness() throws Exception {
        List<Path> bundles = SharedData.syntheaPatientBundles();
        assertEquals(5, bundles.size());
        for (Path p : bundles) {
            Review.Outcome o = review.review("ehr-test", Files.readString(p), List.of(core), NOW);
            assertEquals(List.of(), o.blocking(), p.getFileName().toString());
            assertEquals(1.0, o.completeness(), p.getFileName().toString());
        }
    }

    @Test
    void aLayerLeftOutIsNotLookedForAndFilingAlwaysRuns() {
        DefaultProfileValidationSupport support = new DefaultProfileValidationSupport(FHIR);
        RuleEngine engine = new RuleEngine(FHIR, support);
        engine.compile(core, List.of());
        String odd = "{\"resourceType\":\"Patient\",\"gender\":\"female\",\"favouriteColour\":\"blue\"}";
        Review filingOnly = new Review(FHIR, null, engine, null, java.util.EnumSet.noneOf(Review.Layer.class));
        Review.Outcome none = filingOnly.review("ehr-test", odd, List.of(core), NOW);
        assertEquals(List.of(), none.issues());
        assertEquals(1.0, none.completeness());
        assertEquals(List.of("patient-present"), filingOnly.review("ehr-test",
                "{\"resourceType\":\"Observation\",\"status\":\"final\"}", List.of(core), NOW).blocking().stream()
                .map(ValidationIssue::rule).toList());
        Review conformanceOnly = new Review(FHIR, FastConformance.compile(support), engine, null,
                java.util.EnumSet.of(Review.Layer.CONFORMANCE));
        List<String> rules = conformanceOnly.review("ehr-test", odd, List.of(core), NOW).blocking().stream()
                .map(ValidationIssue::rule).toList();
        assertFalse(rules.isEmpty());
        assertTrue(rules.stream().allMatch(r -> r.startsWith("fhir-")), rules.toString());
        assertTrue(review.review("ehr-test", odd, List.of(core), NOW).blocking().stream()
                .anyMatch(i -> "patient-birthdate".equals(i.rule())), "all layers: the rules too");
    }

    private static Patient completePatient() {
        Patient p = new Patient();
        p.addIdentifier().setSystem("urn:oid:1.2.3").setValue("MRN-1");
        p.addName().setFamily("Kim");
        p.setGender(AdministrativeGender.FEMALE);
        p.setBirthDateElement(new DateType("1980-04-12"));
        return p;
    }

    @Test
    void aBatchSaysWhichEntriesHoldItBackAndATransactionFailsAsAWhole() {
        String batch = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
                + "{\"fullUrl\":\"urn:uuid:6f1e8d2a-0000-4000-8000-000000000001\",\"resource\":"
                + FHIR.newJsonParser().encodeResourceToString(completePatient())
                + ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}},"
                + "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"a\"}},"
                + "\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}},"
                + "{\"resource\":{\"resourceType\":\"Observation\",\"code\":{\"text\":\"b\"}},"
                + "\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";
        Review.Outcome o = review.review("ehr-test", batch, List.of(core), NOW);
        assertFalse(o.passed());
        assertEquals(List.of(2), o.heldEntries(), o.blocking().toString());
        Review.Outcome t = review.review("ehr-test", batch.replace("\"batch\"", "\"transaction\""), List.of(core),
                NOW);
        assertFalse(t.passed());
        assertEquals(List.of(), t.heldEntries());
    }

    @Test
    void patientMissingEverythingGetsOneFindingPerRuleAndNamesThePackVersion() {
        Review.Outcome o = review(new Patient());
        assertEquals(List.of("patient-birthdate", "patient-gender", "patient-identifier", "patient-name"),
                o.blocking().stream().map(ValidationIssue::rule).sorted().toList());
        assertTrue(o.blocking().stream().allMatch(i -> core.label().equals(i.pack())), o.blocking().toString());
        assertEquals(0.2, o.completeness(), 1e-9); // of 5 rules that apply, only not-in-future is met
        assertFalse(o.passed());
    }

    @Test
    void identifierNeedsSystemAndValueAndNameNeedsAFamily() {
        Patient p = new Patient();
        p.addIdentifier().setValue("123");
        p.addName().addGiven("Sam");
        p.setGender(AdministrativeGender.UNKNOWN);
        p.setBirthDateElement(new DateType("1990"));
        assertEquals(List.of("patient-identifier", "patient-name"), blockingRules(p));
        assertEquals(0.6, review(p).completeness(), 1e-9); // 4 patient rules + not-in-future; mrn n/a
        p.getIdentifierFirstRep().setSystem("urn:x");
        p.getNameFirstRep().setFamily("Kim");
        assertEquals(List.of(), blockingRules(p));
        assertEquals(1.0, review(p).completeness());
    }

    @Test
    void submissionsWithoutOrWithSeveralPatientsAreRefused() {
        assertTrue(blockingRules(new Observation()).contains("patient-present"));
        Bundle b = new Bundle().setType(Bundle.BundleType.COLLECTION);
        Patient complete = FHIR.newJsonParser().parseResource(Patient.class,
                new String(SharedData.fixture("patient-complete.json")));
        b.addEntry().setFullUrl("urn:uuid:7f1c4e9a-1111-4a0b-9c1e-000000000001").setResource(complete);
        b.addEntry().setFullUrl("urn:uuid:7f1c4e9a-1111-4a0b-9c1e-000000000002").setResource(complete.copy());
        assertEquals(List.of("single-patient"), blockingRules(b));
    }

    @Test
    void findingsPointAtTheElementAndCarryNoPatientData() {
        Bundle b = new Bundle().setType(Bundle.BundleType.COLLECTION);
        Patient p = new Patient();
        p.addName().setFamily("Secretname");
        b.addEntry().setFullUrl("urn:uuid:7f1c4e9a-1111-4a0b-9c1e-000000000003").setResource(p);
        List<ValidationIssue> issues = review(b).issues();
        assertTrue(issues.stream().anyMatch(i -> "Bundle.entry[0].resource.birthDate".equals(i.expression())),
                issues.toString());
        assertTrue(issues.stream().noneMatch(i -> i.message().contains("Secretname")));
    }

    @Test
    void aBirthDateInTheFutureIsAnErrorAndAnImpossibleDateToo() {
        Patient p = FHIR.newJsonParser().parseResource(Patient.class,
                new String(SharedData.fixture("patient-complete.json")));
        p.setBirthDateElement(new DateType("2030-01-01"));
        assertEquals(List.of("not-in-future"), blockingRules(p));
        String impossible = FHIR.newJsonParser().encodeResourceToString(p.setBirthDateElement(new DateType("1990")))
                .replace("\"birthDate\":\"1990\"", "\"birthDate\":\"1990-02-30\"");
        List<ValidationIssue> found = review.review("ehr-test", impossible, List.of(core), NOW).blocking();
        assertTrue(found.stream().anyMatch(i -> i.rule().equals("date-calendar")
                && "Patient.birthDate".equals(i.expression())), found.toString());
    }

    @Test
    void aWrongLoincCheckDigitIsAWarningUnderTheCorePack() {
        Patient p = FHIR.newJsonParser().parseResource(Patient.class,
                new String(SharedData.fixture("patient-complete.json")));
        Bundle b = new Bundle().setType(Bundle.BundleType.COLLECTION);
        b.addEntry().setFullUrl("urn:uuid:7f1c4e9a-1111-4a0b-9c1e-000000000004").setResource(p);
        Observation o = new Observation().setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding().setSystem("http://loinc.org").setCode("2708-5");
        b.addEntry().setFullUrl("urn:uuid:7f1c4e9a-1111-4a0b-9c1e-000000000005").setResource(o);
        Review.Outcome out = review(b);
        assertTrue(out.passed(), out.blocking().toString());
        assertTrue(out.issues().stream().anyMatch(i -> i.rule().equals("code-loinc-check-digit")
                && i.severity().equals("warning") && i.expression().equals("Bundle.entry[1].resource.code.coding[0].code")),
                out.issues().toString());
    }

    @Test
    void unreadableDocumentsAreFatal() {
        Review.Outcome o = review.review("ehr-test", "{\"resourceType\":\"Patient\",", List.of(core), NOW);
        assertEquals("fatal", o.issues().get(0).severity());
        assertEquals("fhir-parse", o.issues().get(0).rule());
    }

    @Test
    void repeatedWarningsAreFoldedAndErrorsKeepEveryLocation() {
        List<ValidationIssue> in = List.of(
                new ValidationIssue("warning", "code-invalid", "code-loinc-check-digit", "Bundle.entry[1].resource.code", "bad"),
                new ValidationIssue("error", "required", "patient-name", "Bundle.entry[0].resource.name", "no name"),
                new ValidationIssue("warning", "code-invalid", "code-loinc-check-digit", "Bundle.entry[2].resource.code", "bad"),
                new ValidationIssue("error", "required", "patient-name", "Bundle.entry[3].resource.name", "no name"),
                new ValidationIssue("warning", "code-invalid", "code-loinc-check-digit", "Bundle.entry[4].resource.code", "bad"));
        List<ValidationIssue> out = Review.condensed(in);
        assertEquals(3, out.size(), out.toString());
        assertEquals("bad (in 3 places; the first is shown)", out.get(0).message());
        assertEquals("Bundle.entry[1].resource.code", out.get(0).expression());
        assertEquals(2, out.stream().filter(ValidationIssue::blocking).count());
        Review.Outcome synthea = review.review("ehr-test", new String(SharedData.read(
                "synthea/bundles/" + SharedData.syntheaPatientBundles().get(0).getFileName())), List.of(core), NOW);
        assertTrue(synthea.issues().size() < 20, synthea.issues().size() + " findings");
    }

    @Test
    void deepOrDuplicatedDocumentsAreFindingsNotFailures() {
        String deep = "{\"resourceType\":\"Patient\",\"extension\":" + "[{\"extension\":".repeat(3000) + "[]"
                + "}]".repeat(3000) + "}";
        Review.Outcome o = review.review("ehr-test", deep, List.of(core), NOW);
        assertFalse(o.passed());
        assertEquals("fatal", o.issues().get(0).severity());
        Review.Outcome dup = review.review("ehr-test", "{\"resourceType\":\"Patient\",\"gender\":\"male\","
                + "\"gender\":\"female\"}", List.of(core), NOW);
        assertFalse(dup.passed());
        assertEquals("fhir-parse", dup.issues().get(0).rule());
    }
}
