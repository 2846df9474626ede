package org.recordline.commons.api;

import jakarta.ws.rs.BadRequestException;

/** A request parameter that does not have the form its endpoint accepts; always a 400 naming the parameter. */
public class InvalidParameterException extends BadRequestException {

    /**
     * @param name     the parameter
     * @param value    what was given (cut short; never echoed whole)
     * @param expected what it accepts, e.g. {@code a whole number from 0}
     */
    public InvalidParameterException(String name, String value, String expected) {
        this("parameter", name, value, expected);
    }

    /** A request header that does not have the form the service accepts; a 400 naming the header. */
    public static InvalidParameterException header(String name, String value, String expected) {
        return new InvalidParameterException("header", name, value, expected);
    }

    private InvalidParameterException(String kind, String name, String value, String expected) {
        super(kind + " '" + name + "' must be " + expected + "; got '"
                + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'");
    }
}
