package org.recordline.validation.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recordline.events.ValidationIssue;
import org.recordline.testsupport.SharedData;
import org.recordline.validation.conformance.fast.FastConformance;

/**
 * Agreement with the reference FHIR validator on valid (no errors) versus invalid, over the cases a
 * {@code fhir-validator-r4/manifest.json} lists under {@code -Drecordline.shared-data}. The reference ran with an
 * online terminology server; these paths run offline. Prints one line per path, e.g.
 * {@code validator agreement full: 0.902 (175/194)}, and fails below floors set from measured results.
 */
class ValidatorAgreementTest {

    /**
     * Floors, set a little under what the paths measured on the shared cases (docs/benchmarks.md): full 0.903,
     * fast 0.677, fast and full with each other 0.763.
     */
    private static final double FULL_FLOOR = 0.85;
    private static final double FAST_FLOOR = 0.60;
    private static final double BETWEEN_FLOOR = 0.70;

    private static final FhirContext FHIR = FhirContext.forR4();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static List<ValidatorCases.Case> cases;
    private static DefaultProfileValidationSupport core;

    @BeforeAll
    static void read() {
        Path manifest = SharedData.root().resolve("fhir-validator-r4").resolve("manifest.json");
        assertTrue(Files.isRegularFile(manifest), "no manifest at " + manifest);
        cases = ValidatorCases.read(manifest, FHIR);
        assertTrue(cases.size() >= 10, "the manifest lists too few usable cases: " + cases.size());
        core = new DefaultProfileValidationSupport(FHIR);
    }

    @Test
    void fullAndFastPathsAgainstTheReferenceAndEachOther() {
        FullConformance base = FullConformance.withResources(core, List.of());
        FastConformance fast = FastConformance.compile(core);
        int full = 0;
        int quick = 0;
        int between = 0;
        for (ValidatorCases.Case c : cases) {
            FullConformance v = c.supporting().isEmpty() ? base : FullConformance.withResources(core, c.supporting());
            boolean fullValid = c.utf8() && v.validate(c.document()).stream().noneMatch(ValidationIssue::blocking);
            JsonNode tree = c.utf8() ? readable(c) : null;
            boolean fastValid = tree != null && fast.validate(tree).stream().noneMatch(ValidationIssue::blocking);
            full += fullValid == c.expectedValid() ? 1 : 0;
            quick += fastValid == c.expectedValid() ? 1 : 0;
            between += fullValid == fastValid ? 1 : 0;
        }
        report("full", full);
        report("fast", quick);
        report("fast-vs-full", between);
        assertTrue((double) full / cases.size() >= FULL_FLOOR, "full path agreement under its floor " + FULL_FLOOR);
        assertTrue((double) quick / cases.size() >= FAST_FLOOR, "fast path agreement under its floor " + FAST_FLOOR);
        assertTrue((double) between / cases.size() >= BETWEEN_FLOOR,
                "fast and full paths agree less often than their floor " + BETWEEN_FLOOR);
    }

    /** The case as a JSON tree: JSON as it is, XML through HAPI's parser (as the ingestion edge will convert it). */
    private static JsonNode readable(ValidatorCases.Case c) {
        try {
            if (!c.xml()) {
                return JSON.readTree(c.document());
            }
            IBaseResource r = FHIR.newXmlParser().parseResource(c.document());
            return JSON.readTree(FHIR.newJsonParser().encodeResourceToString(r));
        } catch (Exception e) {
            return null; // unreadable: invalid
        }
    }

    private static void report(String path, int agree) {
        System.out.println(String.format(Locale.ROOT, "validator agreement %s: %.3f (%d/%d)", path,
                (double) agree / cases.size(), agree, cases.size()));
    }
}
