package org.recordline.index.domain.matching;

import java.util.List;

/**
 * The fields probabilistic matching compares, each with its comparison levels from the strongest agreement (level 0)
 * to disagreement (the last level). A pair where either side lacks the field gets no level and no weight.
 */
public enum Field {
    GIVEN("exact", "similar", "phonetic", "initial", "different"),
    FAMILY("exact", "similar", "phonetic", "different"),
    BIRTH_DATE("exact", "day-month-transposed", "one-digit", "same-year", "different"),
    SEX("same", "different"),
    ADDRESS("exact", "similar", "different"),
    CITY("exact", "similar", "different"),
    POSTCODE("exact", "one-edit", "different"),
    STATE("same", "different"),
    PHONE("exact", "one-edit", "different"),
    NATIONAL_ID("exact", "one-edit", "different"),
    MRN("exact", "one-edit", "different");

    /** A pair where either record lacks the field. */
    public static final int MISSING = -1;

    private final List<String> levels;

    Field(String... levels) {
        this.levels = List.of(levels);
    }

    /** The names of the levels, from the strongest agreement to disagreement. */
    public List<String> levels() {
        return levels;
    }

    /** How many levels. */
    public int size() {
        return levels.size();
    }

    /** The level that means the two values disagree. */
    public int different() {
        return levels.size() - 1;
    }
}
