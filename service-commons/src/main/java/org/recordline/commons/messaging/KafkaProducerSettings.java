package org.recordline.commons.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.recordline.events.Topics;

/**
 * Producer settings every Recordline producer uses: {@code acks=all} with idempotence (an acknowledged event survives a
 * leader failover and a retry never doubles it), lz4 compression, and a request size that fits a large patient bundle.
 * The connection's security (TLS, SASL) is the one the service's Kafka channels use: every
 * {@code kafka.security.protocol}, {@code kafka.ssl.*} and {@code kafka.sasl.*} setting, so that the outbox relay and
 * the dead-letter producer reach a broker with TLS listeners as the channels do.
 */
@ApplicationScoped
public class KafkaProducerSettings {

    private final String bootstrapServers;
    private final String applicationName;
    private final Map<String, String> security;

    @Inject
    public KafkaProducerSettings(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                                 @ConfigProperty(name = "quarkus.application.name") String applicationName,
                                 Config config) {
        this(bootstrapServers, applicationName, security(config.getPropertyNames(),
                name -> config.getOptionalValue(name, String.class)));
    }

    KafkaProducerSettings(String bootstrapServers, String applicationName, Map<String, String> security) {
        this.bootstrapServers = bootstrapServers;
        this.applicationName = applicationName;
        this.security = Map.copyOf(security);
    }

    /**
     * The client security settings among {@code names} (configuration keys), without their {@code kafka.} prefix:
     * {@code security.protocol}, {@code ssl.*} and {@code sasl.*}, with their values.
     */
    static Map<String, String> security(Iterable<String> names,
                                        java.util.function.Function<String, java.util.Optional<String>> value) {
        Map<String, String> out = new TreeMap<>();
        for (String name : names) {
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String key = name.substring(PREFIX.length());
            if (key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) || key.startsWith("ssl.")
                    || key.startsWith("sasl.")) {
                value.apply(name).ifPresent(v -> out.put(key, v));
            }
        }
        return out;
    }

    private static final String PREFIX = "kafka.";

    /** The service's application name. */
    public String applicationName() {
        return applicationName;
    }

    /** Properties of a String-keyed, byte[]-valued producer named {@code purpose}. */
    public Properties properties(String purpose) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(security);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, applicationName + "-" + purpose);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}
