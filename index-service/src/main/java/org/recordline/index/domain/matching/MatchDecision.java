package org.recordline.index.domain.matching;

/**
 * The matcher's answer: which enterprise person a source record belongs to, and why.
 *
 * @param enterprisePersonId the person, or null when a new person must be created
 * @param rule               {@code same-source-record}, {@code exact-identifier} or {@code new-person}
 * @param candidates         how many distinct persons the identifiers pointed at (more than one is a conflict
 *                           that the later review queue resolves; the oldest person wins for now)
 */
public record MatchDecision(String enterprisePersonId, String rule, int candidates) {

    public static final String SAME_SOURCE_RECORD = "same-source-record";
    public static final String EXACT_IDENTIFIER = "exact-identifier";
    public static final String NEW_PERSON = "new-person";

    public boolean newPerson() {
        return enterprisePersonId == null;
    }
}
