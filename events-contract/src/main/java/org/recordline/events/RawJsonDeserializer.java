package org.recordline.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.io.StringWriter;

/**
 * Reads an embedded JSON object (a FHIR resource) back into its JSON text without building a tree. Numbers are copied
 * exactly as written: FHIR decimals carry their precision ({@code 1.50} is not {@code 1.5}).
 */
public class RawJsonDeserializer extends JsonDeserializer<String> {

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            // tolerated for producers that send the resource as a string; it must still be a JSON object
            String text = p.getText().strip();
            if (!text.startsWith("{") || !text.endsWith("}")) {
                throw ctxt.weirdStringException(text.length() > 20 ? text.substring(0, 20) : text, String.class,
                        "not a JSON object");
            }
            return text;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ctxt.wrongTokenException(p, String.class, JsonToken.START_OBJECT, "a FHIR resource is a JSON object");
        }
        StringWriter out = new StringWriter(4096);
        try (JsonGenerator g = p.getCodec().getFactory().createGenerator(out)) {
            g.copyCurrentStructureExact(p);
        }
        return out.toString();
    }
}
