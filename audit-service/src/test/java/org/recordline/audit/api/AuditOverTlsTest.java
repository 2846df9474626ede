package org.recordline.audit.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.Topics;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.RecordlineTlsStackResource;
import org.recordline.testsupport.TopicClient;

/**
 * The service as the Kubernetes manifests run it against Strimzi: Kafka only through a TLS listener that requires a
 * client certificate, configured by {@code kafka.security.protocol}, {@code kafka.ssl.*} alone. Every Kafka client of
 * the service works over it: the incoming channel, the outbox relay (checkpoints), the dead-letter producer; and the
 * listener really refuses a client without a certificate.
 */
@QuarkusTest
@TestProfile(AuditOverTlsTest.TlsOnly.class)
class AuditOverTlsTest {

    /** Only the TLS stack's settings: the plain broker's would compete with them. */
    public static class TlsOnly implements QuarkusTestProfile {
        @Override
        public java.util.List<TestResourceEntry> testResources() {
            return java.util.List.of(new TestResourceEntry(RecordlineTlsStackResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    private static String auditor() {
        return RecordlineStackResource.tokens().token("audrey", "auditor");
    }

    private static TopicClient tls() {
        return RecordlineTlsStackResource.client(true);
    }

    @Test
    void eventsComeInCheckpointsAndDeadLettersGoOutOverMutualTls() {
        String submission = UUID.randomUUID().toString();
        AuditEvent e = new AuditEvent(UUID.randomUUID().toString(), Instant.now(), "tls-test", "step", "success",
                "svc", submission, null, "ingest", null);
        tls().publish(Topics.AUDIT, submission, EventFixtures.headers(e.eventId(), EventTypes.AUDIT, submission),
                EventCodec.encode(e));
        String poison = "poison-" + UUID.randomUUID();
        tls().publish(Topics.AUDIT, poison, Map.of(), "not json".getBytes(StandardCharsets.UTF_8));
        // the channel read them over TLS
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("submission", submission).when().get("/audit/events").then().statusCode(200)
                .body("findAll { it.service == 'tls-test' }.size()", equalTo(1)));
        // the dead-letter producer wrote over TLS
        await().atMost(Duration.ofSeconds(60)).until(() -> !tls().find(Topics.deadLetterOf(Topics.AUDIT),
                r -> poison.equals(r.key())).isEmpty());
        // the outbox relay published a checkpoint over TLS
        long size = given().auth().oauth2(auditor()).when().post("/audit/checkpoints").then().statusCode(200)
                .extract().jsonPath().getLong("treeSize");
        await().atMost(Duration.ofSeconds(60)).until(() -> tls().find(Topics.AUDIT_CHECKPOINTS, r -> {
            try {
                return EventCodec.mapper().readTree(r.value()).path("treeSize").asLong() == size;
            } catch (java.io.IOException ex) {
                return false;
            }
        }).size() == 1);
    }

    @Test
    void theListenerRefusesAClientWithoutACertificate() {
        TopicClient anonymous = RecordlineTlsStackResource.client(false);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> anonymous.publish(
                Topics.AUDIT, "anonymous", Map.of(), "{}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, causes(refused).contains("SslAuthenticationException") || causes(refused)
                .contains("SSLHandshakeException"), causes(refused));
    }

    private static String causes(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(' ');
        }
        return b.toString();
    }
}
