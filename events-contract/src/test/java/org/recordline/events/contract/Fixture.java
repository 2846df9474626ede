package org.recordline.events.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An event as it was written to its topic by an earlier release: topic, key, headers and payload, kept under
 * {@code src/test/resources/fixtures/v1/<payload record>/}. Fixtures are never edited once committed: a release that
 * cannot read one has broken the topic's contract.
 *
 * @param dir      the payload record's simple name (the directory)
 * @param file     the fixture's file name
 * @param topic    the topic
 * @param key      the record key
 * @param headers  the Kafka headers as UTF-8 strings
 * @param payload  the JSON payload
 */
record Fixture(String dir, String file, String topic, String key, Map<String, String> headers, JsonNode payload) {

    static final Path ROOT = Path.of("src", "test", "resources", "fixtures", "v1");

    static List<Fixture> all() {
        List<Fixture> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().toList()) {
                        out.add(read(dir.getFileName().toString(), f));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Fixture read(String dir, Path file) throws IOException {
        JsonNode n = AsyncApi.JSON.readTree(file.toFile());
        Map<String, String> headers = AsyncApi.JSON.convertValue(n.path("headers"), Map.class);
        return new Fixture(dir, file.getFileName().toString(), n.path("topic").asText(), n.path("key").asText(),
                headers, n.path("payload"));
    }

    /** The headers as Kafka would deliver them. */
    Headers kafkaHeaders() {
        RecordHeaders h = new RecordHeaders();
        headers.forEach((k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
        return h;
    }

    /** The payload's bytes as its producer wrote them (compact JSON). */
    byte[] payloadBytes() {
        try {
            return AsyncApi.JSON.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return dir + "/" + file;
    }
}
