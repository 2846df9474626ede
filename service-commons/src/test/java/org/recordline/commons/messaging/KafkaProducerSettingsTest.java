package org.recordline.commons.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The producers the services make themselves connect as the channels do: TLS and SASL settings carried over. */
class KafkaProducerSettingsTest {

    @Test
    void securitySettingsOfTheChannelsAreCarriedOverAndNothingElse() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", "recordline-kafka-bootstrap:9093");
        config.put("kafka.security.protocol", "SSL");
        config.put("kafka.ssl.truststore.location", "/var/run/secrets/kafka/ca/ca.p12");
        config.put("kafka.ssl.truststore.password", "s3cret");
        config.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        config.put("kafka.acks", "1");
        config.put("kafka.sslish", "no");
        config.put("mp.messaging.incoming.audit.ssl.keystore.location", "/elsewhere");
        config.put("quarkus.application.name", "audit-service");

        Map<String, String> security = KafkaProducerSettings.security(config.keySet(),
                k -> Optional.ofNullable(config.get(k)));
        assertEquals(Map.of("security.protocol", "SSL", "ssl.truststore.location", "/var/run/secrets/kafka/ca/ca.p12",
                "ssl.truststore.password", "s3cret", "sasl.mechanism", "SCRAM-SHA-512"), security);

        Properties p = new KafkaProducerSettings("b:9093", "audit-service", security).properties("outbox-relay");
        assertEquals("SSL", p.get("security.protocol"));
        assertEquals("/var/run/secrets/kafka/ca/ca.p12", p.get("ssl.truststore.location"));
        assertEquals("all", p.get("acks"), "the producers' own guarantees are not the channels' to change");
        assertEquals("b:9093", p.get("bootstrap.servers"));
        assertEquals("audit-service-outbox-relay", p.get("client.id"));
        assertFalse(p.containsKey("sslish"));
    }

    @Test
    void withoutSecuritySettingsTheProducerIsPlaintextAsBefore() {
        Properties p = new KafkaProducerSettings("localhost:9092", "svc", Map.of()).properties("dead-letters");
        assertFalse(p.containsKey("security.protocol"));
    }
}
