package org.recordline.commons.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which failures pause a consumer, and the retry loop around its work. */
class ConsumerRetryTest {

    private static SQLException sqlState(String state) {
        return new SQLException("failed", state);
    }

    // ---- isTransient ---------------------------------------------------------------------------------------------

    @Test
    void sqlTransientExceptionsAreTransient() {
        assertTrue(ConsumerRetry.isTransient(new SQLTransientException("busy")));
        assertTrue(ConsumerRetry.isTransient(new SQLTransientConnectionException("pool exhausted")));
    }

    @Test
    void agroalAcquisitionTimeoutsAreTransientWhateverTheirCase() {
        // the two messages Agroal 3 uses: the database cannot be reached, or the pool is exhausted
        assertTrue(ConsumerRetry.isTransient(new RuntimeException(
                new java.sql.SQLException("Acquisition timeout while waiting for new connection"))));
        assertTrue(ConsumerRetry.isTransient(new java.sql.SQLException("Sorry, acquisition timeout!")));
    }

    @Test
    void sqlRecoverableExceptionIsTransient() {
        assertTrue(ConsumerRetry.isTransient(new SQLRecoverableException("connection lost")));
    }

    @Test
    void connectExceptionIsTransient() {
        assertTrue(ConsumerRetry.isTransient(new ConnectException("Connection refused")));
    }

    @Test
    void connectionFailureStateIsTransient() {
        assertTrue(ConsumerRetry.isTransient(sqlState("08006")));
        assertTrue(ConsumerRetry.isTransient(sqlState("08001")));
    }

    @Test
    void adminShutdownStateIsTransient() {
        assertTrue(ConsumerRetry.isTransient(sqlState("57P01")));
    }

    @Test
    void serializationFailureStateIsTransient() {
        assertTrue(ConsumerRetry.isTransient(sqlState("40001")));
    }

    @Test
    void deadlockStateIsTransient() {
        assertTrue(ConsumerRetry.isTransient(sqlState("40P01")));
    }

    @Test
    void tooManyConnectionsStateIsTransient() {
        assertTrue(ConsumerRetry.isTransient(sqlState("53300")));
    }

    @Test
    void uniqueViolationStateIsNotTransient() {
        assertFalse(ConsumerRetry.isTransient(sqlState("23505")));
    }

    @Test
    void undefinedTableStateIsNotTransient() {
        assertFalse(ConsumerRetry.isTransient(sqlState("42P01")));
    }

    @Test
    void otherClass40StatesAreNotTransient() {
        assertFalse(ConsumerRetry.isTransient(sqlState("40002")));
    }

    @Test
    void sqlExceptionWithoutStateIsNotTransient() {
        assertFalse(ConsumerRetry.isTransient(new SQLException("no state")));
        assertFalse(ConsumerRetry.isTransient(sqlState(null)));
    }

    @Test
    void transientCauseOfARuntimeExceptionIsTransient() {
        assertTrue(ConsumerRetry.isTransient(new RuntimeException("wrapped", sqlState("08006"))));
        assertTrue(ConsumerRetry.isTransient(new IllegalStateException("outer",
                new RuntimeException("middle", new SQLTransientException("inner")))));
        assertTrue(ConsumerRetry.isTransient(new UncheckedIOException(new ConnectException("refused"))));
    }

    @Test
    void nonTransientCauseOfARuntimeExceptionIsNotTransient() {
        assertFalse(ConsumerRetry.isTransient(new RuntimeException("wrapped", sqlState("23505"))));
    }

    @Test
    void kafkaRetriableExceptionIsTransient() {
        assertTrue(ConsumerRetry.isTransient(new TimeoutException("metadata not available")));
        assertTrue(ConsumerRetry.isTransient(new RuntimeException(new TimeoutException("nested"))));
    }

    @Test
    void programmingErrorsAreNotTransient() {
        assertFalse(ConsumerRetry.isTransient(new IllegalArgumentException("bad input")));
        assertFalse(ConsumerRetry.isTransient(new NullPointerException()));
        assertFalse(ConsumerRetry.isTransient(new RuntimeException("no cause")));
    }

