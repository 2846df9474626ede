package org.recordline.index.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.index.domain.matching.Deduplicator;
import org.recordline.index.domain.matching.Demographics;
import org.recordline.index.domain.matching.Field;
import org.recordline.index.domain.matching.MatchModelJson;
import org.recordline.index.domain.matching.MatchModels;
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

/**
 * The match model: the one in force, and a re-estimate from the index's own records (EM over the pairs sharing a
 * stored blocking key, folded into their distinct comparison vectors, and the commonest names for term-frequency
 * adjustment). An estimate is returned, not applied: an administrator reviews it and puts it in force with
 * {@code recordline.index.match.model-file}. Role {@code admin}; every call is audited.
 */
@Path("/match-model")
@Tag(name = "Match model")
@RolesAllowed(Roles.ADMIN)
public class MatchModelResource {

    /** Most records one estimate reads. */
    static final int MAX_RECORDS = 1_000_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SecurityIdentity identity;
    private final AuditTrail audit;
    private final AgroalDataSource dataSource;
    private final MatchModels models;

    public MatchModelResource(SecurityIdentity identity, AuditTrail audit, AgroalDataSource dataSource,
                              MatchModels models) {
        this.identity = identity;
        this.audit = audit;
        this.dataSource = dataSource;
        this.models = models;
    }

    /** The model in force. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getMatchModel", summary = "The match model in force",
            description = "As a JSON document, the form it takes in configuration (recordline.index.match.model-file).")
    @APIResponse(responseCode = "200", description = "The model.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT)))
    public ObjectNode current() {
        return models.current().toJson();
    }

    /** Estimates a model from the most recent {@code records} source records (at most 1,000,000). */
    @POST
    @Path("/estimate")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "estimateMatchModel", summary = "Re-estimate the match model from the index's own records",
            description = "EM over the pairs sharing a stored blocking key; returned, not applied: an administrator reviews it and puts it in force with recordline.index.match.model-file. Audited.")
    @APIResponse(responseCode = "200", description = "The estimated model.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "400", description = "records is not 2 to 1,000,000, or not a number.")
    public Response estimate(@Parameter(description = "most records the estimate reads, 2 to 1,000,000") @QueryParam("records") @DefaultValue("100000") int records) {
        String actor = Principals.actor(identity);
        if (records < 2 || records > MAX_RECORDS) {
            audited(AuditActions.FAILURE, actor, "records out of range");
            return Response.status(400).type(ProblemDetail.MEDIA_TYPE).entity(ProblemDetail.of(400, "Bad Request",
                    "records must lie between 2 and " + MAX_RECORDS, "/match-model/estimate")).build();
        }
        List<Demographics> sample = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT demographics::text FROM source_record WHERE demographics IS NOT NULL ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, records);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sample.add(Demographics.fromJson(rs.getString(1)));
                }
            }
        } catch (SQLException | IOException e) {
            throw new DataAccessException("reading the records to estimate from failed", e);
        }
        Deduplicator.Estimate result = new Deduplicator().estimate(sample, Deduplicator.MAX_BLOCK);
        MatchModelJson estimated = new MatchModelJson(
                "estimated-" + Instant.now().truncatedTo(ChronoUnit.SECONDS), result.model(),
                java.util.Map.of(Field.GIVEN, result.frequencies().commonest(Field.GIVEN, 1000),
                        Field.FAMILY, result.frequencies().commonest(Field.FAMILY, 1000)));
        ObjectNode body = estimated.toJson();
        body.put("records", sample.size());
        body.put("candidatePairs", result.pairs());
        audited(AuditActions.SUCCESS, actor, "records=" + sample.size() + " pairs=" + result.pairs());
        return Response.ok(body).build();
    }

    /** The audit event in a transaction of its own: an estimate reads for minutes, outside any transaction. */
    private void audited(String outcome, String actor, String detail) {
        QuarkusTransaction.requiringNew().run(() -> audit.record(AuditActions.MATCH_MODEL_ESTIMATED, outcome, actor,
                null, null, "match-model", detail));
    }
}
