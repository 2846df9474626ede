package org.recordline.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.recordline.testsupport.TokenIssuer;

/**
 * A minimal OpenID Connect provider for the local stack only: the authorization code flow (with PKCE, S256) for one
 * client, the records console, over the local accounts ({@link LocalAccounts}). It runs in the launcher's JVM on
 * 127.0.0.1 only, so nothing but this machine can reach it, and signs with the stack's own key
 * ({@link TokenIssuer}): the ID token for the console, and an access token ({@code aud recordline}) the four
 * services accept unchanged. There is no session of its own: every authorization asks for the password again.
 *
 * <p>Endpoints: {@code GET /.well-known/openid-configuration}, {@code GET /jwks}, {@code GET|POST /authorize} (the
 * sign-in page), {@code POST /token}, {@code GET|POST /logout}. In Kubernetes the identity provider is Keycloak; this
 * class is never part of a deployment.
 */
public final class LocalLogin implements AutoCloseable {

    /** The one registered client. */
    public static final String CLIENT_ID = "records-console";
    /** How long an authorization code may be exchanged. */
    public static final Duration CODE_LIFETIME = Duration.ofSeconds(60);
    /** How long the access and ID tokens are valid. */
    public static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
    /** The page's title, and its heading. */
    static final String TITLE = "Recordline local sign-in";
    static final String LOGIN_ERROR = "Unknown user or wrong password";

    private static final int MAX_BODY = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CSS = "body{font-family:system-ui,sans-serif;font-size:1rem;line-height:1.5;"
            + "color:#1a1a1a;background:#fff;margin:0}"
            + "main{max-width:26rem;margin:3rem auto;padding:0 1rem}"
            + "h1{font-size:1.5rem;margin:0 0 1rem}"
            + ".note{color:#333;border-left:4px solid #0b4f8a;padding-left:.75rem}"
            + ".field{margin:1rem 0}"
            + "label{display:block;font-weight:600;margin-bottom:.25rem}"
            + "input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;border:2px solid #555;"
            + "border-radius:4px;color:#1a1a1a;background:#fff}"
            + "button{font:inherit;font-weight:600;padding:.6rem 1.4rem;border:0;border-radius:4px;"
            + "color:#fff;background:#0b4f8a;cursor:pointer}"
            + "input:focus,button:focus{outline:3px solid #b35900;outline-offset:2px}"
            + "#login-error{color:#8b0000;background:#fdeaea;border:2px solid #8b0000;border-radius:4px;"
            + "padding:.5rem .75rem;font-weight:600}";

    /** A code handed out and not yet exchanged. */
    private record Grant(String clientId, String redirectUri, String nonce, String user, String challenge,
                         String scope, long expiresAtNanos) {
    }

    /** A request the endpoint refuses, before anything is redirected. */
    private static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final TokenIssuer tokens;
    private final LocalAccounts accounts;
    private final List<URI> redirectBases;
    /** Monotonic time in nanoseconds ({@code System::nanoTime}; a test's own clock to expire codes without waiting). */
    private final java.util.function.LongSupplier nanoTime;
    private final String baseUrl;
    private final String contentSecurityPolicy;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();

