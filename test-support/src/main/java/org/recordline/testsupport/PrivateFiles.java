package org.recordline.testsupport;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * Files that hold secrets (passwords, keys): their folder is created owner-only ({@code rwx------}) and the file
 * itself owner-only ({@code rw-------}) before anything is written to it, so a secret is never readable by others,
 * not even for a moment. On a file system without POSIX permissions they are created plainly.
 */
public final class PrivateFiles {

    private PrivateFiles() {
    }

    /** Creates {@code dir} and its missing parents, owner-only. */
    public static void createDirectories(Path dir) throws IOException {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /**
     * Writes {@code properties} to {@code file} (UTF-8), creating its folder and the file owner-only first when they
     * are missing. An existing file keeps its permissions.
     */
    public static void storeProperties(Path file, Properties properties, String comment) throws IOException {
        createDirectories(file.toAbsolutePath().getParent());
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(w, comment);
        }
    }
}
