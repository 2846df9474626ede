package org.recordline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/**
 * The local stack's audit checkpoint signing key: an Ed25519 key pair in the file the audit-service reads
 * ({@code recordline.audit.checkpoint.key-file}: the private key as PKCS#8, then the public key as X.509, base64, one
 * a line), generated the first time into the state folder and readable by its owner only, like the token key.
 */
public final class AuditCheckpointKey {

    private AuditCheckpointKey() {
    }

    /** The key file in {@code dir} ({@code audit-checkpoint.key}), generated the first time. */
    public static Path loadOrCreate(Path dir) {
        Path file = dir.resolve("audit-checkpoint.key");
        if (Files.exists(file)) {
            return file;
        }
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                Files.createDirectories(dir);
            }
            try {
                // created private: the key is never readable by others, not even for a moment
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(file, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n"
                    + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n",
                    StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
