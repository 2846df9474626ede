package org.recordline.validation.api;

/**
 * Examples the operations' OpenAPI annotations share (the document's title, version and tags are in package-info).
 * The document is served on the management port ({@code /q/openapi}) and committed as
 * {@code docs/openapi/validation-service.yaml}; service-commons' {@code SharedContractFilter} adds the security scheme and the
 * shared error answers. Examples carry no real patient data.
 */
public final class OpenApiInfo {

    static final String QUEUE = """
            [{"submissionId":"7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f","sourceSystem":"general-hospital",\
            "resourceType":"Bundle","status":"OPEN","version":1,"quarantinedAt":"2026-01-15T09:30:01Z",\
            "claimedBy":null,"claimExpiresAt":null,"rules":["patient-identifier"],\
            "issues":[{"severity":"error","code":"required","rule":"patient-identifier","expression":\
            "Patient.identifier","message":"Patient has no identifier with a system and a value""}]}]""";

    static final String CLAIM = """
            {"claimedBy":"tech.jordan","claimExpiresAt":"2026-01-15T10:00:00Z"}""";

    static final String NOTE = """
            {"text":"called the sending clinic: identifier follows"}""";

    static final String DISMISS = """
            {"reason":"test record sent by mistake"}""";

    static final String CORRECTED = """
            {"status":"RESOLVED","version":2,"issues":[]}""";

    static final String PACKS = """
            [{"pack":"recordline-core","version":"2026.11.1","rules":24}]""";

    static final String PACK_YAML = """
            pack: local-extra
            version: 2026.12.1
            rules:
              - id: patient-birth-date
                resourceType: Patient
                severity: error
                require: birthDate.exists()
                location: birthDate
                message: Patient has no birth date
            """;

    private OpenApiInfo() {
    }
}
