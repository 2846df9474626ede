package org.recordline.ingestion.domain;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import jakarta.enterprise.context.ApplicationScoped;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.jboss.logging.Logger;
import org.recordline.commons.fhir.JsonLimits;
import org.recordline.commons.fhir.JsonShapeCheck;
import org.recordline.commons.fhir.JsonShapeException;
import org.recordline.commons.fhir.XmlShapeCheck;
import org.recordline.ingestion.config.IngestionConfig;

/**
 * Checks a submission against the size, shape and depth limits ({@link JsonShapeCheck}, {@link XmlShapeCheck}), then
 * parses it with HAPI FHIR (strict: unknown elements and invalid values are errors). JSON passes on as it arrived;
 * XML passes on as the FHIR JSON HAPI writes of it. A transaction or batch Bundle passes on with its ids and references
 * resolved ({@link BundleRequests}).
 */
@ApplicationScoped
public class SubmissionParser {

    private static final java.util.regex.Pattern FHIR_ID = java.util.regex.Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    private static final int MAX_FULL_URL = 200;

    private static final Logger LOG = Logger.getLogger(SubmissionParser.class);

    private final FhirContext fhir;
    private final IngestionConfig config;
    private final JsonShapeCheck shape;
    private final XmlShapeCheck xmlShape;

    public SubmissionParser(FhirContext fhir, IngestionConfig config) {
        this.fhir = fhir;
        this.config = config;
        this.shape = new JsonShapeCheck(new JsonLimits(config.maxJsonDepth(), config.maxNumberLength(),
                config.maxBundleEntries(), config.maxXhtmlDepth()));
        this.xmlShape = new XmlShapeCheck(new JsonLimits(config.maxJsonDepth(), config.maxNumberLength(),
                config.maxBundleEntries(), config.maxXhtmlDepth()));
    }

    /** Parses {@code body}, FHIR JSON; throws {@link RejectedSubmissionException} for anything not acceptable. */
    public ParsedSubmission parse(byte[] body) {
        return parse(body, null);
    }

    /**
     * Parses {@code body}, FHIR JSON whose root must be a {@code expectedType} (null: any resource); throws
     * {@link RejectedSubmissionException} for anything not acceptable.
     */
    public ParsedSubmission parse(byte[] body, String expectedType) {
        checkSize(body);
        try {
            shape.check(body);
        } catch (JsonShapeException e) {
            throw new RejectedSubmissionException(e.status(), e.issueType(), e.getMessage(), e.expression());
        }
        String text = text(body);
        Resource r = parseWith(fhir.newJsonParser(), text);
        // the document passes on as it arrived (one JSON object, checked strictly above): parsed once, never re-encoded
        return describe(r, expectedType, text::strip);
    }

    /**
     * One line of a bulk NDJSON import, parsed.
     *
     * @param resourceType its type
     * @param id           its id
     * @param patientId    the id of the Patient it is about: its own for a Patient, else the Patient its {@code
     *                     subject}, {@code patient} or {@code beneficiary} names; null when it names none
     * @param json         the line, as it arrived
     */
    public record ImportLine(String resourceType, String id, String patientId, String json) {
    }

    private static final java.util.List<String> PATIENT_ELEMENTS = java.util.List.of("subject", "patient",
            "beneficiary");
    private static final java.util.regex.Pattern PATIENT_REFERENCE = java.util.regex.Pattern.compile(
            "(?:.*/)?Patient/([A-Za-z0-9\\-.]{1,64})(?:/_history/.*)?");

    /**
     * Parses one line of an NDJSON import: a single resource with an id (checked and parsed as {@link #parse} does);
     * throws {@link RejectedSubmissionException} with the reason otherwise.
     */
    public ImportLine parseLine(byte[] line) {
        checkSize(line);
        try {
            shape.check(line);
        } catch (JsonShapeException e) {
            throw new RejectedSubmissionException(e.status(), e.issueType(), e.getMessage(), e.expression());
        }
        String text = text(line).strip();
        Resource r = parseWith(fhir.newJsonParser(), text);
        if (r instanceof Bundle) {
            throw new RejectedSubmissionException(400, IssueType.NOTSUPPORTED,
                    "a line holds one resource, not a Bundle (send Bundles to POST /fhir)");
        }
        checkId(r);
        String id = r.getIdElement().getIdPart();
        if (id == null) {
            throw new RejectedSubmissionException(400, IssueType.REQUIRED, r.fhirType() + " has no id");
        }
        String patient = r instanceof Patient ? id : null;
        for (int i = 0; patient == null && i < PATIENT_ELEMENTS.size(); i++) {
            org.hl7.fhir.r4.model.Property p = r.getNamedProperty(PATIENT_ELEMENTS.get(i));
            if (p != null && p.hasValues() && p.getValues().get(0) instanceof org.hl7.fhir.r4.model.Reference ref
                    && ref.getReference() != null) {
                java.util.regex.Matcher m = PATIENT_REFERENCE.matcher(ref.getReference());
                if (m.matches()) {
                    patient = m.group(1);
                }
            }
        }
        return new ImportLine(r.fhirType(), id, patient, text);
    }

