package org.recordline.events.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCatalog;
import org.recordline.events.EventCodec;

/**
 * The compatibility policy of {@code .v1} topics (events-contract/README.md, "Compatibility"): only additive changes.
 * Old fixtures of every event type stay readable, and the document never loses or changes what the first {@code .v1}
 * contract promised: a topic, a message, a field, a field's type, whether it is always present, or an enum value.
 */
class CompatibilityTest {

    private static final AsyncApi CURRENT = AsyncApi.committed();
    /** The contract as {@code 1.0.0} was published: never edited (a copy of the document at that release). */
    private static final AsyncApi BASELINE = AsyncApi.read(Path.of("src", "test", "resources", "compatibility",
            "recordline-asyncapi-1.0.0.yaml"));

    @Test
    void everyEventTypeHasOldFixturesAndEveryFixtureDirIsAnEventType() {
        Set<String> types = EventCatalog.all().stream().map(e -> e.payload().getSimpleName())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> dirs = Fixture.all().stream().map(Fixture::dir).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(types, dirs);
    }

    @Test
    void everyOldFixtureIsReadByTheCurrentCodecWithoutLosingAField() throws Exception {
        for (Fixture f : Fixture.all()) {
            EventCatalog.Entry kind = EventCatalog.byType(f.headers().get(CloudEventHeaders.CE_TYPE)).orElseThrow(
                    () -> new AssertionError(f + ": a type no event has"));
            assertEquals(kind.payload().getSimpleName(), f.dir(), f.toString());
            assertEquals(kind.topic(), f.topic(), f.toString());
            CloudEventHeaders h = CloudEventHeaders.readFrom(f.kafkaHeaders());
            assertEquals(f.headers().get(CloudEventHeaders.CE_ID), h.id(), f.toString());

            Object decoded = EventCodec.decode(f.payloadBytes(), kind.payload());
            JsonNode again = AsyncApi.JSON.readTree(EventCodec.encode(decoded));
            assertEquals(normalisedTimes(f.payload()), normalisedTimes(again),
                    f + ": reading and writing it again must keep every field and value");
        }
    }

    @Test
    void everyOldFixtureIsValidAgainstTheCurrentDocument() {
        for (Fixture f : Fixture.all()) {
            List<JsonNode> messages = CURRENT.messagesOfType(f.topic(), f.headers().get(CloudEventHeaders.CE_TYPE));
            assertEquals(1, messages.size(), f.toString());
            assertEquals(Set.of(), CURRENT.problems(messages.get(0).path("payload"), f.payload()), f.toString());
            assertEquals(Set.of(), CURRENT.problems(messages.get(0).path("headers"),
                    AsyncApi.JSON.valueToTree(f.headers())), f.toString());
        }
    }

    @Test
    void theDocumentOnlyEverGrows() {
        List<String> breaks = breakingChanges(BASELINE, CURRENT);
        assertTrue(breaks.isEmpty(), "a .v1 topic may only change additively; a breaking change is a new topic:\n"
                + String.join("\n", breaks));
    }

    @Test
    void theGrowthCheckFindsBreakingChanges() throws Exception {
        // the check must see each kind of break it exists for; each mutation of the baseline is one break
        String text = java.nio.file.Files.readString(Path.of("src", "test", "resources", "compatibility",
                "recordline-asyncapi-1.0.0.yaml"));
        Map<String, String> mutations = Map.of(
                "a field removed", text.replace("        reason:\n          type: string\n          maxLength: 500\n",
                        ""),
                "a field retyped", text.replace("        entryCount:\n          type: integer",
                        "        entryCount:\n          type: string"),
                "a new required field", text.replace(
                        "      required: [treeSize, rootHash, createdAt, keyId, signature, note]",
                        "      required: [treeSize, rootHash, createdAt, keyId, signature, note, signature2]"),
                "an enum value removed", text.replace("enum: [success, failure, denied]", "enum: [success, failure]"),
                "a topic removed", text.replace("address: ehr.audit-checkpoints.v1", "address: ehr.audit-checkpoints.v2"));
        for (Map.Entry<String, String> m : mutations.entrySet()) {
            assertFalse(m.getValue().equals(text), m.getKey() + ": the mutation did not apply");
            AsyncApi mutated = new AsyncApi(AsyncApi.YAML.readTree(m.getValue()));
            List<String> found = breakingChanges(BASELINE, mutated);
            assertFalse(found.isEmpty(), m.getKey() + " was not found");
        }
    }

