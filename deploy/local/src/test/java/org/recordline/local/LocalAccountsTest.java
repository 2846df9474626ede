package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local sign-in's accounts: generated once, kept owner-only, the same at every start. */
class LocalAccountsTest {

    @TempDir
    Path state;

    @Test
    void theFourAccountsAndTheirRoles() {
        LocalAccounts a = LocalAccounts.loadOrCreate(state.resolve("keys"));
        assertEquals(List.of("technician", "auditor", "admin", "visitor"), a.users());
        assertEquals(List.of("records-technician"), a.roles("technician"));
        assertEquals(List.of("auditor"), a.roles("auditor"));
        assertEquals(List.of("admin"), a.roles("admin"));
        assertEquals(List.of(), a.roles("visitor"));
        assertThrows(IllegalArgumentException.class, () -> a.password("root"));
        assertThrows(IllegalArgumentException.class, () -> a.roles("root"));
        Set<String> distinct = new HashSet<>();
        for (String u : a.users()) {
            assertTrue(a.password(u).matches("[A-Za-z0-9_-]{20}"), a.password(u));
            distinct.add(a.password(u));
        }
        assertEquals(4, distinct.size());
        assertTrue(a.clientSecret().matches("[A-Za-z0-9_-]{32}"));
    }

    @Test
    void theFileIsOwnerOnlyAndReadAgainAtTheNextStart() throws Exception {
        Path keys = state.resolve("keys");
        LocalAccounts first = LocalAccounts.loadOrCreate(keys);
        Path file = keys.resolve("console-accounts.properties");
        assertEquals(file, first.file());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        assertEquals(first.password("admin"), p.getProperty("admin"));
        assertEquals(first.clientSecret(), p.getProperty("client-secret.records-console"));

        LocalAccounts second = LocalAccounts.loadOrCreate(keys);
        for (String u : first.users()) {
            assertEquals(first.password(u), second.password(u));
        }
        assertEquals(first.clientSecret(), second.clientSecret());
    }

    @Test
    void aBlankPasswordIsGeneratedAgainAndTheOthersStay() throws Exception {
        Path keys = state.resolve("keys");
        LocalAccounts first = LocalAccounts.loadOrCreate(keys);
        Path file = first.file();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        p.setProperty("auditor", " ");
        try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        LocalAccounts second = LocalAccounts.loadOrCreate(keys);
        assertTrue(second.password("auditor").matches("[A-Za-z0-9_-]{20}"));
        assertNotEquals(first.password("auditor"), second.password("auditor"));
        assertEquals(first.password("technician"), second.password("technician"));
        assertEquals(second.password("auditor"), LocalAccounts.loadOrCreate(keys).password("auditor"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
}
