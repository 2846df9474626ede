package org.recordline.ingestion.domain;

/**
 * A submission that parsed as FHIR R4.
 *
 * @param resourceType   type of the root resource
 * @param entryCount     resources in it (1 for a lone resource)
 * @param patientLocalId id of the (first) Patient in the source system, or null if it names none
 * @param fhirJson       the resource re-serialised by HAPI
 */
public record ParsedSubmission(String resourceType, int entryCount, String patientLocalId, String fhirJson) {
}
