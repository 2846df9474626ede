package org.recordline.ingestion.api;

/**
 * Examples the operations' OpenAPI annotations share (the document's title, version and tags are in package-info).
 * The document is served on the management port ({@code /q/openapi}) and committed as
 * {@code docs/openapi/ingestion-service.yaml}; service-commons' {@code SharedContractFilter} adds the security scheme and the
 * shared error answers. Examples carry no real patient data.
 */
public final class OpenApiExamples {

    static final String PATIENT = """
            {"resourceType":"Patient","id":"pat-1001","identifier":[{"system":"urn:oid:2.16.840.1.113883.19.5",\
            "value":"1001"}],"name":[{"family":"Example","given":["Alex"]}],"gender":"unknown",\
            "birthDate":"1970-01-01"}""";

    static final String RECEIPT = """
            {"submissionId":"7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f","status":"RECEIVED","resourceType":"Patient",\
            "entryCount":1,"receivedAt":"2026-01-15T09:30:00Z","replay":false}""";

    static final String ACCEPTED_OUTCOME = """
            {"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational",\
            "diagnostics":"accepted as submission 7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f; its outcome: GET \
            http://localhost:8081/fhir/_async/7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f"}]}""";

    static final String INVALID = """
            {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":\
            "a duplicate key at Patient.name[0].family","expression":["Patient.name[0].family"]}]}""";

    static final String TOO_COSTLY = """
            {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"too-costly","diagnostics":\
            "the submission is larger than 10485760 bytes"}]}""";

    static final String CONFLICT = """
            {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"conflict","diagnostics":\
            "this Idempotency-Key was used before for a different submission \
            (7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f); a resend must repeat the same body, new content needs a new \
            key"}]}""";

    static final String NOT_ACKNOWLEDGED = """
            {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":\
            "submission 7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f is recorded and will be published; the broker has not \
            acknowledged it yet. Resend with the same Idempotency-Key to confirm"}]}""";

    static final String ADT = "MSH|^~\\&|EHR|GENERAL-HOSPITAL|RECORDLINE|RECORDLINE|20260115093000||ADT^A04|MSG00001"
            + "|P|2.5\rEVN|A04|20260115093000\rPID|1||1001^^^GENERAL-HOSPITAL^MR||Example^Alex||19700101|U\r";

    static final String ACK_AA = "MSH|^~\\&|RECORDLINE|RECORDLINE|EHR|GENERAL-HOSPITAL|20260115093001||ACK^A04|"
            + "a1b2c3|P|2.5\rMSA|AA|MSG00001\r";

    static final String ACK_AE = "MSH|^~\\&|RECORDLINE|RECORDLINE|EHR|GENERAL-HOSPITAL|20260115093001||ACK^A04|"
            + "a1b2c3|P|2.5\rMSA|AE|MSG00001\rERR||PID^1^7|102^Data type error^HL70357|E\r";

    static final String NDJSON = """
            {"resourceType":"Patient","id":"pat-1001","name":[{"family":"Example"}]}
            {"resourceType":"Observation","id":"obs-1","status":"final","code":{"text":"weight"},\
            "subject":{"reference":"Patient/pat-1001"}}
            """;

    static final String IMPORT_ACCEPTED = """
            {"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational",\
            "diagnostics":"import 3f9e0c1a-2b4d-4e6f-8a0b-1c2d3e4f5a6b is STAGING: 0 line(s) read, 0 not taken so \
            far; its outcome: GET http://localhost:8081/fhir/_async/3f9e0c1a-2b4d-4e6f-8a0b-1c2d3e4f5a6b"}]}""";

    static final String SUBMISSION = """
            {"submissionId":"7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f","status":"INDEXED","sourceSystem":"general-hospital",\
            "resourceType":"Patient","entryCount":1,"receivedAt":"2026-01-15T09:30:00Z",\
            "updatedAt":"2026-01-15T09:30:02Z","enterprisePersonId":"c0ffee00-1234-4abc-8def-0123456789ab",\
            "steps":[{"status":"RECEIVED","occurredAt":"2026-01-15T09:30:00Z"},\
            {"status":"VALIDATED","occurredAt":"2026-01-15T09:30:01Z"},\
            {"status":"INDEXED","occurredAt":"2026-01-15T09:30:02Z"}]}""";

    private OpenApiExamples() {
    }
}
