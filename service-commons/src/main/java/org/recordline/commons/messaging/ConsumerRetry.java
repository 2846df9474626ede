package org.recordline.commons.messaging;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Retries a consumer's work while the failure is transient (database or broker unreachable, serialisation conflict),
 * so an outage pauses the partition instead of dead-lettering good records. Any other failure is rethrown at once:
 * the record is poison and goes to the dead-letter topic.
 */
public final class ConsumerRetry {

    private static final Logger LOG = Logger.getLogger(ConsumerRetry.class);
    private static final long MAX_BACKOFF_MS = 5000;
    /** Causes followed at most: a cause chain can be made into a cycle with initCause. */
    private static final int MAX_CAUSE_DEPTH = 32;

    private ConsumerRetry() {
    }

    /** Runs {@code work} until it succeeds or fails with a non-transient error. */
    public static <T> T run(String what, Supplier<T> work) {
        return run(what, work, failure -> false);
    }

    /**
     * Runs {@code work} until it succeeds or fails with an error that is neither transient by its type nor by
     * {@code outage} (asked about failures no rule classified, e.g. whether the database is unreachable right now).
     * An {@code AssertionError} (a JDBC driver's reaction to a vanished server) is handled like a runtime exception.
     */
    public static <T> T run(String what, Supplier<T> work, java.util.function.Predicate<Throwable> outage) {
        long backoff = 100;
        int attempt = 0;
        boolean interrupted = false;
        while (true) {
            try {
                T result = work.get();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return result;
            } catch (RuntimeException | AssertionError e) {
                if (!isTransient(e) && !outage.test(e)) {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    throw e;
                }
                attempt++;
                LOG.warnf("%s failed transiently (attempt %d), retrying in %d ms: %s", what, attempt, backoff,
                        rootCause(e).getClass().getSimpleName());
                if (!sleep(backoff)) {
                    // interrupted (shutdown): a transient failure must not end as a dead letter, so keep trying;
                    // if the process ends first, the record was never acknowledged and is redelivered
                    interrupted = true;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    /** Sleeps; false if interrupted (the interrupt is consumed, the caller restores it). */
    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException ie) {
            return false;
        }
    }

    /** Whether {@code t} (or a cause) says the database or broker is temporarily unavailable. */
    public static boolean isTransient(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth++ < MAX_CAUSE_DEPTH; c = c.getCause()) {
            if (c instanceof SQLTransientException || c instanceof SQLRecoverableException
                    || c instanceof java.net.ConnectException) {
                return true;
            }
            if (c instanceof SQLException sql && sql.getSQLState() == null && sql.getMessage() != null
                    && sql.getMessage().toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout")) {
                return true; // Agroal: no connection in time ("Acquisition timeout while waiting...", "Sorry, ...")
            }
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception, 57P: operator intervention (shutdown), 40001/40P01: retry the transaction
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("40001")
                        || state.equals("40P01") || state.equals("53300")) {
                    return true;
                }
            }
            if (c instanceof org.apache.kafka.common.errors.RetriableException) {
                return true;
            }
        }
        return false;
    }

    /** The simple class name of the innermost cause: enough to log, never a message that could carry data. */
    public static String rootCauseName(Throwable t) {
        return rootCause(t).getClass().getSimpleName();
    }

    /** The innermost cause of {@code t} (cause chains are followed at most 32 deep, so a cycle ends). */
    static Throwable rootCause(Throwable t) {
        Throwable c = t;
        for (int depth = 0; c.getCause() != null && c.getCause() != c && depth < MAX_CAUSE_DEPTH; depth++) {
            c = c.getCause();
        }
        return c;
    }
}
