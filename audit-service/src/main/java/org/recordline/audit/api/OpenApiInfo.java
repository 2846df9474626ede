package org.recordline.audit.api;

/**
 * Examples the operations' OpenAPI annotations share (the document's title, version and tags are in package-info).
 * The document is served on the management port ({@code /q/openapi}) and committed as
 * {@code docs/openapi/audit-service.yaml}; service-commons' {@code SharedContractFilter} adds the security scheme and the
 * shared error answers. Examples carry no real patient data.
 */
public final class OpenApiInfo {

    static final String EVENTS = """
            [{"seq":1842,"eventId":"0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a","occurredAt":"2026-01-15T09:30:00Z",\
            "recordedAt":"2026-01-15T09:30:00.120Z","service":"ingestion-service","action":"submission.received",\
            "outcome":"success","actor":"general-hospital","submissionId":"7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f",\
            "purpose":"TREAT","entryHash":"9f2c0a7e4b1d3c5a6e8f0b2d4c6a8e0f1b3d5c7a9e1f3b5d7c9a1e3f5b7d9c1a"}]""";

    static final String CHECKPOINT = """
            {"treeSize":1842,"rootHash":"3b7e1c9a5d2f4e6a8c0b1d3f5e7a9c1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e3a",\
            "createdAt":"2026-01-15T09:31:00Z","keyId":"a1b2c3d4","signature":"MEUCIQ...base64...",\
            "note":"recordline audit log\\n1842\\nO34cml0...base64...\\n2026-01-15T09:31:00Z\\n"}""";

    private OpenApiInfo() {
    }
}
