package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.TokenIssuer;

/**
 * The local sign-in as the records console (and a browser) use it, over real HTTP: discovery, keys, the
 * authorization code flow with PKCE, and everything it must refuse.
 */
class LocalLoginTest {

    /** RFC 7636, Appendix B: the verifier (the 32 octets there, base64url) and its S256 challenge. */
    private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    private LocalAccounts accounts;
    private LocalLogin login;
    private int consolePort;
    private String redirect;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        accounts = LocalAccounts.loadOrCreate(state.resolve("keys"));
        consolePort = KafkaBroker.freePort();
        redirect = "http://127.0.0.1:" + consolePort + "/cases";
        login = LocalLogin.start(0, consolePort, TokenIssuer.generate(), accounts);
    }

    @AfterEach
    void stop() {
        login.close();
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(login.url() + pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, Map<String, String> form, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(login.url() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form)));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(Map<String, String> m) {
        return m.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The parameters a console sends to /authorize. */
    private Map<String, String> authorization(String redirectUri, String challenge) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("response_type", "code");
        m.put("client_id", LocalLogin.CLIENT_ID);
        m.put("redirect_uri", redirectUri);
        m.put("state", "st-123");
        m.put("scope", "openid profile");
        m.put("nonce", "n-0S6_WzA2Mj");
        if (challenge != null) {
            m.put("code_challenge", challenge);
            m.put("code_challenge_method", "S256");
        }
        return m;
    }

    private HttpResponse<String> signIn(Map<String, String> authorization, String user, String password)
            throws Exception {
        Map<String, String> f = new LinkedHashMap<>(authorization);
        f.put("username", user);
        f.put("password", password);
        return post("/authorize", f);
    }

    /** Signs in and returns the code from the redirect (checking the redirect on the way). */
    private String code(String user, String challenge) throws Exception {
        HttpResponse<String> r = signIn(authorization(redirect, challenge), user, accounts.password(user));
        assertEquals(302, r.statusCode(), r.body());
        Map<String, String> q = query(location(r));
        assertEquals("st-123", q.get("state"));
        return q.get("code");
    }

    private static URI location(HttpResponse<?> r) {
        return URI.create(r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no redirect")));
    }

    private static Map<String, String> query(URI u) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : u.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> exchange(String code, String verifier) throws Exception {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "authorization_code");
        f.put("code", code);
        f.put("redirect_uri", redirect);
        if (verifier != null) {
            f.put("code_verifier", verifier);
        }
        return post("/token", f, "Authorization", basic(LocalLogin.CLIENT_ID, accounts.clientSecret()));
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static JsonNode claims(String jwt) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static JsonNode header(String jwt) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        Collections.sort(l);
        return l;
    }

    private static void assertError(HttpResponse<String> r, int status, String error) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(error, json(r).path("error").asText(), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
    }

    // -------------------------------------------------------------------------------------------------------- tests

    @Test
    void discoveryNamesTheIssuerOfTheServicesTokensAndTheEndpointsOnLoopback() throws Exception {
        HttpResponse<String> r = get("/.well-known/openid-configuration");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode d = json(r);
        String base = "http://127.0.0.1:" + login.address().getPort();
        assertEquals(base, login.url());
        assertEquals(TokenIssuer.ISSUER, d.get("issuer").asText());
        assertEquals(base + "/authorize", d.get("authorization_endpoint").asText());
        assertEquals(base + "/token", d.get("token_endpoint").asText());
        assertEquals(base + "/jwks", d.get("jwks_uri").asText());
        assertEquals(base + "/logout", d.get("end_session_endpoint").asText());
        assertEquals(List.of("code"), strings(d.get("response_types_supported")));
        assertEquals(List.of("public"), strings(d.get("subject_types_supported")));
        assertEquals(List.of("RS256"), strings(d.get("id_token_signing_alg_values_supported")));
        assertEquals(List.of("authorization_code"), strings(d.get("grant_types_supported")));
        assertEquals(List.of("client_secret_basic", "client_secret_post"),
                strings(d.get("token_endpoint_auth_methods_supported")));
        assertEquals(List.of("S256"), strings(d.get("code_challenge_methods_supported")));
        assertEquals(List.of("openid", "profile"), strings(d.get("scopes_supported")));
    }

    @Test
    void theFullCodeFlowWithPkceGivesAnIdTokenForTheConsoleAndAnAccessTokenForTheServices() throws Exception {
        HttpResponse<String> page = get("/authorize?" + form(authorization(redirect, CHALLENGE)));
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("name=\"code_challenge\" value=\"" + CHALLENGE + "\""), page.body());

        String code = code("technician", CHALLENGE);
        assertTrue(code.matches("[A-Za-z0-9_-]{43}"), "32 random bytes, base64url: " + code);
        HttpResponse<String> r = exchange(code, VERIFIER);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
        JsonNode t = json(r);
        assertEquals("Bearer", t.get("token_type").asText());
        assertEquals(3600, t.get("expires_in").asLong());
        assertEquals("openid profile", t.get("scope").asText());

        JsonNode id = claims(t.get("id_token").asText());
        assertEquals(TokenIssuer.ISSUER, id.get("iss").asText());
        assertEquals(LocalLogin.CLIENT_ID, id.get("aud").isArray() ? id.get("aud").get(0).asText()
                : id.get("aud").asText());
        assertEquals("technician", id.get("sub").asText());
        assertEquals("technician", id.get("preferred_username").asText());
        assertEquals("n-0S6_WzA2Mj", id.get("nonce").asText());
        assertEquals(List.of("records-technician"), strings(id.get("groups")));
        long now = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(id.get("auth_time").asLong() - now) < 60, id.toString());
        assertTrue(Math.abs(id.get("exp").asLong() - now - 3600) < 60, id.toString());

        JsonNode access = claims(t.get("access_token").asText());
        assertEquals(TokenIssuer.ISSUER, access.get("iss").asText());
        assertEquals(TokenIssuer.AUDIENCE, access.get("aud").isArray() ? access.get("aud").get(0).asText()
                : access.get("aud").asText());
        assertEquals("technician", access.get("preferred_username").asText());
        assertEquals(List.of("records-technician"), strings(access.get("groups")));
    }

    @Test
    void theJwksKeyVerifiesTheIssuedTokensSignatures() throws Exception {
        JsonNode t = json(exchange(code("auditor", CHALLENGE), VERIFIER));
        HttpResponse<String> r = get("/jwks");
        assertEquals(200, r.statusCode());
        JsonNode keys = json(r).get("keys");
        assertEquals(1, keys.size());
        JsonNode k = keys.get(0);
        assertEquals("RSA", k.get("kty").asText());
        assertEquals(TokenIssuer.KEY_ID, k.get("kid").asText());
        assertEquals("sig", k.get("use").asText());
        assertEquals("RS256", k.get("alg").asText());
        for (String part : List.of("n", "e")) {
            assertTrue(k.get(part).asText().matches("[A-Za-z0-9_-]+"), part + " is base64url without padding");
        }
        // the key as any relying party builds it, and the JDK's own RSA signature check
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, Base64.getUrlDecoder().decode(k.get("n").asText())),
                new BigInteger(1, Base64.getUrlDecoder().decode(k.get("e").asText()))));
        for (String field : List.of("id_token", "access_token")) {
            String jwt = t.get(field).asText();
            assertEquals("RS256", header(jwt).get("alg").asText());
            assertEquals(TokenIssuer.KEY_ID, header(jwt).get("kid").asText());
            String[] parts = jwt.split("\\.");
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(key);
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            assertTrue(rs256.verify(Base64.getUrlDecoder().decode(parts[2])), field + " verifies with the JWKS key");
            // and a changed payload does not
            rs256.initVerify(key);
            rs256.update((parts[0] + "." + parts[1] + "x").getBytes(StandardCharsets.US_ASCII));
            assertFalse(rs256.verify(Base64.getUrlDecoder().decode(parts[2])));
        }
        assertEquals(List.of("auditor"), strings(claims(t.get("id_token").asText()).get("groups")));
    }

    @Test
    void aWrongVerifierIsRefusedAndTheCodeIsGone() throws Exception {
        String code = code("technician", CHALLENGE);
        assertError(exchange(code, VERIFIER.replace('d', 'e')), 400, "invalid_grant");
        assertError(exchange(code, VERIFIER), 400, "invalid_grant");
        // a verifier one character short (42, under RFC 7636's 43) is refused too
        assertError(exchange(code("technician", CHALLENGE), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWcOjXk"), 400,
                "invalid_grant");
        // no verifier at all for a code with a challenge
        assertError(exchange(code("technician", CHALLENGE), null), 400, "invalid_grant");
        // a verifier for a code without a challenge
        assertError(exchange(code("technician", null), VERIFIER), 400, "invalid_grant");
        // without PKCE the flow works too
        assertEquals(200, exchange(code("technician", null), null).statusCode());
    }

    @Test
    void aWrongPasswordOrUnknownUserIsA401PageThatSaysNotWhichAndGivesNoCode() throws Exception {
        Map<String, String> a = authorization(redirect, CHALLENGE);
        HttpResponse<String> wrong = signIn(a, "technician", accounts.password("technician") + "x");
        HttpResponse<String> unknown = signIn(a, "nobody", accounts.password("technician"));
        HttpResponse<String> otherUsers = signIn(a, "technician", accounts.password("admin"));
        for (HttpResponse<String> r : List.of(wrong, unknown, otherUsers)) {
            assertEquals(401, r.statusCode());
            assertTrue(r.headers().firstValue("Location").isEmpty(), "no redirect");
            assertFalse(r.body().contains("code="), r.body());
            assertTrue(r.body().contains("<p id=\"login-error\" role=\"alert\">Unknown user or wrong password</p>"),
                    r.body());
            // the form is there again, with the request carried on
            assertTrue(r.body().contains("id=\"sign-in\""));
            assertTrue(r.body().contains("name=\"code_challenge\" value=\"" + CHALLENGE + "\""));
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
        }
        // the same page whichever was wrong (only the name typed is kept in its field)
        assertEquals(wrong.body(), otherUsers.body());
        assertEquals(wrong.body(), unknown.body().replace("value=\"nobody\"", "value=\"technician\""));
    }

    @Test
    void anUnregisteredRedirectUriIsA400AndNothingIsRedirected() throws Exception {
        for (String bad : List.of("http://evil.example/cb", "http://127.0.0.1:" + (consolePort + 1) + "/",
                "https://127.0.0.1:" + consolePort + "/", "http://127.0.0.1/",
                "http://127.0.0.1:" + consolePort + "@evil.example/",
                "http://user@127.0.0.1:" + consolePort + "/",
                "http://127.0.0.1:" + consolePort + "/a/../../x", "http://127.0.0.1:" + consolePort + "/#frag",
                "//127.0.0.1:" + consolePort + "/", "javascript:alert(1)")) {
            HttpResponse<String> r = get("/authorize?" + form(authorization(bad, CHALLENGE)));
            assertEquals(400, r.statusCode(), bad);
            assertTrue(r.headers().firstValue("Location").isEmpty(), bad);
            assertTrue(r.body().contains("not registered"), r.body());
            // the right password does not help either
            HttpResponse<String> s = signIn(authorization(bad, CHALLENGE), "admin", accounts.password("admin"));
            assertEquals(400, s.statusCode(), bad);
            assertTrue(s.headers().firstValue("Location").isEmpty(), bad);
        }
        // the console as localhost, and any path under it, is registered
        for (String good : List.of("http://localhost:" + consolePort + "/", "http://127.0.0.1:" + consolePort
                + "/q/callback?x=1")) {
            assertEquals(200, get("/authorize?" + form(authorization(good, CHALLENGE))).statusCode(), good);
        }
        // an unknown client is refused the same way
        Map<String, String> other = authorization(redirect, CHALLENGE);
        other.put("client_id", "someone-else");
        HttpResponse<String> r = get("/authorize?" + form(other));
        assertEquals(400, r.statusCode());
        assertTrue(r.headers().firstValue("Location").isEmpty());
    }

    @Test
    void aMalformedRequestFromTheConsoleGoesBackToItWithAnError() throws Exception {
        Map<String, String> token = authorization(redirect, CHALLENGE);
        token.put("response_type", "token");
        Map<String, String> q = query(location(get("/authorize?" + form(token))));
        assertEquals("unsupported_response_type", q.get("error"));
        assertEquals("st-123", q.get("state"));
        Map<String, String> plain = authorization(redirect, CHALLENGE);
        plain.put("code_challenge_method", "plain");
        assertEquals("invalid_request", query(location(get("/authorize?" + form(plain)))).get("error"));
        Map<String, String> noOpenid = authorization(redirect, null);
        noOpenid.put("scope", "profile");
        assertEquals("invalid_scope", query(location(get("/authorize?" + form(noOpenid)))).get("error"));
        // a parameter given twice is not guessed at
        HttpResponse<String> twice = get("/authorize?" + form(authorization(redirect, null)) + "&state=again");
        assertEquals(400, twice.statusCode());
        assertTrue(twice.headers().firstValue("Location").isEmpty());
    }

    @Test
    void aCodeWorksOnce() throws Exception {
        String code = code("admin", CHALLENGE);
        assertEquals(200, exchange(code, VERIFIER).statusCode());
        assertError(exchange(code, VERIFIER), 400, "invalid_grant");
        assertError(exchange("not-a-code", VERIFIER), 400, "invalid_grant");
    }

    @Test
    void anExpiredCodeIsRefused() throws Exception {
        login.close();
        // the sign-in's own clock, moved on by hand: past the code's lifetime without waiting for it
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        login = LocalLogin.start(0, consolePort, TokenIssuer.generate(), accounts, now::get);
        String code = code("admin", CHALLENGE);
        now.addAndGet(LocalLogin.CODE_LIFETIME.toNanos() + 1);
        assertError(exchange(code, VERIFIER), 400, "invalid_grant");
    }

    @Test
    void theCodeIsBoundToItsRedirectUri() throws Exception {
        String code = code("admin", CHALLENGE);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "authorization_code");
        f.put("code", code);
        f.put("redirect_uri", "http://localhost:" + consolePort + "/cases");
        f.put("code_verifier", VERIFIER);
        assertError(post("/token", f, "Authorization", basic(LocalLogin.CLIENT_ID, accounts.clientSecret())), 400,
                "invalid_grant");
    }

    @Test
    void theClientMustAuthenticate() throws Exception {
        String code = code("admin", CHALLENGE);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "authorization_code");
        f.put("code", code);
        f.put("redirect_uri", redirect);
        f.put("code_verifier", VERIFIER);
        HttpResponse<String> wrong = post("/token", f, "Authorization", basic(LocalLogin.CLIENT_ID, "wrong"));
        assertError(wrong, 401, "invalid_client");
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertError(post("/token", f, "Authorization", basic("someone-else", accounts.clientSecret())), 401,
                "invalid_client");
        assertError(post("/token", f), 401, "invalid_client");
        // a refused client did not use the code up: with client_secret_post it is exchanged
        Map<String, String> posted = new LinkedHashMap<>(f);
        posted.put("client_id", LocalLogin.CLIENT_ID);
        posted.put("client_secret", "wrong");
        assertError(post("/token", posted), 401, "invalid_client");
        posted.put("client_secret", accounts.clientSecret());
        assertEquals(200, post("/token", posted).statusCode());
    }

    @Test
    void theTokenEndpointNamesWhatIsWrong() throws Exception {
        String auth = basic(LocalLogin.CLIENT_ID, accounts.clientSecret());
        assertError(post("/token", Map.of("grant_type", "client_credentials"), "Authorization", auth), 400,
                "unsupported_grant_type");
        assertError(post("/token", Map.of("grant_type", "authorization_code"), "Authorization", auth), 400,
                "invalid_request");
        assertError(post("/token", Map.of("code", "x"), "Authorization", auth), 400, "invalid_request");
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create(login.url() + "/token"))
                .header("Content-Type", "application/json").header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(json, 400, "invalid_request");
        HttpResponse<String> getToken = get("/token");
        assertEquals(405, getToken.statusCode());
    }

    @Test
    void theSignInPageIsAccessibleEscapesWhatItCarriesAndCannotBeFramedOrScripted() throws Exception {
        Map<String, String> a = authorization(redirect, CHALLENGE);
        a.put("state", "\"><script>alert(1)</script>");
        a.put("nonce", "<script>x</script>&'");
        HttpResponse<String> r = get("/authorize?" + form(a));
        assertEquals(200, r.statusCode(), r.body());
        String html = r.body();
        assertFalse(html.contains("<script"), html);
        assertTrue(html.contains("name=\"state\" value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""), html);
        assertTrue(html.contains("name=\"nonce\" value=\"&lt;script&gt;x&lt;/script&gt;&amp;&#39;\""), html);
        assertTrue(html.contains("<html lang=\"en\">"));
        assertTrue(html.contains("<title>Recordline local sign-in</title>"));
        assertTrue(html.contains("<label for=\"username\">") && html.contains("id=\"username\""));
        assertTrue(html.contains("<label for=\"password\">") && html.contains("id=\"password\""));
        assertTrue(html.contains("type=\"password\""));
        assertTrue(html.contains("<button id=\"sign-in\" type=\"submit\">"));
        assertTrue(html.contains("exists only on the local stack"));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null));
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), csp);
        assertFalse(csp.contains("script-src") || csp.contains("unsafe-inline"), csp);
        // and it comes back the same after a wrong password, the state still intact for the redirect
        HttpResponse<String> again = signIn(a, "<b>x</b>", "nope");
        assertFalse(again.body().contains("<b>"), again.body());
        HttpResponse<String> ok = signIn(a, "visitor", accounts.password("visitor"));
        assertEquals("\"><script>alert(1)</script>", query(location(ok)).get("state"));
    }

    @Test
    void theVisitorSignsInWithNoRoleAtAll() throws Exception {
        JsonNode t = json(exchange(code("visitor", CHALLENGE), VERIFIER));
        for (String field : List.of("id_token", "access_token")) {
            JsonNode groups = claims(t.get(field).asText()).get("groups");
            assertNotNull(groups, field + " has a groups claim");
            assertTrue(groups.isArray() && groups.isEmpty(), field + ": " + groups);
        }
        assertEquals("visitor", claims(t.get("id_token").asText()).get("preferred_username").asText());
    }

    @Test
    void anIdTokenWithoutNonceHasNone() throws Exception {
        Map<String, String> a = authorization(redirect, CHALLENGE);
        a.remove("nonce");
        HttpResponse<String> r = signIn(a, "auditor", accounts.password("auditor"));
        String code = query(location(r)).get("code");
        JsonNode id = claims(json(exchange(code, VERIFIER)).get("id_token").asText());
        assertNull(id.get("nonce"));
    }

    @Test
    void logoutReturnsToTheConsoleOnlyWhenItIsRegistered() throws Exception {
        String back = "http://localhost:" + consolePort + "/";
        HttpResponse<String> r = get("/logout?post_logout_redirect_uri=" + enc(back) + "&id_token_hint=x&state=s1");
        assertEquals(302, r.statusCode());
        assertEquals(back + "?state=s1", location(r).toString());
        HttpResponse<String> elsewhere = get("/logout?post_logout_redirect_uri=" + enc("http://evil.example/"));
        assertEquals(200, elsewhere.statusCode());
        assertTrue(elsewhere.headers().firstValue("Location").isEmpty());
        assertTrue(elsewhere.body().contains("Signed out"));
        assertEquals(200, get("/logout").statusCode());
    }

    @Test
    void itListensOnLoopbackOnly() throws Exception {
        InetSocketAddress bound = login.address();
        assertTrue(bound.getAddress().isLoopbackAddress(), bound.toString());
        assertArrayEquals(new byte[]{127, 0, 0, 1}, bound.getAddress().getAddress());
        int checked = 0;
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a.isLoopbackAddress() || a.isLinkLocalAddress()) {
                    continue;
                }
                checked++;
                try (Socket s = new Socket()) {
                    assertThrows(ConnectException.class,
                            () -> s.connect(new InetSocketAddress(a, bound.getPort()), 2000),
                            "reachable on " + a.getHostAddress());
                }
            }
        }
        System.out.println("checked " + checked + " non-loopback addresses");
        assertTrue(LocalStack.inUse(bound.getPort()), "but it does listen on 127.0.0.1");
    }
}
