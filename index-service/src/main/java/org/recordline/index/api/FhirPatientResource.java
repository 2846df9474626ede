package org.recordline.index.api;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.events.EventCodec;
import org.recordline.index.domain.PersonChart;
import org.recordline.index.domain.matching.Blocking;
import org.recordline.index.domain.matching.Demographics;
import org.recordline.index.domain.matching.MatchModelJson;
import org.recordline.index.domain.matching.MatchModels;
import org.recordline.index.domain.matching.PersonMatcher;
import org.recordline.index.domain.matching.PairComparator;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Patient queries over the index, in FHIR: demographic search returning golden records with a match score
 * (PDQm-like, {@code GET /fhir/Patient}), identifier cross-reference (PIXm-like,
 * {@code GET /fhir/Patient/$ihe-pix}) and a person's chart ({@code GET /fhir/Patient/[id]/$everything}). Every
 * answer is an audit event per person it returns; errors are OperationOutcomes.
 */
@Path("/fhir/Patient")
@Tag(name = "FHIR Patient")
@RolesAllowed({Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
@Produces(OperationOutcomes.FHIR_JSON)
public class FhirPatientResource {

    /** Most persons one search returns. */
    static final int MAX_RESULTS = 50;
    /** {@code $everything}'s page size when {@code _count} is not given. */
    static final int DEFAULT_PAGE = 100;
    /** {@code $everything}'s largest page. */
    static final int MAX_PAGE = 1000;

    private final SecurityIdentity identity;
    private final AuditTrail audit;
    private final OutboxWriter outbox;
    private final io.micrometer.core.instrument.Timer matchTimer;
    private final AgroalDataSource dataSource;
    private final MatchModels models;
    private final FhirContext fhir;
    private final double lower;
    private final PersonChart chart;
    private final PairComparator comparator = new PairComparator();

    public FhirPatientResource(SecurityIdentity identity, AuditTrail audit, OutboxWriter outbox,
                               AgroalDataSource dataSource, MatchModels models, FhirContext fhir, PersonChart chart,
                               io.micrometer.core.instrument.MeterRegistry registry,
                               @ConfigProperty(name = "recordline.index.match.lower-threshold", defaultValue = "2")
                               double lower) {
        this.identity = identity;
        this.audit = audit;
        this.outbox = outbox;
        this.matchTimer = io.micrometer.core.instrument.Timer.builder("recordline.index.search.match")
                .description("Matching one demographic query: blocking lookup, comparison and scoring of the"
                        + " candidates (not the golden records, the audit or the commit)")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.dataSource = dataSource;
        this.models = models;
        this.fhir = fhir;
        this.chart = chart;
        this.lower = lower;
    }

    /**
     * Demographic search: persons whose source records share a blocking key with the query and score at least the
     * lower threshold, best first, as a searchset Bundle of golden Patients with {@code search.score} (the match
     * probability at even prior odds, {@code 1 / (1 + 2^-score)}); or, with {@code identifier=system|value}, the
     * person holding that identifier (score 1).
     */
    @GET
    @Transactional
    @Operation(operationId = "searchPatients", summary = "Demographic or identifier search",
            description = "Persons whose source records share a blocking key with the query and score at least the lower threshold, best first, as a searchset Bundle of golden Patients with search.score; or, with identifier=system|value, the person holding it. An audited read.")
    @APIResponse(responseCode = "200", description = "A searchset Bundle.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT, description = "a FHIR R4 Bundle (searchset) of golden Patients")))
    @APIResponse(responseCode = "400", description = "No criterion (family, given, birthdate or identifier), an empty or over-long one, birthdate not yyyy-mm-dd, gender not male, female, other or unknown, identifier not system|value.")
    public Response search(@QueryParam("family") String family, @QueryParam("given") String given,
                           @QueryParam("birthdate") String birthdate, @QueryParam("gender") String gender,
                           @QueryParam("identifier") String identifier) {
        String refusal = refusal(family, given, birthdate, gender, identifier);
        if (refusal != null) {
            return outcome(400, IssueType.INVALID, refusal);
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            if (identifier != null) {
                int bar = identifier.indexOf('|');
                for (String person : persons(c, identifier.substring(0, bar), identifier.substring(bar + 1))) {
                    scores.put(person, 1.0);
                }
            } else {
                io.micrometer.core.instrument.Timer.Sample matching = io.micrometer.core.instrument.Timer.start();
                Demographics query = new Demographics(given, family, birthdate, gender, null, null, null, null, null,
                        null, List.of());
                var keys = Blocking.of(query).probe();
                if (!keys.isEmpty()) {
                    // scored as filing scores: an exact agreement on a common name weighs by the index's name counts
                    MatchModelJson model = models.current();
                    var frequency = PersonMatcher.frequencies(c, model, List.of(query));
                    // one index lookup per blocking key (block_key holds their 64-bit hashes, V7), and each source
                    // record by its primary key in a subquery the planner cannot flatten (OFFSET 0), so that tables
                    // not analysed yet never get a scan of every source record (PersonMatcher's candidates alike)
                    try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT s.enterprise_person_id,"
                            + " s.demographics FROM unnest(?::text[]) AS q (key) CROSS JOIN LATERAL"
                            + " (SELECT source_record_id FROM block_key WHERE key = hashtextextended(q.key, 0)"
                            + " LIMIT 1000) k CROSS JOIN LATERAL (SELECT sr.enterprise_person_id,"
                            + " sr.demographics::text AS demographics FROM source_record sr"
                            + " WHERE sr.id = k.source_record_id AND sr.demographics IS NOT NULL OFFSET 0) s"
                            + " LIMIT 1000")) {
                        ps.setArray(1, c.createArrayOf("text", keys.toArray()));
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                Demographics d = Demographics.fromJson(rs.getString(2));
                                double s = model.model().score(comparator.compare(query, d), query, frequency);
                                if (s >= lower) {
                                    scores.merge(rs.getString(1), s, Math::max);
                                }
                            }
                        }
                    }
                }
                scores.replaceAll((p, s) -> 1 / (1 + Math.pow(2, -s)));
                matching.stop(matchTimer);
            }
            List<Map.Entry<String, Double>> ranked = new ArrayList<>(scores.entrySet());
            ranked.sort(Map.Entry.<String, Double>comparingByValue().reversed()
                    .thenComparing(Map.Entry.comparingByKey()));
            ranked = ranked.subList(0, Math.min(MAX_RESULTS, ranked.size()));
            Map<String, JsonNode> golden = golden(c, ranked.stream().map(Map.Entry::getKey).toList());
            ObjectNode bundle = EventCodec.mapper().createObjectNode();
            bundle.put("resourceType", "Bundle");
            bundle.put("type", "searchset");
            bundle.put("total", ranked.size());
            ArrayNode entries = bundle.putArray("entry");
            String actor = Principals.actor(identity);
            // one audit event per person returned, added to the outbox in one batch
            List<org.recordline.events.OutgoingEvent> reads = new ArrayList<>(ranked.size());
            for (Map.Entry<String, Double> e : ranked) {
                JsonNode patient = golden.get(e.getKey());
                if (patient == null) {
                    continue;
                }
                ObjectNode entry = entries.addObject();
                entry.put("fullUrl", "Patient/" + e.getKey());
                entry.set("resource", patient);
                entry.putObject("search").put("mode", "match")
                        .put("score", Math.round(e.getValue() * 10000) / 10000.0);
                reads.add(audit.event(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, e.getKey(),
                        "treatment", "patient search result"));
            }
            if (!reads.isEmpty()) {
                outbox.add(reads);
            }
            if (ranked.isEmpty()) {
                audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, null, "treatment",
                        "patient search, no person found");
            }
            return Response.ok(bundle.toString()).build();
        } catch (SQLException | java.io.IOException e) {
            throw new DataAccessException("patient search failed", e);
        }
    }

    /**
     * Identifier cross-reference: for {@code sourceIdentifier=system|value}, a Parameters resource with every other
     * identifier of the person holding it ({@code targetIdentifier}) and the person's golden Patient
     * ({@code targetId}); {@code 404} when no person holds it.
     */
    @GET
    @Path("/{operation}")
    @Transactional
    @Operation(operationId = "ihePix", summary = "Identifier cross-reference ($ihe-pix)",
            description = "Every other identifier of the person holding sourceIdentifier, and the person's golden Patient. An audited read.",
            extensions = @Extension(name = org.recordline.commons.api.openapi.SharedContractFilter.PATH, value = "/fhir/Patient/$ihe-pix"))
    @APIResponse(responseCode = "200", description = "A Parameters resource: targetIdentifier (each) and targetId.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT, description = "a FHIR R4 Parameters resource"), examples = @ExampleObject(name = "pix", value = OpenApiInfo.PIX)))
    @APIResponse(responseCode = "400", description = "sourceIdentifier is not system|value (at most 500 characters).")
    @APIResponse(responseCode = "404", description = "No person holds the source identifier.")
    public Response crossReference(@PathParam("operation") String operation,
                                   @QueryParam("sourceIdentifier") String sourceIdentifier) {
        // a path template: a literal '/$ihe-pix' path did not match requests in the tests
        if (!"$ihe-pix".equals(operation)) {
            return outcome(404, IssueType.NOTSUPPORTED,
                    "no such operation or Patient read here; use $ihe-pix or search");
        }
        if (sourceIdentifier == null || sourceIdentifier.indexOf('|') <= 0
                || sourceIdentifier.indexOf('|') == sourceIdentifier.length() - 1 || sourceIdentifier.length() > 500) {
            return outcome(400, IssueType.INVALID, "sourceIdentifier must be system|value (at most 500 characters)");
        }
        int bar = sourceIdentifier.indexOf('|');
        String actor = Principals.actor(identity);
        try (Connection c = dataSource.getConnection()) {
            List<String> persons = persons(c, sourceIdentifier.substring(0, bar), sourceIdentifier.substring(bar + 1));
            if (persons.isEmpty()) {
                audit.record(AuditActions.RECORD_READ, AuditActions.FAILURE, actor, null, null, "treatment",
                        "identifier cross-reference, not found");
                return outcome(404, IssueType.NOTFOUND, "no person holds the source identifier");
            }
            String person = persons.get(0);
            ObjectNode parameters = EventCodec.mapper().createObjectNode();
            parameters.put("resourceType", "Parameters");
            ArrayNode parameter = parameters.putArray("parameter");
            try (PreparedStatement ps = c.prepareStatement("SELECT system, value FROM person_identifier"
                    + " WHERE enterprise_person_id = ? ORDER BY system, value")) {
                ps.setString(1, person);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if ((rs.getString(1) + "|" + rs.getString(2)).equals(sourceIdentifier)) {
                            continue;
                        }
                        ObjectNode p = parameter.addObject().put("name", "targetIdentifier");
                        p.putObject("valueIdentifier").put("system", rs.getString(1)).put("value", rs.getString(2));
                    }
                }
            }
            parameter.addObject().put("name", "targetId").putObject("valueReference")
                    .put("reference", "Patient/" + person);
            audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, person, "treatment",
                    "identifier cross-reference");
            return Response.ok(parameters.toString()).build();
        } catch (SQLException e) {
            throw new DataAccessException("identifier cross-reference failed", e);
        }
    }

    /**
     * A person's chart, FHIR's {@code Patient/[id]/$everything}: a searchset Bundle of the person's golden Patient
     * (first page only) and then every resource filed under the person from all their source records, ordered by
     * clinical date (undated last), type and id, each with {@code meta.versionId} and {@code meta.source}. Parameters:
     * {@code _type} (comma-separated resource types), {@code start} and {@code end} (FHIR dates {@code yyyy},
     * {@code yyyy-mm} or {@code yyyy-mm-dd}, inclusive, on the clinical date; with either, undated resources are left
     * out), {@code _count} (page size, default 100, at most 1,000: more is cut to 1,000) and {@code _offset} (the
     * page's first position; the golden Patient is position 0), with a {@code next} link while there is more. A
     * person merged into another answers with the survivor's chart and an informational OperationOutcome entry
     * ({@code search.mode} {@code outcome}). An audited read.
     */
    @GET
    @Path("/{id}/{operation}")
    @Operation(operationId = "patientEverything", summary = "A person's chart ($everything)",
            description = "A searchset Bundle of the golden Patient (first page) and every resource filed under the person, by clinical date, type and id, paged with a next link. A merged person answers with the survivor's chart. An audited read.",
            extensions = @Extension(name = org.recordline.commons.api.openapi.SharedContractFilter.PATH, value = "/fhir/Patient/{id}/$everything"))
    @APIResponse(responseCode = "200", description = "A searchset Bundle.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT, description = "a FHIR R4 Bundle (searchset)")))
    @APIResponse(responseCode = "400", description = "_type not resource types, start or end not FHIR dates, start after end, _count or _offset below 0 or not a number.")
    @APIResponse(responseCode = "404", description = "No such Patient.")
    public Response everything(@Parameter(description = "the enterprise person id") @PathParam("id") String id, @PathParam("operation") String operation,
                               @QueryParam("_type") String type, @QueryParam("start") String start,
                               @QueryParam("end") String end, @QueryParam("_count") Integer count,
                               @QueryParam("_offset") Integer offset, @Context UriInfo uri) {
        if (!"$everything".equals(operation)) {
            return outcome(404, IssueType.NOTSUPPORTED, "no such operation on a Patient here; use $everything");
        }
        List<String> types = null;
        if (type != null) {
            types = new ArrayList<>();
            for (String t : type.split(",", -1)) {
                if (!t.strip().matches("[A-Z][A-Za-z]{1,63}")) {
                    return outcome(400, IssueType.INVALID, "_type must be comma-separated FHIR resource types");
                }
                types.add(t.strip());
            }
        }
        Instant from;
        Instant until;
        try {
            from = start == null ? null : FhirDates.firstInstant(start);
            until = end == null ? null : FhirDates.afterLastInstant(end);
        } catch (IllegalArgumentException e) {
            return outcome(400, IssueType.INVALID, "start and end must be FHIR dates: yyyy, yyyy-mm or yyyy-mm-dd");
        }
        if (from != null && until != null && !from.isBefore(until)) {
            return outcome(400, IssueType.INVALID, "start lies after end");
        }
        int size = count == null ? DEFAULT_PAGE : Math.min(count, MAX_PAGE);
        int first = offset == null ? 0 : offset;
        if (size < 0 || first < 0) {
            return outcome(400, IssueType.INVALID, "_count and _offset must be 0 or more");
        }
        PersonChart.Page page = chart.everything(id, new PersonChart.Query(types, from, until, size, first),
                Principals.actor(identity));
        if (page == null) {
            return outcome(404, IssueType.NOTFOUND, "no such Patient");
        }
        long shown = (page.golden() == null ? 0 : 1) + page.entries().size();
        URI next = size > 0 && first + shown < page.total() ? page(uri, id, first + shown, size) : null;
        return Response.ok(ChartBundles.text(ChartBundles.everything(page, page(uri, id, first, size), next)))
                .build();
    }

    /** The URL of the {@code $everything} page at {@code offset}, with the request's other parameters. */
    private static URI page(UriInfo uri, String id, long offset, int count) {
        StringBuilder query = new StringBuilder();
        for (var p : uri.getQueryParameters().entrySet()) {
            if (!p.getKey().equals("_offset") && !p.getKey().equals("_count")) {
                for (String v : p.getValue()) {
                    query.append(encode(p.getKey())).append('=').append(encode(v)).append('&');
                }
            }
        }
        query.append("_count=").append(count).append("&_offset=").append(offset);
        // built by hand: a UriBuilder escapes the '$' of the operation, which FHIR clients do not expect
        return URI.create(uri.getBaseUri().toString().replaceAll("/$", "") + "/fhir/Patient/" + encode(id)
                + "/$everything?" + query);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The person holding an identifier (an identifier stays with the first person it was seen with). */
    private static List<String> persons(Connection c, String system, String value) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT enterprise_person_id FROM person_identifier"
                + " WHERE system = ? AND value = ?")) {
            ps.setString(1, system);
            ps.setString(2, value);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static Map<String, JsonNode> golden(Connection c, List<String> persons)
            throws SQLException, java.io.IOException {
        Map<String, JsonNode> out = new HashMap<>();
        if (persons.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT enterprise_person_id, patient::text FROM golden_record"
                + " WHERE enterprise_person_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("varchar", persons.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), EventCodec.mapper().readTree(rs.getString(2)));
                }
            }
        }
        return out;
    }

    /** Why a search cannot run, or null: something to search by, sane lengths and formats. */
    static String refusal(String family, String given, String birthdate, String gender, String identifier) {
        if (family == null && given == null && birthdate == null && identifier == null) {
            return "search by family, given, birthdate or identifier";
        }
        for (String v : new String[] {family, given, gender, identifier}) {
            if (v != null && (v.isBlank() || v.length() > 200)) {
                return "a search parameter is empty or longer than 200 characters";
            }
        }
        if (birthdate != null && !birthdate.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
            return "birthdate must be a full date, yyyy-mm-dd";
        }
        if (gender != null
                && !List.of("male", "female", "other", "unknown").contains(gender.toLowerCase(Locale.ROOT))) {
            return "gender must be male, female, other or unknown";
        }
        if (identifier != null && (identifier.indexOf('|') <= 0 || identifier.endsWith("|"))) {
            return "identifier must be system|value";
        }
        return null;
    }

    private Response outcome(int status, IssueType type, String diagnostics) {
        return Response.status(status).type(OperationOutcomes.FHIR_JSON)
                .entity(OperationOutcomes.error(fhir, type, diagnostics)).build();
    }
}
