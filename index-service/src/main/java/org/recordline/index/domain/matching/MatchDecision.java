package org.recordline.index.domain.matching;

/**
 * The matcher's answer: which enterprise person a source record belongs to, and why.
 *
 * @param enterprisePersonId the person, or null when a new person must be created
 * @param rule               {@code same-source-record}, {@code probabilistic} (score at or above the upper
 *                           threshold), {@code possible-match} (a new person, and a possible match with
 *                           {@code possiblePersonId} for review) or {@code new-person}
 * @param candidates         how many distinct persons were compared
 * @param score              the best score found, or null when nothing was compared
 * @param possiblePersonId   the person a possible match is opened with, or null
 * @param explanation        the best comparison as JSON (each field's level and weight, total, thresholds, model),
 *                           or null
 * @param modelVersion       the match model that scored, or null
 */
public record MatchDecision(String enterprisePersonId, String rule, int candidates, Double score,
                            String possiblePersonId, String explanation, String modelVersion) {

    public static final String SAME_SOURCE_RECORD = "same-source-record";
    public static final String PROBABILISTIC = "probabilistic";
    public static final String POSSIBLE_MATCH = "possible-match";
    public static final String NEW_PERSON = "new-person";

    /** A decision without scoring (a source record seen before). */
    public MatchDecision(String enterprisePersonId, String rule, int candidates) {
        this(enterprisePersonId, rule, candidates, null, null, null, null);
    }

    /** The same decision for another (existing) person: the one the decided person was merged into meanwhile. */
    public MatchDecision withPerson(String personId) {
        return new MatchDecision(personId, rule, candidates, score, possiblePersonId, explanation, modelVersion);
    }

    public boolean newPerson() {
        return enterprisePersonId == null;
    }
}
