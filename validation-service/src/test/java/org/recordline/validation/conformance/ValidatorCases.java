package org.recordline.validation.conformance;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The FHIR validator test cases as listed by a {@code manifest.json} in the format of
 * {@code shared/data/fhir-validator-r4}: each case names its file, its supporting conformance resources and the
 * reference validator's error count for the base specification. Only the manifest decides which cases exist.
 */
public final class ValidatorCases {

    /**
     * One case.
     *
     * @param name       the case's name
     * @param document   the resource as the file holds it (JSON or XML)
     * @param xml        whether the document is XML
     * @param supporting its supporting conformance resources, parsed (unparseable files are left out)
     * @param utf8       whether the file is well-formed UTF-8 (FHIR requires it; the ingestion edge refuses
     *                   anything else before parsing, so such a case is invalid whatever its content)
     * @param expectedValid whether the reference validator found no error against the base specification
     */
    public record Case(String name, String document, boolean xml, List<IBaseResource> supporting, boolean utf8,
                       boolean expectedValid) {
    }

    private ValidatorCases() {
    }

    /** Every case of {@code manifest} that has an expected base error count and whose file is present. */
    public static List<Case> read(Path manifest, FhirContext fhir) {
        Path dir = manifest.getParent();
        List<Case> cases = new ArrayList<>();
        try {
            JsonNode list = new ObjectMapper().readTree(manifest.toFile());
            JsonNode entries = list.isArray() ? list : list.path("cases");
            for (JsonNode c : entries) {
                JsonNode expected = c.path("expected_base");
                Path file = dir.resolve(c.path("file").asText());
                if (!expected.path("errorCount").isNumber() || !Files.isRegularFile(file)) {
                    // no expected error count to compare with, or no file: not a case
                    continue;
                }
                List<IBaseResource> supporting = new ArrayList<>();
                for (JsonNode s : c.path("supporting")) {
                    Path p = dir.resolve(s.asText());
                    if (Files.isRegularFile(p)) {
                        IBaseResource r = parse(fhir, new String(Files.readAllBytes(p), StandardCharsets.UTF_8),
                                isXml(p));
                        if (r != null && !(r instanceof org.hl7.fhir.r4.model.Bundle)) {
                            supporting.add(r);
                        }
                    }
                }
                byte[] bytes = Files.readAllBytes(file);
                cases.add(new Case(c.path("name").asText(file.getFileName().toString()),
                        new String(bytes, StandardCharsets.UTF_8), isXml(file), supporting, wellFormedUtf8(bytes),
                        expected.path("errorCount").asInt(0) == 0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    private static boolean wellFormedUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean isXml(Path p) {
        return p.getFileName().toString().toLowerCase().endsWith(".xml");
    }

    private static IBaseResource parse(FhirContext fhir, String text, boolean xml) {
        try {
            return (xml ? fhir.newXmlParser() : fhir.newJsonParser()).parseResource(text);
        } catch (RuntimeException e) {
            return null; // not a resource this context can read: the case goes on without it
        }
    }
}
