package org.recordline.ingestion.domain;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.recordline.ingestion.config.IngestionConfig;

/**
 * Checks a submission against the size and depth limits, then parses it with HAPI FHIR (strict: unknown elements and
 * invalid values are errors) and re-serialises it as canonical FHIR JSON.
 */
@ApplicationScoped
public class SubmissionParser {

    private final FhirContext fhir;
    private final IngestionConfig config;
    private final JsonFactory json;

    public SubmissionParser(FhirContext fhir, IngestionConfig config) {
        this.fhir = fhir;
        this.config = config;
        this.json = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(config.maxJsonDepth()).build()).build();
    }

    /** Parses {@code body}; throws {@link RejectedSubmissionException} for anything not acceptable. */
    public ParsedSubmission parse(byte[] body) {
        if (body.length > config.maxSubmissionBytes()) {
            throw new RejectedSubmissionException(413, IssueType.TOOCOSTLY,
                    "submission of " + body.length + " bytes exceeds the limit of " + config.maxSubmissionBytes());
        }
        checkJsonShape(body);
        IBaseResource resource;
        try {
            IParser parser = fhir.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
            resource = parser.parseResource(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        } catch (DataFormatException e) {
            throw new RejectedSubmissionException(400, IssueType.STRUCTURE,
                    "not a valid FHIR R4 resource: " + safeMessage(e));
        }
        if (!(resource instanceof Resource r)) {
            throw new RejectedSubmissionException(400, IssueType.STRUCTURE, "not a FHIR R4 resource");
        }
        int entries = 1;
        String patientId = null;
        if (r instanceof Bundle b) {
            entries = b.getEntry().size();
            if (entries > config.maxBundleEntries()) {
                throw new RejectedSubmissionException(413, IssueType.TOOCOSTLY, "Bundle has " + entries
                        + " entries, more than the limit of " + config.maxBundleEntries());
            }
            for (Bundle.BundleEntryComponent e : b.getEntry()) {
                if (e.getResource() instanceof Patient p) {
                    patientId = localId(p, e.getFullUrl());
                    break;
                }
            }
        } else if (r instanceof Patient p) {
            patientId = localId(p, null);
        }
        return new ParsedSubmission(r.fhirType(), entries, patientId, fhir.newJsonParser().encodeResourceToString(r));
    }

    private static String localId(Patient p, String fullUrl) {
        if (p.hasIdElement() && p.getIdElement().getIdPart() != null) {
            return p.getIdElement().getIdPart();
        }
        if (fullUrl != null && !fullUrl.isBlank()) {
            return fullUrl.startsWith("urn:uuid:") ? fullUrl.substring(9) : fullUrl;
        }
        return null;
    }

    /** One streaming pass: well-formed JSON, an object at the top, nesting within the limit. */
    private void checkJsonShape(byte[] body) {
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RejectedSubmissionException(400, IssueType.STRUCTURE,
                        "a FHIR JSON resource must be a JSON object");
            }
            while (p.nextToken() != null) {
                // the parser enforces the nesting limit and well-formedness as it goes
            }
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new RejectedSubmissionException(400, IssueType.TOOCOSTLY,
                    "JSON nesting deeper than " + config.maxJsonDepth() + " levels");
        } catch (IOException e) {
            throw new RejectedSubmissionException(400, IssueType.STRUCTURE, "malformed JSON at line "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null
                    ? jpe.getLocation().getLineNr() : 0));
        }
    }

    /** HAPI's message names elements and positions; values could be patient data, so cut quoted parts. */
    private static String safeMessage(DataFormatException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        m = m.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("HAPI-\\d+: ", "");
        return m.length() > 300 ? m.substring(0, 300) : m;
    }
}
