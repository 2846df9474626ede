package org.recordline.commons.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.recordline.events.Topics;

/**
 * Producer settings every Recordline producer uses: {@code acks=all} with idempotence (an acknowledged event survives a
 * leader failover and a retry never doubles it), lz4 compression, and a request size that fits a large patient bundle.
 */
@ApplicationScoped
public class KafkaProducerSettings {

    private final String bootstrapServers;
    private final String applicationName;

    public KafkaProducerSettings(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                                 @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this.bootstrapServers = bootstrapServers;
        this.applicationName = applicationName;
    }

    /** The service's application name. */
    public String applicationName() {
        return applicationName;
    }

    /** Properties of a String-keyed, byte[]-valued producer named {@code purpose}. */
    public Properties properties(String purpose) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
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
