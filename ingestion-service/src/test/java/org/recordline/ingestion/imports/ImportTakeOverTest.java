package org.recordline.ingestion.imports;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/**
 * A job left by a stopped instance (its lease ran out) is taken over: one that was handing over submissions goes on
 * and ends DONE with its records on the broker; an upload that was still being read fails, telling the sender to send
 * it again; a job whose lease is fresh is left alone.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class ImportTakeOverTest {

    @Inject
    ImportJobs jobs;

    @Inject
    AgroalDataSource db;

    private void job(String id, String source, String status, Instant updated) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("INSERT INTO import_job (id, source_system,"
                + " job_key, kind, status, lines_read, lines_taken, created_at, updated_at)"
                + " VALUES (?, ?, ?, 'BODY', ?, 2, 2, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, source);
            ps.setString(3, "key-" + id);
            ps.setString(4, status);
            ps.setTimestamp(5, Timestamp.from(updated));
            ps.setTimestamp(6, Timestamp.from(updated));
            ps.executeUpdate();
        }
    }

    private void line(String job, String patient, boolean isPatient, long seq, String json) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement("INSERT INTO import_line (job_id, patient_id,"
                + " is_patient, seq, line_ref, resource_json) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, job);
            ps.setString(2, patient);
            ps.setBoolean(3, isPatient);
            ps.setLong(4, seq);
            ps.setString(5, "body line " + seq);
            ps.setString(6, json);
            ps.executeUpdate();
        }
    }

    @Test
    void aJobWhoseLeaseRanOutIsTakenOverAndOneWithAFreshLeaseIsNot() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String source = "ehr-takeover-" + tag;
        String submitting = UUID.randomUUID().toString();
        String uploading = UUID.randomUUID().toString();
        String fresh = UUID.randomUUID().toString();
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        job(submitting, source, "SUBMITTING", longAgo);
        line(submitting, "to-" + tag, true, 1, "{\"resourceType\":\"Patient\",\"id\":\"to-" + tag + "\"}");
        line(submitting, "to-" + tag, false, 2, "{\"resourceType\":\"Observation\",\"id\":\"o-" + tag
                + "\",\"status\":\"final\",\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":\"Patient/to-" + tag
                + "\"}}");
        job(uploading, source, "STAGING", longAgo);
        job(fresh, source, "SUBMITTING", Instant.now());

        jobs.leases();

        await().atMost(Duration.ofSeconds(60)).until(() -> jobs.find(submitting).orElseThrow().status()
                == ImportJobs.Status.DONE);
        ImportJobs.JobView done = jobs.find(submitting).orElseThrow();
        assertEquals(1, done.submissions());
        assertEquals(1, done.patients());
        List<ConsumerRecord<String, byte[]>> filed = new TopicClient(RecordlineStackResource.broker()
                .bootstrapServers()).find(Topics.INGESTED, r -> (source + "|to-" + tag).equals(r.key()));
        assertEquals(1, filed.size());
        JsonNode fhir = EventCodec.mapper().readTree(filed.get(0).value()).get("fhir");
        assertEquals(2, fhir.get("entry").size());

        ImportJobs.JobView failed = jobs.find(uploading).orElseThrow();
        assertEquals(ImportJobs.Status.FAILED, failed.status());
        assertTrue(failed.detail().contains("send it again"), failed.detail());
        // the job that the lease says is alive elsewhere stays as it is
        assertEquals(ImportJobs.Status.SUBMITTING, jobs.find(fresh).orElseThrow().status());
    }
}
