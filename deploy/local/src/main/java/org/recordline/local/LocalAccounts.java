package org.recordline.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.recordline.testsupport.PrivateFiles;

/**
 * The accounts of the local sign-in ({@link LocalLogin}) and the records console's client secret, kept in
 * {@code <state>/keys/console-accounts.properties} (created owner-only, like the database passwords). Passwords and
 * the secret are generated on first use; a missing or blank one is generated and saved again. The users and their
 * roles are fixed: {@code technician} (records-technician), {@code auditor} (auditor), {@code admin} (admin) and
 * {@code visitor}, who signs in but holds no role and must see nothing. Local stack only.
 */
public final class LocalAccounts {

    /** The file's name in the keys folder. */
    public static final String FILE_NAME = "console-accounts.properties";
    /** The key of the records console's client secret in the file. */
    static final String CLIENT_SECRET_KEY = "client-secret." + LocalLogin.CLIENT_ID;

    private static final Map<String, List<String>> ROLES = rolesByUser();
    private static final String URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Map<String, String> passwords;
    private final String clientSecret;

    private LocalAccounts(Path file, Map<String, String> passwords, String clientSecret) {
        this.file = file;
        this.passwords = passwords;
        this.clientSecret = clientSecret;
    }

    private static Map<String, List<String>> rolesByUser() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("technician", List.of("records-technician"));
        m.put("auditor", List.of("auditor"));
        m.put("admin", List.of("admin"));
        m.put("visitor", List.of());
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * The accounts kept in {@code keysDir}/{@value #FILE_NAME}, generating and saving whatever is missing (the file
     * and the folder are created readable by the owner only).
     */
    public static LocalAccounts loadOrCreate(Path keysDir) {
        Path file = keysDir.resolve(FILE_NAME);
        try {
            Properties p = new Properties();
            if (Files.exists(file)) {
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
            }
            boolean changed = false;
            Map<String, String> passwords = new LinkedHashMap<>();
            for (String user : ROLES.keySet()) {
                String pw = p.getProperty(user);
                if (pw == null || pw.isBlank()) {
                    pw = random(20);
                    changed = true;
                }
                passwords.put(user, pw);
            }
            String secret = p.getProperty(CLIENT_SECRET_KEY);
            if (secret == null || secret.isBlank()) {
                secret = random(32);
                changed = true;
            }
            if (changed) {
                Properties out = new Properties();
                out.putAll(p); // anything else a developer put there stays
                out.putAll(passwords);
                out.put(CLIENT_SECRET_KEY, secret);
                PrivateFiles.storeProperties(file, out, "Recordline local sign-in: passwords of the records console's"
                        + " local accounts and its client secret (generated; local stack only; keep private)");
            }
            return new LocalAccounts(file, java.util.Collections.unmodifiableMap(passwords), secret);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /** {@code n} random characters from the URL-safe base64 alphabet (6 bits each). */
    static String random(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(URL_SAFE.charAt(RANDOM.nextInt(URL_SAFE.length())));
        }
        return b.toString();
    }

    /** The users, in the order above. */
    public List<String> users() {
        return List.copyOf(ROLES.keySet());
    }

    /** The password of {@code user}. */
    public String password(String user) {
        String pw = passwords.get(user);
        if (pw == null) {
            throw new IllegalArgumentException("no local account " + user);
        }
        return pw;
    }

    /** The roles of {@code user} (empty for {@code visitor}). */
    public List<String> roles(String user) {
        List<String> r = ROLES.get(user);
        if (r == null) {
            throw new IllegalArgumentException("no local account " + user);
        }
        return r;
    }

    /** Whether {@code user} is one of the accounts. */
    public boolean exists(String user) {
        return ROLES.containsKey(user);
    }

    /** The records console's client secret. */
    public String clientSecret() {
        return clientSecret;
    }

    /** Where the accounts are kept. */
    public Path file() {
        return file;
    }
}
