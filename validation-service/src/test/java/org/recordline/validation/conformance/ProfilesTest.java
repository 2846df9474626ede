package org.recordline.validation.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recordline.events.ValidationIssue;
import org.recordline.testsupport.SharedData;
import org.recordline.validation.review.Review;
import org.recordline.validation.rules.RuleEngine;
import org.recordline.validation.rules.RulePack;
import org.recordline.validation.rules.RulePacks;

/** The profile layer: profiles from a folder or an NPM package, applied when claimed or required by a feed. */
class ProfilesTest {

    private static final FhirContext FHIR = FhirContext.forR4();
    private static final String URL = "http://example.org/fhir/StructureDefinition/recordline-test-patient";
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static DefaultProfileValidationSupport core;
    private static String profileJson;

    @BeforeAll
    static void setUp() throws Exception {
        core = new DefaultProfileValidationSupport(FHIR);
        try (var in = ProfilesTest.class.getResourceAsStream("/profiles/recordline-test-patient.json")) {
            profileJson = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String patient(boolean claims) {
        String p = new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8);
        return claims ? p.replaceFirst("\\{", "{\"meta\":{\"profile\":[\"" + URL + "|1.0.0\"]},") : p;
    }

    private static List<String> rules(Review.Outcome o) {
        return o.issues().stream().filter(ValidationIssue::blocking).map(ValidationIssue::rule).toList();
    }

    @Test
    void aPackageAndAFileInTheFolderAreLoaded(@TempDir Path dir) throws Exception {
        try (OutputStream out = Files.newOutputStream(dir.resolve("test.ig.tgz"));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            for (String[] e : new String[][] {{"package/package.json", "{\"name\":\"test.ig\"}"},
                    {"package/StructureDefinition-recordline-test-patient.json", profileJson},
                    {"package/example/Patient-example.json", "{\"resourceType\":\"Patient\"}"},
                    {"other/StructureDefinition-x.json", profileJson.replace("recordline-test-patient", "x")}}) {
                byte[] bytes = e[1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(e[0]);
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        Files.writeString(dir.resolve("notes.txt"), "not a resource");
        Files.writeString(dir.resolve("broken.json"), "{\"resourceType\":");
        Profiles p = Profiles.load(core, dir);
        assertEquals(java.util.Set.of(URL), p.profileUrls(), "only package/ entries, no examples, no other folders");
        assertTrue(p.knows(URL + "|1.0.0"));
    }

    @Test
    void aResourceThatClaimsTheProfileIsCheckedAgainstIt() {
        Profiles p = Profiles.of(core, List.of(FHIR.newJsonParser().parseResource(profileJson)));
        RuleEngine engine = new RuleEngine(FHIR, core);
        RulePack pack = RulePack.parse(RulePacks.builtIn());
        Review review = new Review(FHIR, null, engine, p);
        Review.Outcome claimed = review.review("ehr-any", patient(true), List.of(pack), NOW);
        assertTrue(rules(claimed).stream().anyMatch(r -> r.startsWith(Profiles.RULE_PREFIX)), claimed.issues().toString());
        assertTrue(claimed.blocking().stream().anyMatch(i -> i.expression() != null
                && i.message().contains("telecom")), claimed.blocking().toString());
        assertEquals(List.of(), rules(review.review("ehr-any", patient(false), List.of(pack), NOW)));

        // a feed may require the profile of every Patient it sends, claimed or not
        RulePack strict = RulePack.parse("""
                pack: strict-feed
                version: "1"
                sources:
                  ehr-strict:
                    requireProfiles: {Patient: ["%s"]}
                rules:
                  - id: always
                    resourceType: Patient
                    severity: warning
                    require: "true"
                    message: never
                """.formatted(URL));
        assertTrue(rules(review.review("ehr-strict", patient(false), List.of(pack, strict), NOW)).stream()
                .anyMatch(r -> r.startsWith(Profiles.RULE_PREFIX)));
        assertEquals(List.of(), rules(review.review("ehr-other", patient(false), List.of(pack, strict), NOW)));
    }

    @Test
    void aProfileThatIsNotLoadedIsNotAReasonToQuarantine() {
        RuleEngine engine = new RuleEngine(FHIR, core);
        RulePack pack = RulePack.parse(RulePacks.builtIn());
        Review.Outcome o = new Review(FHIR, null, engine, null).review("ehr-any", patient(true), List.of(pack), NOW);
        assertEquals(List.of(), rules(o));
        assertTrue(o.issues().stream().anyMatch(i -> i.rule().equals("profile-not-loaded")
                && i.severity().equals("information")), o.issues().toString());
    }
}
