package org.recordline.events.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCatalog;
import org.recordline.events.Topics;

/**
 * The AsyncAPI document and the events-contract module describe the same topics, events, fields and headers: a
 * topic, event type, field or enum value added on one side only fails here, whichever side it was added on.
 */
class AsyncApiContractTest {

    private static final AsyncApi DOC = AsyncApi.committed();

    /** Headers the OpenTelemetry propagator writes beside the CloudEvents attributes (W3C Trace Context). */
    private static final Set<String> TRACE_HEADERS = Set.of("traceparent", "tracestate");

    @Test
    void theDocumentIsAsyncApi3AndEveryReferenceResolves() {
        assertEquals("3.0.0", DOC.root.path("asyncapi").asText());
        List<String> refs = DOC.allRefs();
        assertFalse(refs.isEmpty());
        for (String ref : refs) {
            DOC.ref(ref); // throws on a dangling one
        }
    }

    @Test
    void theShippedDocumentIsTheCommittedOne() {
        assertEquals(DOC.root, AsyncApi.readResource(EventCatalog.ASYNCAPI_RESOURCE).root,
                "the jar must ship docs/asyncapi/recordline.yaml unchanged");
    }

    @Test
    void everyTopicHasAChannelAndEveryChannelATopic() {
        assertEquals(new TreeSet<>(Topics.all()), new TreeSet<>(DOC.channelsByAddress().keySet()));
    }

    @Test
    void channelBindingsStateTheTopicsSettings() {
        DOC.channelsByAddress().forEach((topic, channel) -> {
            JsonNode kafka = DOC.resolve(channel.path("bindings").path("kafka"));
            assertEquals(Topics.DEFAULT_PARTITIONS, kafka.path("partitions").asInt(), topic);
            JsonNode config = kafka.path("topicConfiguration");
            assertEquals(Topics.RETENTION.toMillis(), config.path("retention.ms").asLong(), topic);
            assertEquals(Topics.MAX_MESSAGE_BYTES, config.path("max.message.bytes").asInt(), topic);
        });
    }

    @Test
    void everyEventRecordlinePublishesIsAMessageOfItsTopicAndNoOtherIs() {
        for (EventCatalog.Entry e : EventCatalog.all()) {
            List<JsonNode> found = DOC.messagesOfType(e.topic(), e.type());
            assertEquals(1, found.size(), e.type() + " on " + e.topic());
            assertEquals(e.payload().getSimpleName(), found.get(0).path("name").asText(), e.type());
            assertEquals("application/json", found.get(0).path("contentType").asText(), e.type());
        }
        DOC.channelsByAddress().forEach((topic, channel) -> {
            for (Map.Entry<String, JsonNode> m : DOC.messages(channel).entrySet()) {
                String type = m.getValue().path("x-ce-type").asText(null);
                if (topic.endsWith(Topics.DEAD_LETTER_SUFFIX)) {
                    assertEquals("DeadLetter", m.getValue().path("name").asText(), topic);
                } else if (topic.equals(Topics.INBOUND)) {
                    assertEquals("InboundRecord", m.getValue().path("name").asText(), topic);
                } else {
                    boolean known = EventCatalog.all().stream()
                            .anyMatch(e -> e.topic().equals(topic) && e.type().equals(type));
                    assertTrue(known, "message " + m.getKey() + " on " + topic + " has a type no Java event has: "
                            + type);
                }
            }
        });
    }

    @Test
    void everyChannelHasAnOperationAndEveryOperationAChannel() {
        Set<String> used = new HashSet<>();
        DOC.root.path("operations").fields().forEachRemaining(op -> {
            String ref = op.getValue().path("channel").path("$ref").asText();
            assertTrue(ref.startsWith("#/channels/"), op.getKey());
            DOC.ref(ref);
            used.add(ref.substring("#/channels/".length()));
        });
        assertEquals(DOC.channels().keySet(), used);
    }

    @Test
    void payloadSchemasHaveExactlyTheRecordsFieldsWithTheirTypes() {
        for (EventCatalog.Entry e : EventCatalog.all()) {
            JsonNode message = DOC.messagesOfType(e.topic(), e.type()).get(0);
            List<String> problems = new ArrayList<>();
            compareRecord(e.payload(), message.path("payload"), e.payload().getSimpleName(), problems);
            assertTrue(problems.isEmpty(), String.join("\n", problems));
        }
    }