    /**
     * Parses {@code body}, FHIR XML whose root must be a {@code expectedType} (null: any resource): checked first by
     * {@link XmlShapeCheck} (no DOCTYPE, no entities, limits), then parsed strictly by HAPI and passed on as FHIR JSON.
     */
    public ParsedSubmission parseXml(byte[] body, String expectedType) {
        checkSize(body);
        try {
            xmlShape.check(body);
        } catch (JsonShapeException e) {
            throw new RejectedSubmissionException(e.status(), e.issueType(), e.getMessage(), e.expression());
        }
        Resource r = parseWith(fhir.newXmlParser(), text(body));
        // described before it is encoded: HAPI's encoder gives id-less entries their fullUrl as id
        return describe(r, expectedType, () -> fhir.newJsonParser().encodeResourceToString(r));
    }

    private void checkSize(byte[] body) {
        if (body.length > config.maxSubmissionBytes()) {
            throw new RejectedSubmissionException(413, IssueType.TOOCOSTLY,
                    "submission of " + body.length + " bytes exceeds the limit of " + config.maxSubmissionBytes());
        }
    }

    private static String text(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private Resource parseWith(IParser parser, String text) {
        IBaseResource resource;
        try {
            resource = parser.setParserErrorHandler(new StrictErrorHandler()).parseResource(text);
        } catch (DataFormatException e) {
            throw new RejectedSubmissionException(400, IssueType.STRUCTURE,
                    "not a valid FHIR R4 resource: " + safeMessage(e));
        } catch (StackOverflowError e) {
            // the shape check bounds every nesting we know of; this is the net under it, should HAPI recurse elsewhere
            LOG.warn("the FHIR parser ran out of stack on a submission that passed the shape check");
            throw new RejectedSubmissionException(400, IssueType.TOOCOSTLY, "the submission nests too deeply");
        }
        if (!(resource instanceof Resource r)) {
            throw new RejectedSubmissionException(400, IssueType.STRUCTURE, "not a FHIR R4 resource");
        }
        return r;
    }

    private ParsedSubmission describe(Resource r, String expectedType, java.util.function.Supplier<String> encoded) {
        if (expectedType != null && !expectedType.equals(r.fhirType())) {
            throw new RejectedSubmissionException(400, IssueType.INVALID, "the body is a " + r.fhirType()
                    + ", but the URL names " + expectedType);
        }
        int entries = 1;
        String patientId = null;
        checkId(r);
        if (r instanceof Bundle b) {
            entries = b.getEntry().size();
            for (Bundle.BundleEntryComponent e : b.getEntry()) {
                if (e.getResource() != null) {
                    checkId(e.getResource());
                }
                if (e.getFullUrl() != null && e.getFullUrl().length() > MAX_FULL_URL) {
                    throw new RejectedSubmissionException(400, IssueType.INVALID,
                            "Bundle.entry.fullUrl longer than " + MAX_FULL_URL + " characters");
                }
            }
            if (entries > config.maxBundleEntries()) {
                throw new RejectedSubmissionException(413, IssueType.TOOCOSTLY, "Bundle has " + entries
                        + " entries, more than the limit of " + config.maxBundleEntries());
            }
            if (b.hasType() && BundleRequests.carriesRequests(b.getType().toCode())) {
                // ids and references resolved here, so that downstream services see stable ids
                BundleRequests.Resolution res = BundleRequests.resolve(encoded.get());
                return new ParsedSubmission(r.fhirType(), res.accepted(), res.patientLocalId(), res.json(),
                        BundleRequests.encode(res.type(), res.entries()));
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
        return new ParsedSubmission(r.fhirType(), entries, patientId, encoded.get());
    }

    /** FHIR ids: 1-64 characters of A-Z, a-z, 0-9, '-' and '.'. */
    private static void checkId(Resource r) {
        String id = r.getIdElement().getIdPart();
        if (id != null && !FHIR_ID.matcher(id).matches()) {
            throw new RejectedSubmissionException(400, IssueType.INVALID, r.fhirType()
                    + ".id is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .)");
        }
    }

    private static String localId(Patient p, String fullUrl) {
        if (p.hasIdElement() && p.getIdElement().getIdPart() != null) {
            return p.getIdElement().getIdPart();
        }
        if (fullUrl != null && !fullUrl.isBlank()) {
            String id = fullUrl.startsWith("urn:uuid:") ? fullUrl.substring(9) : fullUrl;
            return id.length() > 64 ? null : id;
        }
        return null;
    }

    /** HAPI's message names elements and positions; values could be patient data, so cut quoted parts. */
    private static String safeMessage(DataFormatException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        m = m.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("HAPI-\\d+: ", "");
        return m.length() > 300 ? m.substring(0, 300) : m;
    }
}
