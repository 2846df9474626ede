package org.recordline.audit.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.recordline.events.AuditEvent;

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
}
