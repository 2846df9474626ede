package org.recordline.index.api;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/** What the index's flow tests share: filing through the real broker, reading topics and the database. */
final class IndexFlows {

    private static final Random RANDOM = new Random();

    private IndexFlows() {
    }

    static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    static String tech() {
        return RecordlineStackResource.tokens().token("terry", "records-technician");
    }

    static String publisher() {
        return RecordlineStackResource.tokens().token("ehr", "ehr-publisher");
    }

    /** Publishes a validated submission of {@code fhir} from source record {@code sourceKey}; returns its id. */
    static String publishValidated(String sourceKey, String fhir) {
        String submissionId = java.util.UUID.randomUUID().toString();
        RecordValidated v = new RecordValidated(submissionId, sourceKey.substring(0, sourceKey.indexOf('|')),
                sourceKey, Instant.now(), List.of(), fhir);
        topics().publish(Topics.VALIDATED, sourceKey, EventFixtures.headers(java.util.UUID.randomUUID().toString(),
                EventTypes.RECORD_VALIDATED, submissionId), EventCodec.encode(v));
        return submissionId;
    }

    /** The record changes about submission {@code submissionId}, once there are {@code n} of them. */
    static List<ConsumerRecord<String, byte[]>> changes(String submissionId, int n) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> topics().ofSubmission(Topics.RECORD_CHANGES, submissionId).size() >= n);
        return topics().ofSubmission(Topics.RECORD_CHANGES, submissionId);
    }

    /** The first record change of a filed submission (awaited). */
    static JsonNode filed(String submissionId) {
        return json(changes(submissionId, 1).get(0));
    }

    static JsonNode json(ConsumerRecord<String, byte[]> r) {
        try {
            return EventCodec.mapper().readTree(r.value());
        } catch (IOException e) {
            throw new AssertionError("not JSON", e);
        }
    }

    /** The audit events with {@code action} naming {@code patientRef}. */
    static List<JsonNode> audits(String action, String patientRef) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : topics().find(Topics.AUDIT, r -> patientRef.equals(r.key()))) {
            JsonNode a = json(r);
            if (action.equals(a.path("action").asText()) && patientRef.equals(a.path("patientRef").asText())) {
                out.add(a);
            }
        }
        return out;
    }

    /** A made-up name nobody else in the tests has: letters only, capitalised. */
    static String name() {
        StringBuilder b = new StringBuilder().append((char) ('A' + RANDOM.nextInt(26)));
        for (int i = 0; i < 9; i++) {
            b.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return b.toString();
    }

    /** A birth date between 1925 and 2004. */
    static String birthDate() {
        return String.format("%d-%02d-%02d", 1925 + RANDOM.nextInt(80), 1 + RANDOM.nextInt(12),
                1 + RANDOM.nextInt(28));
    }

    /**
     * A postcode of five digits starting with 9 (the other tests' data have four), the same for the same
     * {@code seed}, so that these persons share no postcode blocking key with anyone else's.
     */
    static String postcode(String seed) {
        return "9" + String.format("%04d", Math.floorMod(seed.hashCode(), 10000));
    }

    /**
     * A Patient (living at an address made of their names) and one Observation, as a collection Bundle.
     */
    static String bundle(String given, String family, String birthDate, String gender, String mrnSystem, String mrn,
                         String observationId) {
        return "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"resource\":"
                + "{\"resourceType\":\"Patient\",\"id\":\"pat-" + mrn + "\",\"identifier\":[{\"system\":\""
                + mrnSystem + "\",\"value\":\"" + mrn + "\"}],\"name\":[{\"family\":\"" + family + "\",\"given\":[\""
                + given + "\"]}],\"gender\":\"" + gender + "\",\"birthDate\":\"" + birthDate + "\",\"address\":"
                + "[{\"line\":[\"7 " + family + " Street\"],\"city\":\"" + given + "ton\",\"postalCode\":\""
                + postcode(given + family) + "\"}]}},{\"resource\":"
                + "{\"resourceType\":\"Observation\",\"id\":\"" + observationId + "\",\"status\":\"final\","
                + "\"code\":{\"text\":\"body weight\"},\"effectiveDateTime\":\"2020-03-04T10:00:00Z\","
                + "\"valueQuantity\":{\"value\":71.5,\"unit\":\"kg\"}}}]}";
    }

    /** The first column of the first row of {@code query} with string arguments, or null. */
    static String sql(AgroalDataSource db, String query, String... args) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
