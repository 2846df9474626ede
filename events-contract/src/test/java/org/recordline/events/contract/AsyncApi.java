package org.recordline.events.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * An AsyncAPI 3 document read for the contract tests: its channels and messages with local {@code $ref}s resolved,
 * and its message schemas as JSON Schema validators (AsyncAPI's default schema format is a superset of draft 7).
 */
public final class AsyncApi {

    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    public static final ObjectMapper JSON = new ObjectMapper();

    /** The committed document, read from the file the build ships, not from a copy. */
    public static final Path DOCUMENT = Path.of("..", "docs", "asyncapi", "recordline.yaml");

    /** Draft 7, told that {@code components} holds the referenced schemas and is not a keyword. */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
            b -> b.metaSchema(com.networknt.schema.JsonMetaSchema.builder(com.networknt.schema.JsonMetaSchema.getV7())
                    .keyword(new com.networknt.schema.NonValidationKeyword("components")).build()));

    public final JsonNode root;

    public AsyncApi(JsonNode root) {
        this.root = root;
    }

    public static AsyncApi committed() {
        return read(DOCUMENT);
    }

    public static AsyncApi read(Path file) {
        try {
            return new AsyncApi(YAML.readTree(Files.readString(file)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file.toAbsolutePath(), e);
        }
    }

    public static AsyncApi readResource(String resource) {
        try (InputStream in = AsyncApi.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + resource);
            }
            return new AsyncApi(YAML.readTree(in));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    /** The node a local reference points at. */
    public JsonNode ref(String ref) {
        if (!ref.startsWith("#/")) {
            throw new IllegalArgumentException("only local references are used: " + ref);
        }
        JsonNode n = root.at(ref.substring(1));
        if (n.isMissingNode()) {
            throw new IllegalArgumentException("dangling reference " + ref);
        }
        return n;
    }

    /** The node itself, or what its {@code $ref} points at (followed until a node without one). */
    public JsonNode resolve(JsonNode n) {
        int hops = 0;
        while (n != null && n.has("$ref")) {
            if (hops++ > 16) {
                throw new IllegalStateException("reference cycle at " + n);
            }
            n = ref(n.get("$ref").asText());
        }
        return n;
    }

    /** Channel id to channel node. */
    public Map<String, JsonNode> channels() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        root.path("channels").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Topic (channel address) to channel node. */
    public Map<String, JsonNode> channelsByAddress() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        channels().forEach((id, c) -> {
            if (out.put(c.path("address").asText(), c) != null) {
                throw new IllegalStateException("two channels with address " + c.path("address").asText());
            }
        });
        return out;
    }

    /** The messages of a channel, resolved, by their key in the channel. */
    public Map<String, JsonNode> messages(JsonNode channel) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        channel.path("messages").fields().forEachRemaining(e -> out.put(e.getKey(), resolve(e.getValue())));
        return out;
    }

    /** Every message of every channel of that topic with that {@code x-ce-type}. */
    public List<JsonNode> messagesOfType(String topic, String ceType) {
        JsonNode channel = channelsByAddress().get(topic);
        if (channel == null) {
            return List.of();
        }
        return messages(channel).values().stream()
                .filter(m -> ceType.equals(m.path("x-ce-type").asText(null)))
                .collect(Collectors.toList());
    }

    /** A schema node as a validator, its local references resolved against this document. */
    public JsonSchema validator(JsonNode schema) {
        ObjectNode wrapper = JSON.createObjectNode();
        wrapper.set("allOf", JSON.createArrayNode().add(schema));
        wrapper.set("components", root.path("components"));
        return FACTORY.getSchema(wrapper);
    }

    /** What the schema finds wrong with a value; empty when it is valid. */
    public Set<String> problems(JsonNode schema, JsonNode value) {
        Set<String> out = new TreeSet<>();
        for (ValidationMessage m : validator(schema).validate(value)) {
            out.add(m.getMessage());
        }
        return out;
    }

    /** Every {@code $ref} anywhere in the document. */
    public List<String> allRefs() {
        List<String> out = new ArrayList<>();
        collectRefs(root, out);
        return out;
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            if (n.has("$ref")) {
                out.add(n.get("$ref").asText());
            }
            Iterator<JsonNode> it = n.elements();
            while (it.hasNext()) {
                collectRefs(it.next(), out);
            }
        } else if (n.isArray()) {
            n.forEach(c -> collectRefs(c, out));
        }
    }

    /** The JSON types a (resolved) schema allows, without {@code null}; from {@code type} or {@code oneOf}. */
    public Set<String> types(JsonNode schema) {
        JsonNode s = resolve(schema);
        Set<String> out = new LinkedHashSet<>();
        if (s.has("type")) {
            JsonNode t = s.get("type");
            if (t.isArray()) {
                t.forEach(x -> out.add(x.asText()));
            } else {
                out.add(t.asText());
            }
        } else if (s.has("oneOf")) {
            s.get("oneOf").forEach(alt -> out.addAll(types(alt)));
        }
        return out;
    }

    /** The schema without its {@code null} alternative: for {@code oneOf [X, null]}, X resolved. */
    public JsonNode nonNull(JsonNode schema) {
        JsonNode s = resolve(schema);
        if (s.has("oneOf")) {
            List<JsonNode> alts = new ArrayList<>();
            s.get("oneOf").forEach(a -> {
                if (!"null".equals(resolve(a).path("type").asText())) {
                    alts.add(resolve(a));
                }
            });
            if (alts.size() != 1) {
                throw new IllegalStateException("a oneOf other than [schema, null]: " + s);
            }
            return alts.get(0);
        }
        return s;
    }

    public static Set<String> fieldNames(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    public static Set<String> texts(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }
}
