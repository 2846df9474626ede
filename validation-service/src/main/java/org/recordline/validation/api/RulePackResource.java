package org.recordline.validation.api;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.validation.rules.RulePack;
import org.recordline.validation.rules.RulePackException;
import org.recordline.validation.rules.RulePacks;
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
 * The rule packs in force, and loading a new one without a restart (role {@code admin}). Loading, and a refused
 * load, are audit events.
 */
@Path("/rule-packs")
@Tag(name = "Rule packs")
public class RulePackResource {

    private final SecurityIdentity identity;
    private final RulePacks packs;
    private final AuditTrail audit;

    public RulePackResource(SecurityIdentity identity, RulePacks packs, AuditTrail audit) {
        this.identity = identity;
        this.packs = packs;
        this.audit = audit;
    }

    /**
     * A pack in force.
     *
     * @param pack    its id
     * @param version its version
     * @param rules   how many rules it holds
     */
    public record PackSummary(String pack, String version, int rules) {
    }

    /** The packs in force now. */
    @GET
    @RolesAllowed({Roles.ADMIN, Roles.RECORDS_TECHNICIAN})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "listRulePacks", summary = "The rule packs in force")
    @APIResponse(responseCode = "200", description = "The packs in force.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = PackSummary.class), examples = @ExampleObject(name = "packs", value = OpenApiInfo.PACKS)))
    public List<PackSummary> list() {
        return packs.current().stream().map(p -> new PackSummary(p.pack(), p.version(), p.rules().size())).toList();
    }

    /** Loads a pack (YAML); it replaces the pack of the same id on every instance from their next batch. */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "loadRulePack", summary = "Load a rule pack (YAML)",
            description = "It replaces the pack of the same id on every instance from their next batch.")
    @RequestBody(required = true, description = "A rule pack (validation-service/README.md, Rule packs)", content = {
            @Content(mediaType = "application/yaml", schema = @Schema(type = SchemaType.STRING),
                    examples = @ExampleObject(name = "pack", value = OpenApiInfo.PACK_YAML)),
            @Content(mediaType = "application/x-yaml", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "text/yaml", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "201", description = "Loaded: the pack now in force.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = PackSummary.class)))
    @APIResponse(responseCode = "422", description = "Not a usable rule pack: every problem, separated by semicolons.")
    public Response load(String yaml) {
        String actor = Principals.actor(identity);
        try {
            RulePack p = QuarkusTransaction.requiringNew().call(() -> {
                RulePack loaded = packs.load(yaml, actor);
                audit.record(AuditActions.RULE_PACK_LOADED, AuditActions.SUCCESS, actor, null, null,
                        "administration", "pack=" + loaded.label() + " rules=" + loaded.rules().size());
                return loaded;
            });
            return Response.status(201).entity(new PackSummary(p.pack(), p.version(), p.rules().size())).build();
        } catch (RulePackException e) {
            QuarkusTransaction.requiringNew().run(() -> audit.record(AuditActions.RULE_PACK_LOADED,
                    AuditActions.FAILURE, actor, null, null, "administration",
                    "refused: " + e.problems().size() + " problem(s)"));
            return Response.status(422).type(ProblemDetail.MEDIA_TYPE)
                    .entity(ProblemDetail.of(422, "Unusable rule pack", String.join("; ", e.problems()), null))
                    .build();
        }
    }
}