    /** What {@code current} breaks of what {@code baseline} promised. */
    static List<String> breakingChanges(AsyncApi baseline, AsyncApi current) {
        List<String> out = new ArrayList<>();
        Map<String, JsonNode> now = current.channelsByAddress();
        baseline.channelsByAddress().forEach((topic, channel) -> {
            JsonNode c = now.get(topic);
            if (c == null) {
                out.add("topic " + topic + " removed");
                return;
            }
            baseline.messages(channel).forEach((id, message) -> {
                JsonNode m = current.messages(c).get(id);
                if (m == null) {
                    out.add(topic + ": message " + id + " removed");
                    return;
                }
                if (!message.path("x-ce-type").equals(m.path("x-ce-type"))) {
                    out.add(topic + ": message " + id + " changed its type");
                }
                compareSchema(baseline, message.path("payload"), current, m.path("payload"), topic + " " + id, out);
            });
        });
        return out;
    }

    private static void compareSchema(AsyncApi a, JsonNode was, AsyncApi b, JsonNode is, String path,
                                      List<String> out) {
        JsonNode x = a.resolve(was);
        JsonNode y = b.resolve(is);
        if (!a.types(x).equals(b.types(y))) {
            out.add(path + ": type " + a.types(x) + " became " + b.types(y));
            return;
        }
        if (x.has("oneOf") || y.has("oneOf")) {
            compareSchema(a, a.nonNull(x), b, b.nonNull(y), path, out);
            return;
        }
        if (!x.path("const").equals(y.path("const")) || !x.path("format").equals(y.path("format"))) {
            out.add(path + ": const or format changed");
        }
        if (x.has("enum")) {
            Set<String> lost = new TreeSet<>(AsyncApi.texts(x.get("enum")));
            lost.removeAll(AsyncApi.texts(y.path("enum")));
            if (!lost.isEmpty() || !y.has("enum")) {
                out.add(path + ": enum values removed " + lost);
            }
        }
        if (!AsyncApi.texts(x.path("required")).equals(AsyncApi.texts(y.path("required")))) {
            out.add(path + ": required " + AsyncApi.texts(x.path("required")) + " became "
                    + AsyncApi.texts(y.path("required")) + " (an added field must be optional)");
        }
        x.path("properties").fields().forEachRemaining(p -> {
            JsonNode q = y.path("properties").get(p.getKey());
            if (q == null) {
                out.add(path + "." + p.getKey() + " removed");
            } else {
                compareSchema(a, p.getValue(), b, q, path + "." + p.getKey(), out);
            }
        });
        if (x.has("items")) {
            compareSchema(a, x.get("items"), b, y.path("items"), path + "[]", out);
        }
    }

    /** Timestamps as instants, so that {@code .5Z} and {@code .500Z} compare equal (RFC 3339 allows either). */
    private static JsonNode normalisedTimes(JsonNode n) {
        JsonNode copy = n.deepCopy();
        normalise(copy);
        return copy;
    }

    private static void normalise(JsonNode n) {
        if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = o.get(name);
                if (v.isTextual() && v.asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z")) {
                    o.put(name, java.time.Instant.parse(v.asText()).toString());
                } else {
                    normalise(v);
                }
            }
        } else if (n.isArray()) {
            n.forEach(CompatibilityTest::normalise);
        }
    }
}
