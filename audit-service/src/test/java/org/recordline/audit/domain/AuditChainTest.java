package org.recordline.audit.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.recordline.events.AuditEvent;

/** The chain hash: what it covers, and known-answer vectors that an independent verifier must reproduce. */
class AuditChainTest {

    private static final AuditEvent E = new AuditEvent("e1", Instant.parse("2026-11-26T10:00:00Z"), "svc", "act",
            "success", "alice", "s1", "p1", "TREAT", "d");

    @Test
    void hashIsDeterministicAndCoversEveryFieldThePositionAndThePredecessor() {
        byte[] h = AuditChain.hash(AuditChain.GENESIS, 1, E);
        assertEquals(32, h.length);
        assertArrayEquals(h, AuditChain.hash(AuditChain.GENESIS, 1, E));
        assertFalse(Arrays.equals(h, AuditChain.hash(AuditChain.GENESIS, 2, E)));
        assertFalse(Arrays.equals(h, AuditChain.hash(h, 1, E)));
        AuditEvent otherActor = new AuditEvent("e1", E.occurredAt(), "svc", "act", "success", "mallory", "s1", "p1",
                "TREAT", "d");
        assertFalse(Arrays.equals(h, AuditChain.hash(AuditChain.GENESIS, 1, otherActor)));
        // field boundaries are length-prefixed: moving a character between fields changes the hash
        AuditEvent shifted = new AuditEvent("e1", E.occurredAt(), "svc", "act", "success", "alices", "1", "p1",
                "TREAT", "d");
        assertFalse(Arrays.equals(h, AuditChain.hash(AuditChain.GENESIS, 1, shifted)));
        AuditEvent nullDetail = new AuditEvent("e1", E.occurredAt(), "svc", "act", "success", "alice", "s1", "p1",
                "TREAT", null);
        assertFalse(Arrays.equals(AuditChain.hash(AuditChain.GENESIS, 1, nullDetail),
                AuditChain.hash(AuditChain.GENESIS, 1, new AuditEvent("e1", E.occurredAt(), "svc", "act", "success",
                        "alice", "s1", "p1", "TREAT", ""))));
    }

    /**
     * Known-answer vectors, also printed in the README. They were computed by an independent implementation written
     * from the README's description (Python's hashlib and struct), not by this code; an entry-by-entry chain of three
     * that covers nulls, an empty string, non-ASCII text and fractional seconds.
     */
    @Test
    void knownAnswerVectors() {
        AuditEvent e1 = new AuditEvent("3f1c2a9e-0d4b-4c6e-9a57-1b2c3d4e5f60", Instant.parse("2026-11-26T10:00:00Z"),
                "ingestion-service", "submission.received", "success", "ehr-north",
                "6a7b8c9d-0e1f-4a2b-8c3d-4e5f60718293", "ehr-north|pat-1", "ingest", "Patient entries=1");
        AuditEvent e2 = new AuditEvent("4b2d3c0f-1e5c-4d7f-8b68-2c3d4e5f6071",
                Instant.parse("2026-11-26T10:00:01.000250Z"), "audit-service", "access.denied", "denied", "j\u00fcrgen",
                null, null, "access", "not authorised GET /audit/events");
        AuditEvent e3 = new AuditEvent("5c3e4d10-2f6d-4e80-9c79-3d4e5f607182",
                Instant.parse("2026-11-26T10:00:02.120Z"), "index-service", "record.read", "success", "terry", null,
                "7d8e9fa0-b1c2-4d3e-8f40-5162738495a6", "TREAT", "");
        byte[] h1 = AuditChain.hash(AuditChain.GENESIS, 1, e1);
        byte[] h2 = AuditChain.hash(h1, 2, e2);
        byte[] h3 = AuditChain.hash(h2, 3, e3);
        assertEquals("6957641913a72b3af7b6e16fe35b8e92dee781ab3e070531f869496a3b6d98a2", HexFormat.of().formatHex(h1));
        assertEquals("d1812dc4202bc0c5908d01048d76eaf5258028ee074238e690b503c24399ea7d", HexFormat.of().formatHex(h2));
        assertEquals("c03c7f10c0c50b3f3192cb07f46389954247d53afd4a1d0257de87dbc5ce6494", HexFormat.of().formatHex(h3));
    }
}
