package org.recordline.commons.api.openapi;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.examples.Example;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;
import org.recordline.commons.api.ErrorResponses;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.fhir.OperationOutcomes;

/**
 * The parts of every service's OpenAPI document that service-commons decides, so that no service carries its own
 * copy: the bearer-token security scheme, a security requirement on every operation, the error bodies and the
 * answers the shared machinery gives on any endpoint.
 * <ul>
 *   <li>the audit headers ({@code RequestAudit}) as parameters of every operation, and {@code 400} for a malformed
 *       one, for a numeric parameter that is not a number ({@code StrictParameterConverters}) and for a JSON body that
 *       does not map;</li>
 *   <li>{@code 401} (with {@code WWW-Authenticate: Bearer}) and {@code 403} on every operation
 *       ({@code BearerChallenge}, {@code SecurityErrorMappers});</li>
 *   <li>{@code 415} on every operation that takes a body (a {@code Content-Type} it does not consume; the status is
 *       kept by {@code ErrorAnswers});</li>
 *   <li>{@code 500} with an incident id and {@code 503} with {@code Retry-After} on every operation
 *       ({@code UnexpectedErrorMapper}, {@code ErrorAnswers}); an operation that reaches neither the database nor
 *       the broker says so with the extension {@value #NO_BACKEND} and is documented without the {@code 503};</li>
 *   <li>every error answer an operation declares without a body gets the body of its path: a FHIR
 *       {@code OperationOutcome} on {@code /fhir} paths, RFC 9457 problem details elsewhere ({@link ErrorResponses}).</li>
 *   <li>an operation documented under another path than its JAX-RS pattern names it with the extension
 *       {@value #PATH}.</li>
 * </ul>
 * Runs at build time, so the document stored by the build ({@code target/openapi}) is the one served.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class SharedContractFilter implements OASFilter {

    /** Name of the security scheme in {@code components.securitySchemes}. */
    public static final String SCHEME = "bearer";
    /** Operation extension of an operation that touches neither database nor broker (no {@code 503}). */
    public static final String NO_BACKEND = "x-recordline-no-backend";
    /**
     * Operation extension naming the path an operation is documented under, for a JAX-RS path that is a pattern (e.g.
     * {@code /fhir/{operation: [$]import|%24import}}, which the scanner documents as {@code /fhir/{operation}}, a path
     * that would also match {@code /fhir/{type}}): the operation moves to that path, without the path parameters the
     * new path no longer has.
     */
    public static final String PATH = "x-recordline-path";
    static final String PROBLEM = "ProblemDetail";
    static final String OUTCOME = "OperationOutcome";
    /** Answers the shared machinery gives (audit headers, refusals, media types, failures), in the path's shape. */
    static final Set<String> SHARED_ANSWERS = Set.of("400", "401", "403", "415", "500", "503");
    /** The audit headers every REST request may carry (RequestAudit), as components.parameters. */
    static final Map<String, String> AUDIT_HEADERS = new LinkedHashMap<>();

    static {
        AUDIT_HEADERS.put("X-Purpose-Of-Use", "Why the caller asks: a code of HL7's PurposeOfUse value set (e.g. TREAT, "
                + "HOPERAT, PATRQT, PUBHLTH); recorded in the audit events of the request. Default: the service's "
                + "recordline.audit.default-purpose.");
        AUDIT_HEADERS.put("X-On-Behalf-Of", "The person a system caller acts for, as the caller asserts it (up to 200 "
                + "printable characters); recorded, not verified.");
        AUDIT_HEADERS.put("X-Correlation-Id", "Up to 100 of A-Z a-z 0-9 . _ : - ; echoed in the answer, one is made "
                + "when absent.");
    }

    @Override
    public void filterOpenAPI(OpenAPI api) {
        Components components = api.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            api.setComponents(components);
        }
        components.addSecurityScheme(SCHEME, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
                .description("An OpenID Connect access token (RS256) from the platform's identity provider: issuer "
                        + "and audience as configured (locally https://recordline.local/issuer, audience recordline). "
                        + "Roles come from the claim groups or Keycloak's realm_access.roles: ehr-publisher, "
                        + "records-technician, auditor, admin. Each operation's requirement lists the roles it "
                        + "accepts."));
        for (Map.Entry<String, String> header : AUDIT_HEADERS.entrySet()) {
            components.addParameter(header.getKey(), OASFactory.createParameter().name(header.getKey())
                    .in(Parameter.In.HEADER).required(false).description(header.getValue())
                    .schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)));
        }
        components.addSchema(PROBLEM, problemSchema());
        components.addSchema(OUTCOME, outcomeSchema());
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        movePaths(api);
        for (Map.Entry<String, PathItem> path : api.getPaths().getPathItems().entrySet()) {
            Map<PathItem.HttpMethod, Operation> operations = path.getValue().getOperations();
            if (operations == null) {
                continue;
            }
            for (Operation op : operations.values()) {
                complete(path.getKey(), op);
            }
        }
    }

    /** Moves each operation with {@value #PATH} to that path; the paths end up in alphabetical order. */
    private static void movePaths(OpenAPI api) {
        Map<String, PathItem> items = new TreeMap<>(api.getPaths().getPathItems());
        for (Map.Entry<String, PathItem> path : new ArrayList<>(items.entrySet())) {
            Map<PathItem.HttpMethod, Operation> operations = path.getValue().getOperations();
            if (operations == null) {
                continue;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> e : operations.entrySet()) {
                Operation op = e.getValue();
                Object target = op.getExtensions() == null ? null : op.getExtensions().get(PATH);
                if (target == null || target.toString().equals(path.getKey())) {
                    continue;
                }
                String to = target.toString();
                op.removeExtension(PATH);
                if (op.getParameters() != null) {
                    op.setParameters(op.getParameters().stream().filter(p -> p.getIn() != Parameter.In.PATH
                            || to.contains("{" + p.getName() + "}")).toList());
                }
                path.getValue().setOperation(e.getKey(), null);
                PathItem moved = items.computeIfAbsent(to, k -> OASFactory.createPathItem());
                moved.setOperation(e.getKey(), op);
            }
            if (path.getValue().getOperations() == null || path.getValue().getOperations().isEmpty()) {
                items.remove(path.getKey());
            }
        }
        api.getPaths().setPathItems(new LinkedHashMap<>(items));
    }

    private static void complete(String path, Operation op) {
        boolean fhir = ErrorResponses.isFhir(path);
        if (op.getSecurity() == null || op.getSecurity().isEmpty()) {
            op.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(SCHEME));
        }
        boolean backend = op.getExtensions() == null || !op.getExtensions().containsKey(NO_BACKEND);
        if (!backend) {
            op.removeExtension(NO_BACKEND);
        }
        APIResponses responses = op.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            op.setResponses(responses);
        }
        dropScannerDefault(responses);
        // the descriptions Quarkus' security filter gives its 401 and 403 say less than ours
        if (responses.hasAPIResponse("401") && "Not Authorized".equals(responses.getAPIResponse("401").getDescription())) {
            responses.removeAPIResponse("401");
        }
        if (responses.hasAPIResponse("403") && "Not Allowed".equals(responses.getAPIResponse("403").getDescription())) {
            responses.removeAPIResponse("403");
        }
        put(responses, "401", "No bearer token, or one that is not valid (signature, issuer, audience or expiry). "
                + "Carries WWW-Authenticate: Bearer; the refusal is audited (access.denied).");
        responses.getAPIResponse("401").addHeader("WWW-Authenticate", OASFactory.createHeader()
                .description("Bearer").schema(OASFactory.createSchema().addType(Schema.SchemaType.STRING)));
        put(responses, "403", "The token's roles do not allow this operation; the refusal is audited (access.denied).");
        // every REST request's audit headers are checked before the resource runs (RequestAudit)
        for (String header : AUDIT_HEADERS.keySet()) {
            if (op.getParameters() == null || op.getParameters().stream().noneMatch(p -> header.equals(p.getName()))) {
                op.addParameter(OASFactory.createParameter().ref(header));
            }
        }
        List<String> badRequest = new ArrayList<>();
        if (responses.hasAPIResponse("400")) {
            badRequest.add(responses.getAPIResponse("400").getDescription());
        }
        if (numericParameter(op)) {
            badRequest.add("A numeric parameter that is not a number (named in the answer).");
        }
        if (jsonBody(op)) {
            badRequest.add("A body that is not JSON of the expected shape.");
        }
        badRequest.add("A malformed X-Purpose-Of-Use, X-Correlation-Id or X-On-Behalf-Of header (named in the answer).");
        if (responses.hasAPIResponse("400")) {
            responses.getAPIResponse("400").setDescription(String.join(" ", badRequest));
        } else {
            responses.addAPIResponse("400", OASFactory.createAPIResponse().description(String.join(" ", badRequest)));
        }
        if (op.getRequestBody() != null) {
            put(responses, "415", "A Content-Type this operation does not take.");
        }
        put(responses, "500", "An unexpected failure; the detail names an incident id that is also in the service's "
                + "log (never a stack trace or request data).");
        if (backend) {
            put(responses, "503", "The database or the broker cannot be reached right now: retry after Retry-After "
                    + "seconds.");
            APIResponse unavailable = responses.getAPIResponse("503");
            if (unavailable.getHeaders() == null || !unavailable.getHeaders().containsKey("Retry-After")) {
                unavailable.addHeader("Retry-After", retryAfter());
            }
        }
        Map<String, APIResponse> sorted = new TreeMap<>(responses.getAPIResponses());
        for (Map.Entry<String, APIResponse> r : sorted.entrySet()) {
            if (r.getKey().startsWith("2") || r.getKey().startsWith("3")) {
                continue;
            }
            Content shape = errorContent(fhir, Integer.parseInt(r.getKey()), r.getValue());
            Content content = r.getValue().getContent();
            if (content == null) {
                r.getValue().setContent(shape);
            } else if (SHARED_ANSWERS.contains(r.getKey())) {
                // an operation with bodies of its own (HL7 v2) still gets the shared machinery's shape for these
                shape.getMediaTypes().forEach((type, media) -> {
                    if (!content.hasMediaType(type)) {
                        content.addMediaType(type, media);
                    }
                });
            }
        }
        responses.setAPIResponses(new LinkedHashMap<>(sorted));
    }

    /**
     * The scanner's default {@code 200 OK} without a schema, which a second Java method of the same operation (JSON
     * and XML variants) brings along, is dropped when the operation declares its own success answers.
     */
    private static void dropScannerDefault(APIResponses responses) {
        APIResponse ok = responses.getAPIResponse("200");
        if (ok == null || !"OK".equals(ok.getDescription())) {
            return;
        }
        boolean declared = responses.getAPIResponses().entrySet().stream()
                .anyMatch(r -> r.getKey().startsWith("2") && r.getValue() != ok);
        boolean schemaless = ok.getContent() == null || ok.getContent().getMediaTypes().values().stream()
                .allMatch(m -> m.getSchema() == null || (m.getSchema().getRef() == null
                        && m.getSchema().getType() == null && m.getSchema().getProperties() == null));
        if (declared && schemaless) {
            responses.removeAPIResponse("200");
        }
    }

    private static boolean numericParameter(Operation op) {
        return op.getParameters() != null && op.getParameters().stream().anyMatch(p -> p.getSchema() != null
                && p.getSchema().getType() != null && (p.getSchema().getType().contains(Schema.SchemaType.INTEGER)
                || p.getSchema().getType().contains(Schema.SchemaType.NUMBER)));
    }

    /** A body bound to a Java type from plain JSON, which JAX-RS refuses with 400 when it does not map. */
    private static boolean jsonBody(Operation op) {
        if (op.getRequestBody() == null || op.getRequestBody().getContent() == null) {
            return false;
        }
        MediaType json = op.getRequestBody().getContent().getMediaType("application/json");
        return json != null && json.getSchema() != null && json.getSchema().getRef() != null;
    }

    private static void put(APIResponses responses, String code, String description) {
        if (!responses.hasAPIResponse(code)) {
            responses.addAPIResponse(code, OASFactory.createAPIResponse().description(description));
        }
    }

    private static Header retryAfter() {
        return OASFactory.createHeader().description("Seconds to wait before retrying")
                .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER));
    }

    /** The error body of {@code path} for {@code status}, with an example of it. */
    private static Content errorContent(boolean fhir, int status, APIResponse response) {
        String title = title(status);
        Example example = OASFactory.createExample();
        String mediaType;
        if (fhir) {
            mediaType = OperationOutcomes.FHIR_JSON;
            Map<String, Object> issue = new LinkedHashMap<>();
            issue.put("severity", "error");
            issue.put("code", ErrorResponses.issueType(status).toCode());
            issue.put("diagnostics", detail(status) == null ? title : title + ": " + detail(status));
            Map<String, Object> outcome = new LinkedHashMap<>();
            outcome.put("resourceType", "OperationOutcome");
            outcome.put("issue", List.of(issue));
            example.value(outcome);
        } else {
            mediaType = ProblemDetail.MEDIA_TYPE;
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "about:blank");
            problem.put("title", title);
            problem.put("status", status);
            if (detail(status) != null) {
                problem.put("detail", detail(status));
            }
            example.value(problem);
        }
        MediaType media = OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(fhir ? OUTCOME : PROBLEM))
                .addExample(Integer.toString(status), example);
        return OASFactory.createContent().addMediaType(mediaType, media);
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    private static String detail(int status) {
        return switch (status) {
            case 401 -> "a bearer token is required";
            case 403 -> "the token's roles do not allow this request";
            case 500 -> "incident 0b7c2f5e-3f3a-4a8e-9a52-6c1d2e4f5a6b";
            case 503 -> "a service this request needs (database or broker) cannot be reached right now; retry later";
            case 400 -> "header 'X-Purpose-Of-Use' must be a code of HL7's PurposeOfUse value set, e.g. TREAT, HOPERAT,"
                    + " PATRQT, PUBHLTH; got 'CURIOSITY'";
            case 404 -> "no such resource";
            case 409 -> "the request conflicts with the resource's current state";
            case 410 -> "removed by retention";
            case 413 -> "the request is larger than the limit";
            case 422 -> "the request is well-formed but cannot be applied";
            case 415 -> null; // a status raised by JAX-RS keeps its title only (ErrorAnswers)
            default -> "what was refused and why (never patient data)";
        };
    }

    private static Schema problemSchema() {
        Schema s = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details, the error body of every endpoint outside /fhir. Never "
                        + "carries stack traces, class names or patient data.");
        s.addProperty("type", str("URI identifying the problem type (about:blank when the status says it all)"));
        s.addProperty("title", str("short summary of the problem type"));
        s.addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format("int32")
                .description("the HTTP status code"));
        s.addProperty("detail", str("explanation specific to this occurrence"));
        s.addProperty("instance", str("the request path"));
        s.required(new ArrayList<>(List.of("type", "title", "status")));
        return s;
    }

    private static Schema outcomeSchema() {
        Schema issue = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT);
        issue.addProperty("severity", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                .enumeration(new ArrayList<>(List.of("fatal", "error", "warning", "information"))));
        issue.addProperty("code", str("FHIR IssueType code (invalid, security, too-costly, conflict, login, "
                + "forbidden, not-found, transient, exception, ...)"));
        issue.addProperty("diagnostics", str("what was refused and why (never the refused values themselves)"));
        issue.addProperty("expression", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(
                str("FHIRPath of the place in the submitted resource, e.g. Patient.text.div")));
        issue.required(new ArrayList<>(List.of("severity", "code")));
        Schema s = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("A FHIR R4 OperationOutcome (http://hl7.org/fhir/R4/operationoutcome.html), the error "
                        + "body of every /fhir endpoint; only the elements Recordline writes are listed.");
        s.addProperty("resourceType", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                .enumeration(new ArrayList<>(List.of("OperationOutcome"))));
        s.addProperty("issue", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(issue));
        s.required(new ArrayList<>(List.of("resourceType", "issue")));
        return s;
    }

    private static Schema str(String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING).description(description);
    }
}
