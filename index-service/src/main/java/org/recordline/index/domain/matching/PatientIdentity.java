package org.recordline.index.domain.matching;

import java.util.List;

/**
 * What the matcher knows about an incoming patient.
 *
 * @param sourceRecordKey {@code source-system|local-id}
 * @param identifiers     {@code system|value} pairs with both parts present
 */
public record PatientIdentity(String sourceRecordKey, List<Identifier> identifiers) {

    /**
     * An identifier.
     *
     * @param system namespace URI
     * @param value  value within it
     */
    public record Identifier(String system, String value) {
    }
}
