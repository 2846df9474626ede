package org.recordline.validation.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.recordline.testsupport.SharedData;
import org.recordline.validation.conformance.FullConformance;
import org.recordline.validation.conformance.fast.FastConformance;
import org.recordline.validation.review.Review;
import org.recordline.validation.rules.RuleEngine;
import org.recordline.validation.rules.RulePack;
import org.recordline.validation.rules.RulePacks;

/**
 * Resources validated per second on one thread, on the resources of the Synthea bundles: the fast conformance path
 * alone, the whole review (parse, filing, fast path, code checks, the built-in rule pack), and HAPI's full validator.
 * A benchmark, not a test: it asserts nothing about time and runs only when asked:
 * {@code mvn -pl validation-service test -Dtest=ValidationSpeedBenchmark -Drecordline.benchmark=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "recordline.benchmark", matches = "true")
class ValidationSpeedBenchmark {

    private static final FhirContext FHIR = FhirContext.forR4();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void resourcesPerSecondOnOneThread() throws Exception {
        List<String> bundles = new ArrayList<>();
        for (Path p : SharedData.syntheaPatientBundles()) {
            bundles.add(Files.readString(p));
        }
        List<JsonNode> trees = new ArrayList<>();
        List<Resource> resources = new ArrayList<>();
        for (String b : bundles) {
            for (JsonNode e : JSON.readTree(b).get("entry")) {
                trees.add(e.get("resource"));
            }
            for (Bundle.BundleEntryComponent e : FHIR.newJsonParser().parseResource(Bundle.class, b).getEntry()) {
                resources.add(e.getResource());
            }
        }
        DefaultProfileValidationSupport core = new DefaultProfileValidationSupport(FHIR);
        long t0 = System.nanoTime();
        FastConformance fast = FastConformance.compile(core);
        long compileMs = (System.nanoTime() - t0) / 1_000_000;
        RuleEngine engine = new RuleEngine(FHIR, core);
        RulePack pack = RulePack.parse(RulePacks.builtIn());
        engine.compile(pack, List.of());
        Review review = new Review(FHIR, fast, engine);

        double fastRate = rate(trees.size(), 5, () -> trees.forEach(fast::validate));
        double reviewRate = rate(trees.size(), 3,
                () -> bundles.forEach(b -> review.review("bench", b, List.of(pack), Instant.now())));
        FullConformance full = FullConformance.base(FHIR);
        List<Resource> sample = resources.subList(0, Math.min(300, resources.size()));
        for (int i = 0; i < 30; i++) {
            full.validate(sample.get(i));
        }
        double fullRate = rate(sample.size(), 1, () -> sample.forEach(full::validate));
        System.out.println(String.format(Locale.ROOT, "fast conformance compile: %d ms", compileMs));
        System.out.println(String.format(Locale.ROOT, "fast conformance: %.0f resources/s on one thread (%d resources)",
                fastRate, trees.size()));
        System.out.println(String.format(Locale.ROOT, "whole review of each bundle (parse + every layer): %.0f "
                + "resources/s on one thread", reviewRate));
        System.out.println(String.format(Locale.ROOT, "full validator (HAPI FhirInstanceValidator): %.1f resources/s "
                + "on one thread (%d resources)", fullRate, sample.size()));
    }

    /** Resources per second of {@code round} after two warm-up rounds, over {@code rounds} timed rounds. */
    private static double rate(int perRound, int rounds, Runnable round) {
        round.run();
        round.run();
        long t = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        return perRound * (double) rounds / ((System.nanoTime() - t) / 1e9);
    }
}
