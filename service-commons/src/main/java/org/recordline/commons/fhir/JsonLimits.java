package org.recordline.commons.fhir;

/**
 * The limits a FHIR JSON document must keep before HAPI builds anything from it.
 *
 * @param maxDepth         deepest nesting of objects and arrays
 * @param maxNumberLength  longest number literal, in characters (FHIR decimals need about 20)
 * @param maxEntries       most top-level {@code Bundle.entry} items
 * @param maxXhtmlDepth    deepest element nesting inside a narrative's {@code div}
 */
public record JsonLimits(int maxDepth, int maxNumberLength, int maxEntries, int maxXhtmlDepth) {
}