    private LocalLogin(int port, int consolePort, TokenIssuer tokens, LocalAccounts accounts,
                       java.util.function.LongSupplier nanoTime) throws IOException {
        this.tokens = tokens;
        this.accounts = accounts;
        this.nanoTime = nanoTime;
        this.redirectBases = List.of(URI.create("http://127.0.0.1:" + consolePort + "/"),
                URI.create("http://localhost:" + consolePort + "/"));
        // loopback only: the sign-in is for this machine's browser and nothing else
        server = HttpServer.create(new InetSocketAddress(loopback(), port), 0);
        this.baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        // no scripts, no framing, the one inline style block by its hash; the form may post here and (after the
        // sign-in's redirect, which browsers check against form-action too) lead to the console only
        this.contentSecurityPolicy = "default-src 'none'; style-src '" + sha256Source(CSS) + "'; form-action 'self' "
                + "http://127.0.0.1:" + consolePort + " http://localhost:" + consolePort
                + "; frame-ancestors 'none'; base-uri 'none'";
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "recordline-login-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts the sign-in on 127.0.0.1:{@code port} ({@code 0}: a free port) for a records console on
     * {@code consolePort}.
     */
    public static LocalLogin start(int port, int consolePort, TokenIssuer tokens, LocalAccounts accounts) {
        return start(port, consolePort, tokens, accounts, System::nanoTime);
    }

    /** As {@link #start(int, int, TokenIssuer, LocalAccounts)}, telling time by {@code nanoTime}. */
    static LocalLogin start(int port, int consolePort, TokenIssuer tokens, LocalAccounts accounts,
                            java.util.function.LongSupplier nanoTime) {
        try {
            return new LocalLogin(port, consolePort, tokens, accounts, nanoTime);
        } catch (IOException e) {
            throw new UncheckedIOException("the local sign-in cannot listen on 127.0.0.1:" + port, e);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[]{127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: the {@code quarkus.oidc.auth-server-url} of the console. */
    public String url() {
        return baseUrl;
    }

    /** The address it listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The bases a redirect URI must be under: the console's origin as 127.0.0.1 and as localhost. */
    public List<URI> redirectBases() {
        return redirectBases;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        codes.clear();
    }

    // ---------------------------------------------------------------------------------------------------- dispatch

    private void handle(HttpExchange x) throws IOException {
        try {
            String path = x.getRequestURI().getRawPath();
            String method = x.getRequestMethod();
            switch (path) {
                case "/.well-known/openid-configuration" -> {
                    if (allowed(x, "GET")) {
                        json(x, 200, discovery(), false);
                    }
                }
                case "/jwks" -> {
                    if (allowed(x, "GET")) {
                        json(x, 200, Map.of("keys", List.of(tokens.publicJwk())), false);
                    }
                }
                case "/authorize" -> {
                    if (allowed(x, "GET", "POST")) {
                        authorize(x, method.equals("POST"));
                    }
                }
                case "/token" -> {
                    if (allowed(x, "POST")) {
                        token(x);
                    }
                }
                case "/logout" -> {
                    if (allowed(x, "GET", "POST")) {
                        logout(x, method.equals("POST"));
                    }
                }
                default -> text(x, 404, "Not found: this is the local stack's sign-in (" + baseUrl
                        + "/.well-known/openid-configuration).\n");
            }
        } catch (RuntimeException e) {
            // the exchange may be half-written; it is closed either way
            System.err.println("local sign-in: " + e);
        } finally {
            x.close();
        }
    }

    private static boolean allowed(HttpExchange x, String... methods) throws IOException {
        if (List.of(methods).contains(x.getRequestMethod())) {
            return true;
        }
        x.getResponseHeaders().set("Allow", String.join(", ", methods));
        text(x, 405, "Method not allowed: use " + String.join(" or ", methods) + ".\n");
        return false;
    }

    private Map<String, Object> discovery() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", TokenIssuer.ISSUER);
        m.put("authorization_endpoint", baseUrl + "/authorize");
        m.put("token_endpoint", baseUrl + "/token");
        m.put("jwks_uri", baseUrl + "/jwks");
        m.put("end_session_endpoint", baseUrl + "/logout");
        m.put("response_types_supported", List.of("code"));
        m.put("subject_types_supported", List.of("public"));
        m.put("id_token_signing_alg_values_supported", List.of("RS256"));
        m.put("grant_types_supported", List.of("authorization_code"));
        m.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        m.put("code_challenge_methods_supported", List.of("S256"));
        m.put("scopes_supported", List.of("openid", "profile"));
        m.put("claims_supported", List.of("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp",
                "preferred_username", "groups"));
        return m;
    }

    // --------------------------------------------------------------------------------------------------- authorize

    private void authorize(HttpExchange x, boolean post) throws IOException {
        Map<String, String> p;
        try {
            p = post ? formBody(x) : parse(x.getRequestURI().getRawQuery());
        } catch (BadRequest e) {
            refusal(x, 400, e.getMessage());
            return;
        }
        String clientId = p.get("client_id");
        String redirectUri = p.get("redirect_uri");
        if (!CLIENT_ID.equals(clientId)) {
            refusal(x, 400, clientId == null ? "The request names no client (client_id)."
                    : "The client " + clientId + " is not registered here; the only client is " + CLIENT_ID + ".");
            return;
        }
        if (redirectUri == null || !registered(redirectUri)) {
            refusal(x, 400, (redirectUri == null ? "The request names no redirect_uri."
                    : "The redirect_uri " + redirectUri + " is not registered for " + CLIENT_ID + ".")
                    + " Only addresses under " + redirectBases.get(0) + " and " + redirectBases.get(1)
                    + " are, so this sign-in sends you nowhere.");
            return;
        }
        // from here on the redirect URI is the console's: errors go back to it (RFC 6749, section 4.1.2.1)
        String state = p.get("state");
        String responseType = p.get("response_type");
        if (responseType == null) {
            redirectError(x, redirectUri, "invalid_request", "response_type is missing", state);
            return;
        }
        if (!responseType.equals("code")) {
            redirectError(x, redirectUri, "unsupported_response_type", "only response_type=code is supported", state);
            return;
        }
        String scope = grantedScope(p.get("scope"));
        if (scope == null) {
            redirectError(x, redirectUri, "invalid_scope", "the scope must include openid", state);
            return;
        }
        String challenge = p.get("code_challenge");
        String method = p.get("code_challenge_method");
        if (challenge != null && !"S256".equals(method) || challenge == null && method != null) {
            redirectError(x, redirectUri, "invalid_request", "PKCE takes code_challenge with "
                    + "code_challenge_method=S256", state);
            return;
        }
        if (challenge != null && !challenge.matches("[A-Za-z0-9_-]{43}")) {
            redirectError(x, redirectUri, "invalid_request", "code_challenge is not a base64url SHA-256", state);
            return;
        }
        if (!post) {
            page(x, 200, form(p, null));
            return;
        }
        String user = p.getOrDefault("username", "");
        String password = p.getOrDefault("password", "");
        if (!signIn(user, password)) {
            page(x, 401, form(p, user));
            return;
        }
        purgeExpired();
        String code = randomToken();
        codes.put(code, new Grant(clientId, redirectUri, p.get("nonce"), user, challenge, scope,
                nanoTime.getAsLong() + CODE_LIFETIME.toNanos()));
        String location = redirectUri + (redirectUri.contains("?") ? "&" : "?") + "code=" + code
                + (state == null ? "" : "&state=" + encode(state));
        redirect(x, location);
    }

    /** Whether {@code uri} is under one of the console's bases: same scheme, host and port, path below the base's. */
    boolean registered(String uri) {
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            return false;
        }
        if (!u.isAbsolute() || u.isOpaque() || u.getRawUserInfo() != null || u.getRawFragment() != null
                || u.getRawPath() == null || !u.normalize().getRawPath().equals(u.getRawPath())) {
            return false; // no user info, no fragment, no dot segments
        }
        for (URI base : redirectBases) {
            if (base.getScheme().equals(u.getScheme()) && base.getHost().equals(u.getHost())
                    && base.getPort() == u.getPort() && u.getRawPath().startsWith(base.getRawPath())) {
                return true;
            }
        }
        return false;
    }

    /** The scope granted: the known ones asked for, in a fixed order; {@code null} without openid. */
    private static String grantedScope(String requested) {
        if (requested == null) {
            return null;
        }
        List<String> asked = List.of(requested.trim().split(" +"));
        if (!asked.contains("openid")) {
            return null;
        }
        return asked.contains("profile") ? "openid profile" : "openid";
    }

    /** Checks user and password in time independent of where they differ, and of whether the user exists. */
    private boolean signIn(String user, String password) {
        boolean known = accounts.exists(user);
        String expected = known ? accounts.password(user) : "\u0000 no such account \u0000";
        // digests of equal length, so neither the length nor the first difference shows in the time taken
        boolean match = MessageDigest.isEqual(sha256(expected), sha256(password));
        return known & match;
    }

    private void purgeExpired() {
        long now = nanoTime.getAsLong();
        codes.values().removeIf(g -> now - g.expiresAtNanos() > 0);
    }

    // ------------------------------------------------------------------------------------------------------- token

    private void token(HttpExchange x) throws IOException {
        Map<String, String> p;
        try {
            p = formBody(x);
        } catch (BadRequest e) {
            tokenError(x, 400, "invalid_request", e.getMessage());
            return;
        }
        // client authentication: HTTP Basic (client_secret_basic) or the form (client_secret_post), not both
        String clientId;
        String secret;
        String authorization = x.getRequestHeaders().getFirst("Authorization");
        boolean basic = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
        if (basic) {
            if (p.containsKey("client_secret")) {
                tokenError(x, 400, "invalid_request", "use one client authentication method, not two");
                return;
            }
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                tokenError(x, 401, "invalid_client", "the Basic credentials are not base64");
                return;
            }
            int colon = pair.indexOf(':');
            if (colon < 0) {
                tokenError(x, 401, "invalid_client", "the Basic credentials are not client_id:client_secret");
                return;
            }
            try {
                // RFC 6749, section 2.3.1: both parts are form-encoded before they are joined
                clientId = URLDecoder.decode(pair.substring(0, colon), StandardCharsets.UTF_8);
                secret = URLDecoder.decode(pair.substring(colon + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                tokenError(x, 401, "invalid_client", "the Basic credentials are malformed");
                return;
            }
            if (p.containsKey("client_id") && !p.get("client_id").equals(clientId)) {
                tokenError(x, 401, "invalid_client", "client_id differs from the authenticated client");
                return;
            }
        } else {
            clientId = p.get("client_id");
            secret = p.get("client_secret");
        }
        if (clientId == null || secret == null) {
            tokenError(x, 401, "invalid_client", "client authentication is required (client_secret_basic or "
                    + "client_secret_post)");
            return;
        }
        boolean secretMatches = MessageDigest.isEqual(sha256(accounts.clientSecret()), sha256(secret));
        if (!CLIENT_ID.equals(clientId) | !secretMatches) {
            tokenError(x, 401, "invalid_client", "unknown client or wrong client secret");
            return;
        }
        String grantType = p.get("grant_type");
        if (grantType == null) {
            tokenError(x, 400, "invalid_request", "grant_type is missing");
            return;
        }
        if (!grantType.equals("authorization_code")) {
            tokenError(x, 400, "unsupported_grant_type", "only authorization_code is supported");
            return;
        }
        String code = p.get("code");
        if (code == null) {
            tokenError(x, 400, "invalid_request", "code is missing");
            return;
        }
        // single use: whatever follows, this code is gone
        Grant g = codes.remove(code);
        if (g == null) {
            tokenError(x, 400, "invalid_grant", "the code is unknown, was used already or has expired");
            return;
        }
        if (nanoTime.getAsLong() - g.expiresAtNanos() > 0) {
            tokenError(x, 400, "invalid_grant", "the code has expired");
            return;
        }
        if (!g.clientId().equals(clientId)) {
            tokenError(x, 400, "invalid_grant", "the code was issued to another client");
            return;
        }
        if (!g.redirectUri().equals(p.get("redirect_uri"))) {
            tokenError(x, 400, "invalid_grant", "redirect_uri differs from the authorization request's");
            return;
        }
        String verifier = p.get("code_verifier");
        if (g.challenge() == null) {
            if (verifier != null) {
                tokenError(x, 400, "invalid_grant", "code_verifier given, but the authorization request had no "
                        + "code_challenge");
                return;
            }
        } else {
            if (verifier == null || !verifier.matches("[A-Za-z0-9._~-]{43,128}")) {
                tokenError(x, 400, "invalid_grant", "a code_verifier of 43 to 128 unreserved characters is required");
                return;
            }
            byte[] computed = Base64.getUrlEncoder().withoutPadding().encode(sha256Ascii(verifier));
            if (!MessageDigest.isEqual(computed, g.challenge().getBytes(StandardCharsets.US_ASCII))) {
                tokenError(x, 400, "invalid_grant", "code_verifier does not match the code_challenge");
                return;
            }
        }
        String[] roles = accounts.roles(g.user()).toArray(String[]::new);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", tokens.token(g.user(), TOKEN_LIFETIME, roles));
        body.put("id_token", tokens.idToken(g.user(), g.clientId(), g.nonce(), TOKEN_LIFETIME, roles));
        body.put("token_type", "Bearer");
        body.put("expires_in", TOKEN_LIFETIME.toSeconds());
        body.put("scope", g.scope());
        json(x, 200, body, true);
    }

    private static void tokenError(HttpExchange x, int status, String error, String description) throws IOException {
        if (status == 401) {
            x.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"recordline-local\"");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        json(x, status, body, true);
    }

    // ------------------------------------------------------------------------------------------------------ logout

    private void logout(HttpExchange x, boolean post) throws IOException {
        Map<String, String> p;
        try {
            p = post ? formBody(x) : parse(x.getRequestURI().getRawQuery());
        } catch (BadRequest e) {
            refusal(x, 400, e.getMessage());
            return;
        }
        // nothing to end here (the sign-in keeps no session); back to the console if it asked to be
        String target = p.get("post_logout_redirect_uri");
        if (target != null && registered(target)) {
            String state = p.get("state");
            redirect(x, state == null ? target
                    : target + (target.contains("?") ? "&" : "?") + "state=" + encode(state));
            return;
        }
        page(x, 200, document("Signed out", "<h1>Signed out</h1>\n<p>You are signed out of the records console. "
                + "Close this window, or sign in again from the console.</p>\n"));
    }

    // ------------------------------------------------------------------------------------------------------- pages

    private String form(Map<String, String> p, String failedUser) {
        StringBuilder b = new StringBuilder();
        b.append("<h1>").append(TITLE).append("</h1>\n");
        b.append("<p class=\"note\">This sign-in exists only on the local stack (<code>./recordline up</code>), for "
                        + "the records console. The accounts are technician, auditor, admin and visitor; their "
                        + "passwords are in ")
                .append(escape(accounts.file().toString())).append(".</p>\n");
        if (failedUser != null) {
            b.append("<p id=\"login-error\" role=\"alert\">").append(LOGIN_ERROR).append("</p>\n");
        }
        b.append("<form method=\"post\" action=\"/authorize\">\n");
        for (String name : List.of("response_type", "client_id", "redirect_uri", "state", "scope", "nonce",
                "code_challenge", "code_challenge_method")) {
            String v = p.get(name);
            if (v != null) {
                b.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"").append(escape(v))
                        .append("\">\n");
            }
        }
        String invalid = failedUser == null ? "" : " aria-invalid=\"true\" aria-describedby=\"login-error\"";
        b.append("<div class=\"field\"><label for=\"username\">Username</label>")
                .append("<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" ")
                .append("autocapitalize=\"none\" spellcheck=\"false\" required")
                .append(failedUser == null ? " autofocus" : " value=\"" + escape(failedUser) + "\"")
                .append(invalid).append("></div>\n");
        b.append("<div class=\"field\"><label for=\"password\">Password</label>")
                .append("<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\"")
                .append(" required").append(failedUser == null ? "" : " autofocus").append(invalid)
                .append("></div>\n");
        b.append("<button id=\"sign-in\" type=\"submit\">Sign in</button>\n</form>\n");
        return document(TITLE, b.toString());
    }

    private static String document(String title, String main) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + escape(title) + "</title>\n<style>" + CSS + "</style>\n</head>\n<body>\n<main>\n"
                + main + "</main>\n</body>\n</html>\n";
    }

    /** A refused request: a page that says why, and no redirect to anywhere. */
    private void refusal(HttpExchange x, int status, String why) throws IOException {
        page(x, status, document(TITLE + ": request refused", "<h1>This sign-in request was refused</h1>\n<p>"
                + escape(why) + "</p>\n<p>Start again from the records console.</p>\n"));
    }

    private void page(HttpExchange x, int status, String html) throws IOException {
        var h = x.getResponseHeaders();
        h.set("Content-Type", "text/html; charset=utf-8");
        h.set("Cache-Control", "no-store");
        h.set("Pragma", "no-cache");
        h.set("Content-Security-Policy", contentSecurityPolicy);
        h.set("X-Frame-Options", "DENY");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        send(x, status, html.getBytes(StandardCharsets.UTF_8));
    }

    private static void redirect(HttpExchange x, String location) throws IOException {
        x.getResponseHeaders().set("Location", location);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        x.sendResponseHeaders(302, -1);
    }

    private static void redirectError(HttpExchange x, String redirectUri, String error, String description,
                                      String state) throws IOException {
        redirect(x, redirectUri + (redirectUri.contains("?") ? "&" : "?") + "error=" + error
                + "&error_description=" + encode(description) + (state == null ? "" : "&state=" + encode(state)));
    }

    private static void json(HttpExchange x, int status, Object body, boolean noStore) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        x.getResponseHeaders().set("Content-Type", "application/json");
        if (noStore) {
            x.getResponseHeaders().set("Cache-Control", "no-store");
            x.getResponseHeaders().set("Pragma", "no-cache");
        }
        send(x, status, bytes);
    }

    private static void text(HttpExchange x, int status, String body) throws IOException {
        x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        send(x, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, byte[] body) throws IOException {
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    // ----------------------------------------------------------------------------------------------------- helpers

    private static Map<String, String> formBody(HttpExchange x) throws BadRequest, IOException {
        String type = x.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new BadRequest("The body must be application/x-www-form-urlencoded.");
        }
        byte[] body;
        try (InputStream in = x.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new BadRequest("The body is larger than " + MAX_BODY + " bytes.");
        }
        return parse(new String(body, StandardCharsets.UTF_8));
    }

    /** Form or query parameters; a parameter given twice is refused (RFC 6749, section 3.1). */
    private static Map<String, String> parse(String raw) throws BadRequest {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k;
            String v;
            try {
                k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("A parameter is not URL-encoded properly.");
            }
            if (m.put(k, v) != null) {
                throw new BadRequest("The parameter " + k + " is given more than once.");
            }
        }
        // an empty value counts as absent
        m.values().removeIf(String::isEmpty);
        return m;
    }

    /** Text for HTML content and double-quoted attribute values. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Percent-encoded for a query string (a space as {@code %20}, which every reader decodes alike). */
    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] sha256(String s) {
        return digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256Ascii(String s) {
        return digest(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] digest(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Source(String css) {
        return "sha256-" + Base64.getEncoder().encodeToString(sha256(css));
    }
}
