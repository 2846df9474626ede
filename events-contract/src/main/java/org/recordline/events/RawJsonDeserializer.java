package org.recordline.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.io.StringWriter;

/** Reads an embedded JSON object (a FHIR resource) back into its JSON text without building a tree. */
public class RawJsonDeserializer extends JsonDeserializer<String> {

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
            return p.getText();
        }
        StringWriter out = new StringWriter(4096);
        try (JsonGenerator g = p.getCodec().getFactory().createGenerator(out)) {
            g.copyCurrentStructure(p);
        }
        return out.toString();
    }
}
