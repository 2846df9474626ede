package org.recordline.commons.persistence;

/** A failed database operation; the message names the operation, never the data. */
public class DataAccessException extends RuntimeException {

    public DataAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
