package org.recordline.index.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.events.EventCodec;
import org.recordline.index.persistence.EnterprisePerson;
import org.recordline.index.persistence.SourceRecord;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /persons/{id}}: an enterprise person's source records and what is filed under them. Audited. */
@Path("/persons")
@Tag(name = "Persons")
public class PersonResource {

    private final SecurityIdentity identity;
    private final AuditTrail audit;
    private final EntityManager em;

    public PersonResource(SecurityIdentity identity, AuditTrail audit, EntityManager em) {
        this.identity = identity;
        this.audit = audit;
        this.em = em;
    }

    /**
     * An enterprise person.
     *
     * @param enterprisePersonId the person
     * @param sourceRecords      the source records filed under them
     * @param resourceCounts     resources filed, by FHIR type
     * @param golden             the golden record: one FHIR Patient built from every source record by survivorship
     * @param provenance         for each value of the golden record, the source record it came from
     * @param mergedInto         the person this one's records went to, when a technician linked them elsewhere
     */
    public record PersonView(String enterprisePersonId, List<SourceRecordView> sourceRecords,
                             Map<String, Long> resourceCounts, JsonNode golden, JsonNode provenance,
                             String mergedInto) {
    }

    /**
     * A source record.
     *
     * @param sourceRecordKey  {@code source-system|local-id}
     * @param matchRule        how it was matched to the person
     * @param lastSubmissionId the submission that last updated it
     */
    public record SourceRecordView(String sourceRecordKey, String matchRule, String lastSubmissionId) {
    }

    @GET
    @Path("/{id}")
    @Transactional
    @RolesAllowed({Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getPerson", summary = "A person with the golden record",
            description = "Source records, resource counts by type, the golden Patient and its provenance; a merged person names the person it was merged into. An audited read.")
    @APIResponse(responseCode = "200", description = "The person.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = PersonView.class)))
    @APIResponse(responseCode = "404", description = "No such person.")
    public Response get(@Parameter(description = "the enterprise person id") @PathParam("id") String id) {
        String actor = Principals.actor(identity);
        EnterprisePerson p = id.length() > 36 ? null : EnterprisePerson.findById(id);
        if (p == null) {
            audit.record(AuditActions.RECORD_READ, AuditActions.FAILURE, actor, null, null, "person", "not found");
            return Response.status(404).type(ProblemDetail.MEDIA_TYPE)
                    .entity(ProblemDetail.of(404, "Not Found", "no such person", "/persons/" + id)).build();
        }
        audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, p.id, "person", "summary");
        List<SourceRecordView> sources = SourceRecord.ofPerson(p.id).stream()
                .map(s -> new SourceRecordView(s.sourceRecordKey, s.matchRule, s.lastSubmissionId)).toList();
        @SuppressWarnings("unchecked")
        List<Object[]> counts = em.createNativeQuery("SELECT resource_type, count(*) FROM record_resource "
                + "WHERE enterprise_person_id = ?1 GROUP BY resource_type").setParameter(1, p.id).getResultList();
        Map<String, Long> byType = new TreeMap<>();
        counts.forEach(r -> byType.put((String) r[0], ((Number) r[1]).longValue()));
        @SuppressWarnings("unchecked")
        List<Object[]> golden = em.createNativeQuery("SELECT g.patient::text, g.provenance::text, p.merged_into"
                + " FROM enterprise_person p LEFT JOIN golden_record g ON g.enterprise_person_id = p.id"
                + " WHERE p.id = ?1").setParameter(1, p.id).getResultList();
        Object[] g = golden.get(0);
        return Response.ok(new PersonView(p.id, sources, byType, tree((String) g[0]), tree((String) g[1]),
                (String) g[2])).build();
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? null : EventCodec.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored golden record is not JSON", e);
        }
    }
}
