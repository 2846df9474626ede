package org.recordline.testsupport;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Passwords of the database superuser and of every Recordline role. Generated at random; the local launcher keeps
 * them in its state folder (created owner-only, like the signing key) and hands each service only its own, through
 * the environment. Tests generate fresh ones per JVM.
 */
public final class DatabaseCredentials {

    /** The server's bootstrap account; used only to create roles and schemas. */
    public static final String SUPERUSER = "postgres";

    private final Map<String, String> passwords;

    private DatabaseCredentials(Map<String, String> passwords) {
        this.passwords = passwords;
    }

    /** Fresh random passwords for the superuser and every role. */
    public static DatabaseCredentials generate() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SUPERUSER, randomPassword());
        DatabaseRoles.ALL.forEach(r -> m.put(r, randomPassword()));
        return new DatabaseCredentials(m);
    }

    /**
     * The passwords kept in {@code file}, generating and saving any that are missing (the file and its folder are
     * created readable by the owner only).
     */
    public static DatabaseCredentials loadOrCreate(Path file) {
        try {
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
            }
            Map<String, String> m = new LinkedHashMap<>();
            boolean changed = false;
            for (String role : allAccounts()) {
                String pw = p.getProperty(role);
                if (pw == null || pw.isBlank()) {
                    pw = randomPassword();
                    changed = true;
                }
                m.put(role, pw);
            }
            if (changed) {
                save(file, m);
            }
            return new DatabaseCredentials(m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private static Iterable<String> allAccounts() {
        var all = new java.util.ArrayList<String>();
        all.add(SUPERUSER);
        all.addAll(DatabaseRoles.ALL);
        return all;
    }

    private static void save(Path file, Map<String, String> m) throws IOException {
        Properties p = new Properties();
        p.putAll(m);
        PrivateFiles.storeProperties(file, p, "Recordline database passwords (generated; keep private)");
    }

    private static String randomPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The password of {@code role} (or of the superuser). */
    public String password(String role) {
        String pw = passwords.get(role);
        if (pw == null) {
            throw new IllegalArgumentException("no password for " + role);
        }
        return pw;
    }
}
