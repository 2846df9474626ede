package org.recordline.ingestion.domain;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;

/**
 * A submission's view is one snapshot: while its progress is applied, every {@code GET /submissions/{id}} shows a
 * status that its own steps agree with. Readers hammer the view while the real {@link ProgressTracker} moves each
 * submission from RECEIVED through VALIDATED to INDEXED; a view read in two statements shows the contradiction
 * within a few submissions.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class SubmissionViewConsistencyTest {

    private static final Map<String, Integer> RANK = Map.of("RECEIVED", 0, "VALIDATED", 1, "QUARANTINED", 1,
            "INDEXED", 2);

    /** Concurrent readers per submission: each commit of a status change lands inside some read. */
    private static final int READERS = 4;

    @Inject
    ProgressTracker tracker;

    @Test
    void statusAndStepsNeverContradictEachOtherWhileASubmissionMoves() throws Exception {
        String publisher = RecordlineStackResource.tokens().token("ehr-snapshot", "ehr-publisher");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // a key each: the same document again without one would be a resend of the first
            ids.add(given().auth().oauth2(publisher).contentType("application/fhir+json")
                    .header("Idempotency-Key", java.util.UUID.randomUUID().toString())
                    .body(SharedData.fixture("patient-complete.json")).when().post("/fhir")
                    .then().statusCode(202).extract().path("submissionId"));
        }
        ConcurrentLinkedQueue<String> contradictions = new ConcurrentLinkedQueue<>();
        AtomicInteger reads = new AtomicInteger();
        for (String id : ids) {
            AtomicBoolean moving = new AtomicBoolean(true);
            Runnable read = () -> {
                while (moving.get()) {
                    JsonPath view = given().auth().oauth2(publisher).when().get("/submissions/" + id)
                            .then().statusCode(200).extract().jsonPath();
                    reads.incrementAndGet();
                    String problem = contradiction(view);
                    if (problem != null) {
                        contradictions.add(id + ": " + problem);
                    }
                }
            };
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                Thread t = new Thread(read, "view-reader-" + r);
                t.start();
                readers.add(t);
            }
            int before = reads.get();
            while (reads.get() < before + 2 * READERS) {
                Thread.onSpinWait();
            }
            tracker.apply(UUID.randomUUID().toString(), id, SubmissionStatus.VALIDATED, Instant.now(), null, null,
                    "warnings=0");
            before = reads.get();
            while (reads.get() < before + 2 * READERS) {
                Thread.onSpinWait();
            }
            tracker.apply(UUID.randomUUID().toString(), id, SubmissionStatus.INDEXED, Instant.now(),
                    "person-" + id.substring(0, 8), null, "PERSON_CREATED resources=1");
            before = reads.get();
            while (reads.get() < before + 2 * READERS) {
                Thread.onSpinWait();
            }
            moving.set(false);
            for (Thread t : readers) {
                t.join();
            }
        }
        assertTrue(contradictions.isEmpty(), () -> contradictions.size() + " contradictory views in " + reads.get()
                + " reads, e.g. " + contradictions.peek());
        JsonPath last = given().auth().oauth2(publisher).when().get("/submissions/" + ids.get(ids.size() - 1))
                .then().extract().jsonPath();
        assertEquals("INDEXED", last.getString("status"));
        assertEquals(List.of("RECEIVED", "VALIDATED", "INDEXED"), last.getList("steps.status"));
    }

    /** Why a view contradicts itself, or null. */
    private static String contradiction(JsonPath view) {
        String status = view.getString("status");
        List<String> steps = view.getList("steps.status");
        int highest = steps.stream().mapToInt(RANK::get).max().orElse(-1);
        if (highest != RANK.get(status)) {
            return "status " + status + " with steps " + steps;
        }
        boolean indexed = steps.contains("INDEXED");
        if (indexed != (view.getString("enterprisePersonId") != null)) {
            return "steps " + steps + " with enterprisePersonId " + view.getString("enterprisePersonId");
        }
        return null;
    }
}
