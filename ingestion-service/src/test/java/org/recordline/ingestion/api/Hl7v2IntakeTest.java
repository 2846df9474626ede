package org.recordline.ingestion.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.ingestion.mllp.MllpFrames;
import org.recordline.ingestion.mllp.MllpListener;
import org.recordline.testsupport.AuditCoverage;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/** HL7 v2 over HTTP ({@code POST /hl7v2}) and MLLP against the real broker and database. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class Hl7v2IntakeTest {

    private static final String ER7 = Hl7v2Resource.ER7;

    @Inject
    MllpListener mllp;

    private static String publisher(String name) {
        return RecordlineStackResource.tokens().token(name, "ehr-publisher");
    }

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    /** An A04 about a patient of its own, from {@code facility}, with control id {@code control}. */
    private static String admission(String facility, String control, String mrn) {
        return "MSH|^~\\&|TESTAPP|" + facility + "|RECORDLINE|RL|20240101120000+0000||ADT^A04^ADT_A01|" + control
                + "|P|2.5.1\rEVN|A04|20240101120000\rPID|1||" + mrn + "^^^HOSP^MR||Tester^Hanna||19800102|F|||"
                + "1 Main St^^Springfield^IL^62701^US\rPV1|1|O\r";
    }

    private static ExtractableResponse<Response> post(String token, String body) {
        return given().auth().oauth2(token).contentType(ER7).body(body.getBytes(StandardCharsets.UTF_8))
                .when().post("/hl7v2").then().extract();
    }

    private static String submissionOf(ExtractableResponse<Response> r) {
        String location = r.header("Location");
        assertNotNull(location, "an accepted message names its submission");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private static String segment(String ack, String name) {
        for (String s : ack.split("\r")) {
            if (s.startsWith(name + "|")) {
                return s;
            }
        }
        return null;
    }

    @Test
    void anAdmissionIsAcknowledgedOnlyOnceOnTheBrokerAndAResendCreatesNothingNew() throws Exception {
        String control = "C" + UUID.randomUUID().toString().substring(0, 12);
        String mrn = "M" + UUID.randomUUID().toString().substring(0, 8);
        String correlation = "hl7-" + UUID.randomUUID();
        var first = given().auth().oauth2(publisher("ehr-west")).header("X-Correlation-Id", correlation)
                .contentType(ER7).body(admission("WEST", control, mrn).getBytes(StandardCharsets.UTF_8))
                .when().post("/hl7v2").then().extract();
        assertEquals(200, first.statusCode(), first.asString());
        assertTrue(first.contentType().startsWith(ER7));
        assertEquals("MSA|AA|" + control, segment(first.asString(), "MSA"));
        String id = submissionOf(first);
        assertEquals("false", first.header(Hl7v2Resource.REPLAY_HEADER));

        // AA means on the broker: the record is there without waiting
        List<ConsumerRecord<String, byte[]>> records = topics().ofSubmission(Topics.INGESTED, id);
        assertEquals(1, records.size());
        assertEquals("ehr-west|" + mrn, records.get(0).key());
        JsonNode fhir = EventCodec.mapper().readTree(records.get(0).value()).get("fhir");
        assertEquals("Bundle", fhir.get("resourceType").asText());
        assertEquals("Patient", fhir.at("/entry/0/resource/resourceType").asText());
        assertEquals(mrn, fhir.at("/entry/0/resource/identifier/0/value").asText());
        assertEquals("Encounter", fhir.at("/entry/1/resource/resourceType").asText());

        JsonNode received = AuditCoverage.awaitEvent(topics(), correlation, "submission.received");
        assertEquals("ehr-west", received.path("actor").asText());
        assertEquals(id, received.path("submissionId").asText());

        var again = post(publisher("ehr-west"), admission("WEST", control, mrn));
        assertEquals(200, again.statusCode());
        assertEquals("MSA|AA|" + control, segment(again.asString(), "MSA"));
        assertEquals(id, submissionOf(again), "the resend names the original submission");
        assertEquals("true", again.header(Hl7v2Resource.REPLAY_HEADER));
        // a later message is on the same partition (same patient key); once it is there, so would a duplicate be
        var later = post(publisher("ehr-west"), admission("WEST", control + "L", mrn));
        String laterId = submissionOf(later);
        List<ConsumerRecord<String, byte[]>> all = topics().find(Topics.INGESTED,
                r -> ("ehr-west|" + mrn).equals(r.key()));
        assertEquals(2, all.size(), "one record for the message and its resend, one for the later message");
        assertEquals(laterId, TopicClient.header(all.get(1), "ce_subject"));
    }

    @Test
    void refusedMessagesAreAnsweredWithTheirReasonInTheAcknowledgementAndAudited() {
        String token = publisher("ehr-west");
        var oru = post(token, new String(SharedData.read("hl7v2/messages/ORU-R01-01.hl7"), StandardCharsets.UTF_8));
        assertEquals(400, oru.statusCode());
        assertTrue(segment(oru.asString(), "MSA").startsWith("MSA|AR|"), oru.asString());
        assertTrue(segment(oru.asString(), "ERR").contains("200^"), "unsupported message type: " + oru.asString());
        assertNull(oru.header("Location"));

        String correlation = "hl7-bad-" + UUID.randomUUID();
        var bad = given().auth().oauth2(token).header("X-Correlation-Id", correlation).contentType(ER7)
                .body(admission("WEST", "BADDATE", "M1").replace("19800102", "19801399")
                        .getBytes(StandardCharsets.UTF_8)).when().post("/hl7v2").then().extract();
        assertEquals(400, bad.statusCode());
        assertEquals("MSA|AE|BADDATE", segment(bad.asString(), "MSA"));
        assertTrue(segment(bad.asString(), "ERR").contains("PID^1^7"), bad.asString());
        JsonNode rejected = AuditCoverage.awaitEvent(topics(), correlation, "submission.rejected");
        assertEquals("failure", rejected.path("outcome").asText());
        assertEquals("hl7v2 AE 102", rejected.path("detail").asText());

        var garbage = post(token, "this is not HL7");
        assertEquals(400, garbage.statusCode());
        assertTrue(segment(garbage.asString(), "MSA").startsWith("MSA|AR"), garbage.asString());

        byte[] huge = (admission("WEST", "BIG", "M2") + "NTE|1||" + "x".repeat(1_100_000) + "\r")
                .getBytes(StandardCharsets.UTF_8);
        var tooLarge = given().auth().oauth2(token).contentType(ER7).body(huge).when().post("/hl7v2").then()
                .extract();
        assertEquals(413, tooLarge.statusCode());
    }

    @Test
    void aControlIdReusedForAnotherMessageIsRefusedAsADuplicateKey() {
        String control = "D" + UUID.randomUUID().toString().substring(0, 12);
        var first = post(publisher("ehr-west"), admission("WEST", control, "P1" + control));
        assertEquals(200, first.statusCode());
        var other = post(publisher("ehr-west"), admission("WEST", control, "P2" + control));
        assertEquals(409, other.statusCode());
        assertEquals("MSA|AR|" + control, segment(other.asString(), "MSA"));
        assertTrue(segment(other.asString(), "ERR").contains("205^"), other.asString());
    }

    @Test
    void onlyPublishersMaySendOverHttp() {
        given().contentType(ER7).body(admission("WEST", "NOAUTH", "M3").getBytes(StandardCharsets.UTF_8)).when().post("/hl7v2").then()
                .statusCode(401);
        given().auth().oauth2(RecordlineStackResource.tokens().token("terry", "records-technician"))
                .contentType(ER7).body(admission("WEST", "NOROLE", "M3").getBytes(StandardCharsets.UTF_8)).when().post("/hl7v2").then()
                .statusCode(403);
    }

    /** Sends {@code messages} on one MLLP connection and returns the acknowledgements, in order. */
    private List<String> mllp(String... messages) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", mllp.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<String> acks = new java.util.ArrayList<>();
            for (String m : messages) {
                MllpFrames.write(out, m.getBytes(StandardCharsets.UTF_8));
                byte[] ack = MllpFrames.read(in, 1 << 20);
                acks.add(ack == null ? null : new String(ack, StandardCharsets.UTF_8));
            }
            return acks;
        }
    }

    @Test
    void overMllpARegisteredFacilityIsAcknowledgedInOrderAndAResendOnANewConnectionCreatesNothingNew()
            throws Exception {
        assertTrue(mllp.port() > 0, "the listener runs");
        String mrn = "L" + UUID.randomUUID().toString().substring(0, 8);
        String c1 = "M1" + UUID.randomUUID().toString().substring(0, 8);
        String c2 = "M2" + UUID.randomUUID().toString().substring(0, 8);
        List<String> acks = mllp(admission("MLLPTEST", c1, mrn), admission("MLLPTEST", c2, mrn));
        assertEquals("MSA|AA|" + c1, segment(acks.get(0), "MSA"));
        assertEquals("MSA|AA|" + c2, segment(acks.get(1), "MSA"));
        String key = "ehr-mllp|" + mrn;
        List<ConsumerRecord<String, byte[]>> first = topics().find(Topics.INGESTED, r -> key.equals(r.key()));
        assertEquals(2, first.size(), "AA means on the broker");

        // the first message again, on a new connection (a sender retrying after a lost ACK), then a marker
        String c3 = "M3" + UUID.randomUUID().toString().substring(0, 8);
        List<String> again = mllp(admission("MLLPTEST", c1, mrn), admission("MLLPTEST", c3, mrn));
        assertEquals("MSA|AA|" + c1, segment(again.get(0), "MSA"));
        assertEquals("MSA|AA|" + c3, segment(again.get(1), "MSA"));
        List<ConsumerRecord<String, byte[]>> after = topics().find(Topics.INGESTED, r -> key.equals(r.key()));
        assertEquals(3, after.size(), "the resend added nothing; the marker after it did");
        for (ConsumerRecord<String, byte[]> r : after) {
            assertEquals("ehr-mllp", EventCodec.mapper().readTree(r.value()).get("sourceSystem").asText());
        }
    }

    @Test
    void overMllpAnUnregisteredFacilityIsRefusedAndNothingIsRecorded() throws Exception {
        String mrn = "U" + UUID.randomUUID().toString().substring(0, 8);
        List<String> acks = mllp(admission("STRANGER", "S1", mrn));
        assertTrue(segment(acks.get(0), "MSA").startsWith("MSA|AR|S1"), acks.get(0));
        // a registered message on the same partition key after it: once it is there, the refused one would be too
        List<String> marker = mllp(admission("MLLPTEST", "S2" + mrn, mrn));
        assertEquals("MSA|AA|S2" + mrn, segment(marker.get(0), "MSA"));
        List<ConsumerRecord<String, byte[]>> records = topics().find(Topics.INGESTED,
                r -> r.key() != null && r.key().endsWith("|" + mrn));
        assertEquals(1, records.size());
        assertEquals("ehr-mllp|" + mrn, records.get(0).key());
    }

    @Test
    void overMllpAFrameOverTheLimitIsRefusedAndTheConnectionClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", mllp.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(0x0B);
            byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
            try {
                for (int i = 0; i < 20; i++) {
                    out.write(chunk);
                }
            } catch (IOException closedWhileWriting) {
                // the listener may close before the whole frame is written
            }
            InputStream in = new BufferedInputStream(socket.getInputStream());
            byte[] ack = MllpFrames.read(in, 1 << 20);
            assertNotNull(ack);
            String text = new String(ack, StandardCharsets.UTF_8);
            assertTrue(segment(text, "MSA").startsWith("MSA|AR"), text);
            assertEquals(-1, in.read(), "the connection is closed after the refusal");
        }
        // audited as a refused request of the address (repeats within the window are counted into one event)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !topics().find(
                Topics.AUDIT, Hl7v2IntakeTest::frameRefusal).isEmpty());
        assertFalse(mllp(admission("MLLPTEST", "AFTER" + UUID.randomUUID().toString().substring(0, 6),
                "A" + UUID.randomUUID().toString().substring(0, 6))).get(0).contains("MSA|AR"),
                "the listener still serves new connections");
    }

    private static boolean frameRefusal(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r) {
        try {
            JsonNode e = EventCodec.mapper().readTree(r.value());
            return "access.denied".equals(e.path("action").asText()) && "mllp:127.0.0.1".equals(e.path("actor")
                    .asText()) && e.path("detail").asText().contains("MLLP frame over the size limit");
        } catch (IOException e) {
            return false;
        }
    }
}
