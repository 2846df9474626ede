package org.recordline.audit.domain;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The Ed25519 key that signs the audit log's checkpoints, from {@code recordline.audit.checkpoint.key-file}: a file of
 * two lines, the private key (PKCS#8) and the public key (X.509 SubjectPublicKeyInfo), each in base64, readable by
 * the service's user only (the local launcher generates it into the state folder; Kubernetes mounts it from a
 * Secret). Without one, a key is generated for this process and a warning logged: its checkpoints cannot be verified
 * after a restart, which is for tests and development only.
 */
@ApplicationScoped
public class CheckpointSigner {

    private static final Logger LOG = Logger.getLogger(CheckpointSigner.class);

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    public CheckpointSigner(@ConfigProperty(name = "recordline.audit.checkpoint.key-file") Optional<String> keyFile) {
        KeyPair pair = keyFile.filter(f -> !f.isBlank()).map(f -> read(Path.of(f))).orElseGet(() -> {
            LOG.warn("recordline.audit.checkpoint.key-file is not set: audit checkpoints are signed with a key made"
                    + " for this process only, which no verifier can know after a restart");
            return generate();
        });
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = keyId(publicKey);
    }

    /** A new Ed25519 key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key file's text for {@code pair}: private key, then public key, base64, one a line. */
    public static String keyFile(KeyPair pair) {
        return Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n"
                + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n";
    }

    /** Reads a key file ({@link #keyFile}). */
    public static KeyPair read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            if (lines.size() != 2) {
                throw new IllegalStateException("audit checkpoint key file " + file + " must hold two lines (private"
                        + " and public key, base64), not " + lines.size());
            }
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines.get(0))));
            PublicKey pub = publicKey(lines.get(1));
            // the two lines must be one pair: sign and verify once
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(priv);
            s.update(new byte[] {1});
            byte[] sig = s.sign();
            s.initVerify(pub);
            s.update(new byte[] {1});
            if (!s.verify(sig)) {
                throw new IllegalStateException("audit checkpoint key file " + file
                        + ": the public key is not the private key's");
            }
            return new KeyPair(pub, priv);
        } catch (IOException e) {
            throw new UncheckedIOException("audit checkpoint key file " + file + " cannot be read", e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("audit checkpoint key file " + file + " holds no Ed25519 key pair", e);
        }
    }

    /** An Ed25519 public key from its X.509 encoding in base64. */
    public static PublicKey publicKey(String base64) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
    }

    /** A key's id: the first 16 hex digits of SHA-256 over its X.509 encoding. */
    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signing key's id. */
    public String keyId() {
        return keyId;
    }

    /** The public key that verifies this service's checkpoints. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** Signs the note of a checkpoint of {@code treeSize} leaves with root {@code root} at {@code at}. */
    public Checkpoint sign(long treeSize, byte[] root, java.time.Instant at) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(Checkpoint.note(treeSize, root, at).getBytes(StandardCharsets.UTF_8));
            return new Checkpoint(treeSize, root.clone(), at, keyId, s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing an audit checkpoint failed", e);
        }
    }

    /** Signs {@code note} (a retention anchor's, {@link RetentionAnchor#note}) with this service's key. */
    public byte[] signNote(String note) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(note.getBytes(StandardCharsets.UTF_8));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing an audit retention anchor failed", e);
        }
    }
}
