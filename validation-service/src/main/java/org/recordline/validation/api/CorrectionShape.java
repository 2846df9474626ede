package org.recordline.validation.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.recordline.commons.fhir.JsonLimits;
import org.recordline.commons.fhir.JsonShapeCheck;
import org.recordline.commons.fhir.JsonShapeException;

/**
 * The limits a corrected record must keep before anything parses it: the ingestion edge's check
 * (service-commons' {@link JsonShapeCheck}), with limits from {@code recordline.validation.correction.*}, whose
 * defaults are the ingestion-service's. Keep the two services' settings equal: a correction may not carry what the
 * edge would have refused.
 */
@ApplicationScoped
public class CorrectionShape {

    private final long maxBytes;
    private final JsonShapeCheck check;

    @Inject
    public CorrectionShape(
            @ConfigProperty(name = "recordline.validation.correction.max-bytes", defaultValue = "10485760") long maxBytes,
            @ConfigProperty(name = "recordline.validation.correction.max-json-depth", defaultValue = "64") int maxDepth,
            @ConfigProperty(name = "recordline.validation.correction.max-number-length", defaultValue = "64")
            int maxNumberLength,
            @ConfigProperty(name = "recordline.validation.correction.max-bundle-entries", defaultValue = "5000")
            int maxEntries,
            @ConfigProperty(name = "recordline.validation.correction.max-xhtml-depth", defaultValue = "32")
            int maxXhtmlDepth) {
        this(maxBytes, new JsonLimits(maxDepth, maxNumberLength, maxEntries, maxXhtmlDepth));
    }

    CorrectionShape(long maxBytes, JsonLimits limits) {
        this.maxBytes = maxBytes;
        this.check = new JsonShapeCheck(limits);
    }

    /** Why {@code fhir} cannot be read safely, or null. */
    public String problem(String fhir) {
        if (fhir == null || fhir.isBlank()) {
            return "the corrected record is empty";
        }
        // a char is at least one UTF-8 byte: only a record near the limit is encoded to measure it
        if (fhir.length() > maxBytes || fhir.length() * 3L > maxBytes
                && fhir.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            return "the corrected record is larger than " + maxBytes + " bytes";
        }
        try {
            check.check(fhir);
            return null;
        } catch (JsonShapeException e) {
            return "the corrected record: " + e.getMessage() + (e.expression() == null ? "" : " (at "
                    + e.expression() + ")");
        }
    }
}
