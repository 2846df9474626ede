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

/**
 * The rule packs in force, and loading a new one without a restart (role {@code admin}). Loading, and a refused
 * load, are audit events.
 */
@Path("/rule-packs")
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
    public List<PackSummary> list() {
        return packs.current().stream().map(p -> new PackSummary(p.pack(), p.version(), p.rules().size())).toList();
    }

    /** Loads a pack (YAML); it replaces the pack of the same id on every instance from their next batch. */
    @POST
    @RolesAllowed(Roles.ADMIN)
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
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