    @Test
    void nullIsNotTransient() {
        assertFalse(ConsumerRetry.isTransient(null));
    }

    // ---- run -----------------------------------------------------------------------------------------------------

    @Test
    void runReturnsTheValueOfWorkThatSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        String result = ConsumerRetry.run("store", () -> {
            calls.incrementAndGet();
            return "stored";
        });
        assertEquals("stored", result);
        assertEquals(1, calls.get());
    }

    @Test
    void runRetriesTransientFailuresUntilTheWorkSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        Integer result = ConsumerRetry.run("store", () -> {
            int n = calls.incrementAndGet();
            if (n <= 2) {
                throw new RuntimeException("database down", new SQLTransientConnectionException("refused"));
            }
            return n;
        });
        assertEquals(3, result);
        assertEquals(3, calls.get());
    }

    @Test
    void runRethrowsANonTransientFailureAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        IllegalArgumentException failure = new IllegalArgumentException("poison record");
        // a retried poison record would loop forever: fail instead of hanging the build
        IllegalArgumentException thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IllegalArgumentException.class, () -> ConsumerRetry.run("store", () -> {
                    calls.incrementAndGet();
                    throw failure;
                })));
        assertSame(failure, thrown);
        assertEquals(1, calls.get());
    }

    @Test
    void runRethrowsANonTransientSqlFailureAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        RuntimeException failure = new RuntimeException("duplicate", sqlState("23505"));
        // a retried poison record would loop forever: fail instead of hanging the build
        RuntimeException thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(RuntimeException.class, () -> ConsumerRetry.run("store", () -> {
                    calls.incrementAndGet();
                    throw failure;
                })));
        assertSame(failure, thrown);
        assertEquals(1, calls.get());
    }

    @Test
    void anInterruptDoesNotTurnATransientFailureIntoADeadLetterAndIsKept() {
        AtomicInteger calls = new AtomicInteger();
        RuntimeException failure = new RuntimeException("database down", new SQLRecoverableException("lost"));
        boolean[] interruptKept = new boolean[1];
        String result = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Thread.currentThread().interrupt();
            try {
                return ConsumerRetry.run("store", () -> {
                    if (calls.incrementAndGet() < 3) {
                        throw failure;
                    }
                    return "stored";
                });
            } finally {
                interruptKept[0] = Thread.interrupted(); // reads and clears the flag of the worker thread
            }
        });
        assertEquals("stored", result);
        assertEquals(3, calls.get());
        assertTrue(interruptKept[0], "the interrupt must be restored");
    }

    @Test
    void aCycleOfCausesEndsTheSearch() {
        RuntimeException a = new RuntimeException("a");
        IllegalStateException b = new IllegalStateException("b", a);
        a.initCause(b);
        assertFalse(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> ConsumerRetry.isTransient(a)));
        RuntimeException withTransient = new RuntimeException("c", new SQLTransientException("t"));
        assertTrue(ConsumerRetry.isTransient(withTransient));
    }

    @Test
    void anUnclassifiedFailureDuringAnOutageIsRetriedNotRethrown() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger outageChecks = new AtomicInteger();
        String result = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ConsumerRetry.run("test", () -> {
            if (calls.incrementAndGet() < 3) {
                // what pgjdbc throws when its server vanishes in the middle of a batch
                throw new AssertionError("pgStatement.getConnection().getAutoCommit() should not throw");
            }
            return "applied";
        }, failure -> outageChecks.incrementAndGet() < 3));
        assertEquals("applied", result);
        assertEquals(3, calls.get());
    }

    @Test
    void anUnclassifiedFailureWithTheDatabaseReachableIsRethrownAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        AssertionError thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                AssertionError.class, () -> ConsumerRetry.run("test", () -> {
                    calls.incrementAndGet();
                    throw new AssertionError("a bug");
                }, failure -> false)));
        assertEquals("a bug", thrown.getMessage());
        assertEquals(1, calls.get());
    }
}
