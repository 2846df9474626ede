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
        super("parameter '" + name + "' must be " + expected + "; got '"
                + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'");
    }
}
