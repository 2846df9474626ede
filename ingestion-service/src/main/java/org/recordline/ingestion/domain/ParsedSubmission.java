package org.recordline.ingestion.domain;

/**
 * A submission that parsed as FHIR R4.
 *
 * @param resourceType   type of the root resource
 * @param entryCount     resources in it (1 for a lone resource; the entries taken, for a batch)
 * @param patientLocalId id of the (first) Patient in the source system, or null if it names none
 * @param fhirJson       the resource as it passes on (FHIR JSON)
 * @param entryOutcomes  for a transaction or batch, what became of each entry ({@link BundleRequests#encode}); else null
 */
public record ParsedSubmission(String resourceType, int entryCount, String patientLocalId, String fhirJson,
                               String entryOutcomes) {

    /** A submission without per-entry outcomes. */
    public ParsedSubmission(String resourceType, int entryCount, String patientLocalId, String fhirJson) {
        this(resourceType, entryCount, patientLocalId, fhirJson, null);
    }
}
