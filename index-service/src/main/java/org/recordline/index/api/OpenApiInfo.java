package org.recordline.index.api;

/**
 * Examples the operations' OpenAPI annotations share (the document's title, version and tags are in package-info).
 * The document is served on the management port ({@code /q/openapi}) and committed as
 * {@code docs/openapi/index-service.yaml}; service-commons' {@code SharedContractFilter} adds the security scheme and the
 * shared error answers. Examples carry no real patient data.
 */
public final class OpenApiInfo {

    static final String LINK = """
            {"sourceRecordKey":"general-hospital|pat-1001","reason":"same patient: confirmed by phone with the clinic"}""";

    static final String MERGE = """
            {"from":"5a1e2c3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d","reason":"duplicate person: same MRN at two facilities"}""";

    static final String CHANGE = """
            {"changeId":42,"action":"merge","fromPersonId":"5a1e2c3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d",\
            "toPersonId":"c0ffee00-1234-4abc-8def-0123456789ab","sourceRecordKeys":["general-hospital|pat-1001"],\
            "resourcesMoved":17,"fromMerged":true}""";

    static final String REASON = """
            {"reason":"same person: birth date and address agree, name misspelt"}""";

    static final String PIX = """
            {"resourceType":"Parameters","parameter":[{"name":"targetIdentifier","valueIdentifier":\
            {"system":"urn:oid:2.16.840.1.113883.19.5","value":"1001"}},{"name":"targetId","valueReference":\
            {"reference":"Patient/c0ffee00-1234-4abc-8def-0123456789ab"}}]}""";

    private OpenApiInfo() {
    }
}
