package org.recordline.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * The test stack of {@link RecordlineStackResource} (its PostgreSQL and tokens), but Kafka only through a TLS
 * listener that requires the client's certificate, the way the Kubernetes manifests connect the services (Strimzi's
 * TLS listener, {@code kafka.security.protocol=SSL} and the stores in each service's ConfigMap). For one test class:
 * name it in a test profile's {@code testResources()}, with {@code disableGlobalTestResources()} true, so that the
 * plain broker's settings do not compete with these.
 */
public class RecordlineTlsStackResource implements QuarkusTestResourceLifecycleManager {

    private static KafkaBroker broker;

    /** The TLS broker of this test JVM (its plain listener is for setting it up, not for the service). */
    public static synchronized KafkaBroker broker() {
        if (broker == null) {
            broker = KafkaBroker.startTemporaryWithTls();
            broker.createRecordlineTopics();
            KafkaBroker b = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(b::close, "recordline-test-tls-broker-stop"));
        }
        return broker;
    }

    /** A client of the TLS listener, with the client's certificate or without one. */
    public static TopicClient client(boolean withCertificate) {
        return new TopicClient(broker().tlsBootstrapServers(), broker().tlsClientProperties(withCertificate));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> settings = new HashMap<>(new RecordlineStackResource().start());
        settings.put("kafka.bootstrap.servers", broker().tlsBootstrapServers());
        broker().tlsClientProperties(true).forEach((k, v) -> settings.put("kafka." + k, v));
        return settings;
    }

    @Override
    public void stop() {
        // the broker serves every start of this JVM; the shutdown hook stops it
    }
}