    @Test
    void cloudEventHeadersSchemaNamesEveryHeaderTheContractWritesAndNoOther() throws Exception {
        Set<String> javaHeaders = new TreeSet<>();
        for (Field f : CloudEventHeaders.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
                    && (f.getName().startsWith("CE_") || f.getName().equals("CORRELATION_ID"))) {
                javaHeaders.add((String) f.get(null));
            }
        }
        javaHeaders.addAll(TRACE_HEADERS);
        JsonNode schema = DOC.ref("#/components/schemas/CloudEventHeaders");
        assertEquals(javaHeaders, AsyncApi.fieldNames(schema.path("properties")));

        // required: what every event carries, i.e. what asMap writes when the optional attributes are absent
        Map<String, String> minimal = new CloudEventHeaders("id-1", "/recordline/test", "t", Instant.EPOCH, null,
                null).asMap();
        assertEquals(new TreeSet<>(minimal.keySet()), AsyncApi.texts(schema.path("required")));
        assertEquals(CloudEventHeaders.SPEC_VERSION,
                schema.path("properties").path(CloudEventHeaders.CE_SPECVERSION).path("const").asText());
        assertEquals(minimal.get(CloudEventHeaders.CE_CONTENT_TYPE),
                schema.path("properties").path(CloudEventHeaders.CE_CONTENT_TYPE).path("const").asText());
        assertEquals(CloudEventHeaders.MAX_ID_LENGTH,
                schema.path("properties").path(CloudEventHeaders.CE_ID).path("maxLength").asInt());
    }

    @Test
    void everyExampleIsValidForItsMessage() {
        int examples = 0;
        for (JsonNode channel : DOC.channels().values()) {
            for (JsonNode message : DOC.messages(channel).values()) {
                for (JsonNode example : message.path("examples")) {
                    examples++;
                    assertEquals(Set.of(), DOC.problems(message.path("payload"), example.path("payload")));
                    assertEquals(Set.of(), DOC.problems(message.path("headers"), example.path("headers")));
                    assertEquals(message.path("x-ce-type").asText(), example.path("headers").path("ce_type").asText());
                }
            }
        }
        assertTrue(examples > 0);
    }

    @Test
    void theSchemasRefuseWhatTheyShouldRefuse() throws Exception {
        JsonNode payload = DOC.messagesOfType(Topics.RECORD_CHANGES, "org.recordline.ehr.record-changed.v1").get(0)
                .path("payload");
        JsonNode example = DOC.messagesOfType(Topics.RECORD_CHANGES, "org.recordline.ehr.record-changed.v1").get(0)
                .path("examples").get(0).path("payload");
        assertEquals(Set.of(), DOC.problems(payload, example));
        var wrongEnum = example.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) wrongEnum).put("changeType", "FILED");
        assertFalse(DOC.problems(payload, wrongEnum).isEmpty(), "an unknown enum value");
        var missing = example.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) missing).remove("enterprisePersonId");
        assertFalse(DOC.problems(payload, missing).isEmpty(), "a required field missing");
        var nested = example.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) nested.path("resources").get(0)).put("id", 7);
        assertFalse(DOC.problems(payload, nested).isEmpty(), "a nested field of the wrong type (through a $ref)");
        var key = example.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) key).put("sourceRecordKey", "no-bar");
        assertFalse(DOC.problems(payload, key).isEmpty(), "a key without its system");
    }

    // ---- comparing a record with its schema -----------------------------------------------------------------------

    private static void compareRecord(Class<?> type, JsonNode schemaNode, String path, List<String> problems) {
        JsonNode schema = DOC.nonNull(schemaNode);
        if (!DOC.types(schema).contains("object")) {
            problems.add(path + ": a record, but the schema's type is " + DOC.types(schema));
            return;
        }
        Set<String> javaFields = new TreeSet<>();
        Set<String> alwaysWritten = new TreeSet<>();
        JsonInclude classInclude = type.getAnnotation(JsonInclude.class);
        for (RecordComponent c : type.getRecordComponents()) {
            javaFields.add(c.getName());
            JsonInclude include = field(type, c.getName()).getAnnotation(JsonInclude.class);
            if (include == null) {
                include = classInclude;
            }
            boolean mayBeOmitted = include != null && include.value() != JsonInclude.Include.ALWAYS
                    && include.value() != JsonInclude.Include.USE_DEFAULTS && !c.getType().isPrimitive();
            if (!mayBeOmitted) {
                alwaysWritten.add(c.getName());
            }
        }
        JsonNode properties = schema.path("properties");
        Set<String> docFields = AsyncApi.fieldNames(properties);
        if (!javaFields.equals(docFields)) {
            problems.add(path + ": fields differ; only in Java " + minus(javaFields, docFields)
                    + ", only in the document " + minus(docFields, javaFields));
        }
        Set<String> required = AsyncApi.texts(schema.path("required"));
        if (!required.equals(alwaysWritten)) {
            problems.add(path + ": required " + required + " but the codec always writes " + alwaysWritten);
        }
        for (RecordComponent c : type.getRecordComponents()) {
            if (properties.has(c.getName())) {
                boolean raw = field(type, c.getName()).isAnnotationPresent(JsonRawValue.class);
                compareValue(c.getGenericType(), raw, properties.get(c.getName()), path + "." + c.getName(),
                        problems);
            }
        }
    }

    private static void compareValue(Type javaType, boolean rawJson, JsonNode schemaNode, String path,
                                     List<String> problems) {
        Set<String> allowed = DOC.types(schemaNode);
        boolean nullable = allowed.remove("null");
        Class<?> raw = javaType instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) javaType;
        if (raw.isPrimitive() && nullable) {
            problems.add(path + ": a primitive, but the schema allows null");
        }
        String expected;
        if (rawJson) {
            expected = "object";
        } else if (raw == String.class) {
            expected = "string";
            if (DOC.nonNull(schemaNode).has("format")) {
                problems.add(path + ": a String, but the schema promises the format "
                        + DOC.nonNull(schemaNode).path("format").asText());
            }
        } else if (raw == Instant.class) {
            expected = "string";
            if (!"date-time".equals(DOC.nonNull(schemaNode).path("format").asText())) {
                problems.add(path + ": an Instant, but the schema's format is not date-time");
            }
        } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            expected = "integer";
        } else if (raw == double.class || raw == Double.class) {
            expected = "number";
        } else if (raw == boolean.class || raw == Boolean.class) {
            expected = "boolean";
        } else if (raw.isEnum()) {
            expected = "string";
            Set<String> constants = Arrays.stream(raw.getEnumConstants()).map(x -> ((Enum<?>) x).name())
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> documented = AsyncApi.texts(DOC.nonNull(schemaNode).path("enum"));
            if (!constants.equals(documented)) {
                problems.add(path + ": enum values " + constants + " but the document lists " + documented);
            }
        } else if (List.class.isAssignableFrom(raw)) {
            expected = "array";
            Type item = ((ParameterizedType) javaType).getActualTypeArguments()[0];
            compareValue(item, false, DOC.nonNull(schemaNode).path("items"), path + "[]", problems);
        } else if (raw.isRecord()) {
            compareRecord(raw, schemaNode, path, problems);
            return;
        } else {
            problems.add(path + ": no JSON type known for " + raw.getName());
            return;
        }
        if (!allowed.equals(Set.of(expected))) {
            problems.add(path + ": " + raw.getSimpleName() + " is " + expected + " in JSON, the schema says "
                    + allowed);
        }
    }

    private static Field field(Class<?> type, String name) {
        try {
            return type.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    @Test
    void aFieldMissingFromEitherSideIsFound() {
        // the comparison itself must see a difference: a record with one field more than the schema it is held to
        record Widened(String submissionId, String sourceSystem, String sourceRecordKey, Instant dismissedAt,
                       String reason, String extra) {
        }
        List<String> problems = new ArrayList<>();
        compareRecord(Widened.class, DOC.ref("#/components/schemas/QuarantineDismissed"), "Widened", problems);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("only in Java [extra]"), problems.toString());
        assertTrue(problems.get(1).contains("required"), problems.toString());

        record Narrowed(String submissionId, String sourceSystem, String sourceRecordKey, Instant dismissedAt) {
        }
        problems.clear();
        compareRecord(Narrowed.class, DOC.ref("#/components/schemas/QuarantineDismissed"), "Narrowed", problems);
        assertTrue(problems.get(0).contains("only in the document [reason]"), problems.toString());

        record Retyped(String submissionId, String sourceSystem, String sourceRecordKey, String dismissedAt,
                       String reason) {
        }
        problems.clear();
        compareRecord(Retyped.class, DOC.ref("#/components/schemas/QuarantineDismissed"), "Retyped", problems);
        if (problems.isEmpty()) {
            fail("a String held to a date-time schema passed");
        }
    }
}
