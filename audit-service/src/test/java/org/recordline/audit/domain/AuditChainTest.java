package org.recordline.audit.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
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
        // an entry with a context: the context's JSON text is an eleventh field
        AuditEvent e4 = new AuditEvent("6d4f5e21-3a7e-4f91-8d8a-4e5f60718293", Instant.parse("2026-11-26T10:00:03Z"),
                "index-service", "record.read", "success", "terry", null, "7d8e9fa0-b1c2-4d3e-8f40-5162738495a6",
                "TREAT", "chart", new AuditEvent.Context(List.of("records-technician"), "dr-m\u00fcller", "10.0.0.7",
                "c-1", "7d8e9fa0-b1c2-4d3e-8f40-5162738495a6", null, List.of("ehr-north|pat-1"),
                List.of("Patient/pat-1"), null));
        assertEquals(CONTEXT_4, AuditChain.contextText(e4.context()));
        byte[] h4 = AuditChain.hash(h3, 4, e4);
        assertEquals("0f055f1e1e413cb1f31805cc127d982d8e57376311c010cd2396bed8baf62c16", HexFormat.of().formatHex(h4));
        assertArrayEquals(h4, AuditChain.hash(h3, 4, e4.withContext(null), CONTEXT_4), "the stored text is hashed");
    }

    /** Entry 4's context as stored and hashed (in the README's table). */
    private static final String CONTEXT_4 = "{\"roles\":[\"records-technician\"],\"onBehalfOf\":\"dr-m\u00fcller\","
            + "\"clientAddress\":\"10.0.0.7\",\"correlationId\":\"c-1\","
            + "\"personId\":\"7d8e9fa0-b1c2-4d3e-8f40-5162738495a6\",\"sourceIds\":[\"ehr-north|pat-1\"],"
            + "\"resources\":[\"Patient/pat-1\"]}";

    @Test
    void storedTextLosesNulsAndUnpairedSurrogatesAndIsNeverCutInsideACharacter() {
        assertEquals("ab", AuditLog.cut("a\u0000b", 10));
        assertEquals("ab", AuditLog.cut("a\ud83db", 10), "a lone high surrogate");
        assertEquals("ab", AuditLog.cut("a\ude00b", 10), "a lone low surrogate");
        assertEquals("a\ud83d\ude00", AuditLog.cut("a\ud83d\ude00", 10), "a pair stays");
        assertEquals("a", AuditLog.cut("a\ud83d\ude00", 2), "cut before the pair, not inside it");
        assertEquals("abc", AuditLog.cut("abcdef", 3));
        assertEquals(null, AuditLog.cut(null, 3));
        String clean = "ehr-north|pat-1";
        assertSame(clean, AuditLog.cut(clean, 100), "clean text within its size is kept as it is");
        assertEquals("\u00e9t\u00e9", AuditLog.cut("\u00e9t\u00e9\u00e9", 3), "no surrogate: cut at the size");
    }

    @Test
    void aContextsListsAreCutToTheirSizeWithoutNullsAndSaySo() {
        List<String> fifty = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "s|" + i).toList();
        AuditEvent.Context kept = new AuditEvent.Context(List.of("r"), null, null, null, "EP-1", null, fifty,
                null, null);
        AuditEvent.Context same = AuditLog.normalise(kept);
        assertEquals(kept, same);
        assertSame(fifty, same.sourceIds(), "lists that need no change are kept");
        assertNull(same.truncated());

        List<String> many = new java.util.ArrayList<>(fifty);
        many.add("s|50");
        many.add(1, null);
        AuditEvent.Context cut = AuditLog.normalise(new AuditEvent.Context(null, null, null, null, null, null, many,
                java.util.Arrays.asList("Patient/" + "x".repeat(400), null), null));
        assertEquals(Boolean.TRUE, cut.truncated(), "more than fifty values: cut, and said so");
        assertEquals(49, cut.sourceIds().size(), "the first fifty values, less the null among them");
        assertEquals("s|48", cut.sourceIds().get(48));
        assertEquals(List.of("Patient/" + "x".repeat(292)), cut.resources(), "values cut to 300, nulls left out");
        assertNull(AuditLog.normalise(new AuditEvent.Context(null, null, null, null, null, null, null, null,
                null)).truncated());
        assertEquals(Boolean.TRUE, AuditLog.normalise(new AuditEvent.Context(null, null, null, null, null, null,
                null, null, true)).truncated(), "a context cut by its sender stays marked");
    }

    @Test
    void aContextIsCoveredAndAnEmptyOneDiffersFromNone() {
        byte[] none = AuditChain.hash(AuditChain.GENESIS, 1, E);
        byte[] some = AuditChain.hash(AuditChain.GENESIS, 1, E.withContext(AuditEvent.Context.patient("EP-1", null)));
        byte[] other = AuditChain.hash(AuditChain.GENESIS, 1, E.withContext(AuditEvent.Context.patient("EP-2", null)));
        assertFalse(Arrays.equals(none, some));
        assertFalse(Arrays.equals(some, other));
        assertFalse(Arrays.equals(none, AuditChain.hash(AuditChain.GENESIS, 1, E, "")));
    }
}
