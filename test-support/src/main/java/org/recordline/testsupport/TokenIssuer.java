package org.recordline.testsupport;

import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;

/**
 * Issues RS256 bearer tokens that the local stack and the tests accept, from a key pair generated on first use.
 * Stands in for the identity provider (Keycloak in Kubernetes) where there is none.
 */
public final class TokenIssuer {

    /** The {@code iss} claim the local stack expects. */
    public static final String ISSUER = "https://recordline.local/issuer";
    /** The {@code aud} claim the local stack expects. */
    public static final String AUDIENCE = "recordline";
    /** The {@code kid} header of every token, and of the key in {@link #publicJwk()}. */
    public static final String KEY_ID = "recordline-local";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    private TokenIssuer(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A issuer with a fresh in-memory key pair. */
    public static TokenIssuer generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair kp = g.generateKeyPair();
            return new TokenIssuer(kp.getPrivate(), kp.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads the key pair kept in {@code dir} ({@code signing-key.pem}), generating and saving it the first time. */
    public static TokenIssuer loadOrCreate(Path dir) {
        Path keyFile = dir.resolve("signing-key.pem");
        try {
            if (Files.exists(keyFile)) {
                String pem = Files.readString(keyFile, StandardCharsets.US_ASCII)
                        .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                KeyFactory kf = KeyFactory.getInstance("RSA");
                PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
                RSAPrivateCrtKey crt = (RSAPrivateCrtKey) priv;
                PublicKey pub = kf.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
                return new TokenIssuer(priv, pub);
            }
            TokenIssuer issuer = generate();
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(issuer.privateKey.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            try {
                // created private: the key is never readable by others, not even for a moment
                Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(keyFile, pem, StandardCharsets.US_ASCII);
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("unreadable signing key " + keyFile, e);
        }
    }

    /** The public key as base64 SubjectPublicKeyInfo, the form {@code quarkus.oidc.public-key} takes. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** A token for {@code user} with {@code roles}, valid for {@code lifetime}. */
    public String token(String user, Duration lifetime, String... roles) {
        return Jwt.issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(user)
                .upn(user)
                .claim("preferred_username", user)
                .groups(new HashSet<>(Arrays.asList(roles)))
                .expiresIn(lifetime)
                .jws().keyId(KEY_ID)
                .sign(privateKey);
    }

    /**
     * An OpenID Connect ID token for {@code user}, issued to the client {@code clientId} (its {@code aud}), valid for
     * {@code lifetime}: {@code sub} and {@code preferred_username} the user, {@code groups} the roles (an empty array
     * for none), {@code auth_time} now, {@code azp} the client, and {@code nonce} when the client sent one. Signed
     * with the same key as the access tokens.
     */
    public String idToken(String user, String clientId, String nonce, Duration lifetime, String... roles) {
        var claims = Jwt.issuer(ISSUER)
                .audience(clientId)
                .subject(user)
                .claim("preferred_username", user)
                .claim("azp", clientId)
                .claim("auth_time", java.time.Instant.now().getEpochSecond())
                .groups(new HashSet<>(Arrays.asList(roles)))
                .expiresIn(lifetime);
        if (nonce != null) {
            claims.claim("nonce", nonce);
        }
        return claims.jws().keyId(KEY_ID).sign(privateKey);
    }

    /**
     * The public key as a JSON Web Key (RFC 7517): {@code kty} RSA, {@code kid} {@link #KEY_ID}, {@code use} sig,
     * {@code alg} RS256, and the modulus {@code n} and exponent {@code e} in base64url without padding, in this order.
     */
    public java.util.Map<String, String> publicJwk() {
        java.security.interfaces.RSAPublicKey rsa = (java.security.interfaces.RSAPublicKey) publicKey;
        java.util.Map<String, String> jwk = new java.util.LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("kid", KEY_ID);
        jwk.put("use", "sig");
        jwk.put("alg", "RS256");
        jwk.put("n", base64Url(rsa.getModulus()));
        jwk.put("e", base64Url(rsa.getPublicExponent()));
        return jwk;
    }

    /** An unsigned big-endian integer in base64url without padding (RFC 7518, section 6.3.1). */
    private static String base64Url(java.math.BigInteger value) {
        byte[] b = value.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            b = Arrays.copyOfRange(b, 1, b.length); // the sign byte is not part of the value
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A one-hour token for {@code user} with {@code roles}. */
    public String token(String user, String... roles) {
        return token(user, Duration.ofHours(1), roles);
    }
}
