package org.recordline.validation.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.SharedData;
import org.recordline.validation.rules.RuleEngine;
import org.recordline.validation.rules.RulePack;
import org.recordline.validation.rules.RulePacks;

/** A poll reviewed on several threads gives each submission the outcome it gets alone, in the poll's order. */
class ParallelReviewTest {

    private static final FhirContext FHIR = FhirContext.forR4();
    private static Review review;
    private static RulePack core;

    @BeforeAll
    static void setUp() {
        RuleEngine engine = new RuleEngine(FHIR, new DefaultProfileValidationSupport(FHIR));
        core = RulePack.parse(RulePacks.builtIn());
        engine.compile(core, List.of());
        review = new Review(FHIR, null, engine);
    }

    /** Synthea bundles (which pass) between small Patients that each miss something different. */
    private static List<ParallelReview.Request> poll() throws Exception {
        List<ParallelReview.Request> requests = new ArrayList<>();
        String[] patients = {
            "{\"resourceType\":\"Patient\",\"gender\":\"male\"}",
            "{\"resourceType\":\"Patient\",\"birthDate\":\"1970-01-01\",\"name\":[{\"family\":\"A\"}]}",
            "{\"resourceType\":\"Observation\",\"status\":\"final\"}",
            "not json",
        };
        int k = 0;
        for (Path p : SharedData.syntheaPatientBundles()) {
            requests.add(new ParallelReview.Request("ehr-test", Files.readString(p)));
            requests.add(new ParallelReview.Request("ehr-test", patients[k++ % patients.length]));
            requests.add(new ParallelReview.Request("ehr-test", patients[k++ % patients.length]));
        }
        return requests;
    }

    private static List<List<String>> findings(List<Review.Outcome> outcomes) {
        return outcomes.stream().map(o -> o.issues().stream().map(i -> i.severity() + " " + i.rule() + " "
                + i.expression()).toList()).toList();
    }

    @Test
    void fourThreadsGiveWhatOneThreadGivesInTheSameOrder() throws Exception {
        List<ParallelReview.Request> poll = poll();
        Instant now = Instant.now();
        List<Review.Outcome> alone = poll.stream()
                .map(r -> review.review(r.sourceSystem(), r.document(), List.of(core), now)).toList();
        try (ParallelReview parallel = new ParallelReview(review, 4)) {
            for (int round = 0; round < 3; round++) {
                List<Review.Outcome> together = parallel.reviewAll(poll, List.of(core));
                assertEquals(poll.size(), together.size());
                assertEquals(findings(alone), findings(together));
                for (int i = 0; i < poll.size(); i++) {
                    assertEquals(alone.get(i).passed(), together.get(i).passed(), "submission " + i);
                    assertEquals(alone.get(i).completeness(), together.get(i).completeness(), "submission " + i);
                }
            }
        }
        // the hand-made ones fail for their own reasons, so a mix-up of positions could not go unseen
        assertEquals(List.of("patient-birthdate", "patient-identifier", "patient-name"), alone.get(1).blocking()
                .stream().map(i -> i.rule()).sorted().toList());
    }

    @Test
    void oneThreadReviewsOnTheCallersThreadAndAtLeastOneIsRequired() {
        try (ParallelReview single = new ParallelReview(review, 1)) {
            List<Review.Outcome> out = single.reviewAll(List.of(
                    new ParallelReview.Request("ehr-test", "{\"resourceType\":\"Patient\"}"),
                    new ParallelReview.Request("ehr-test", "[]")), List.of(core));
            assertEquals(2, out.size());
            assertEquals("fhir-parse", out.get(1).blocking().get(0).rule());
        }
        assertThrows(IllegalArgumentException.class, () -> new ParallelReview(review, 0));
    }
}
