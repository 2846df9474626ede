package org.recordline.index.domain.matching;

import java.util.ArrayList;
import java.util.List;

/**
 * A Fellegi-Sunter model: for each field and comparison level, m (how often the level occurs when two records are of
 * one person) and u (how often when they are not), and the prior share of matches among compared pairs. A level's
 * weight is {@code log2(m/u)}; a pair's score is the sum of its fields' weights (a missing field adds nothing), the
 * fields of where a person lives together adding at most {@link #LOCATION_CAP}.
 * Immutable.
 *
 * @param m     m probabilities, {@code m[field.ordinal()][level]}
 * @param u     u probabilities, same shape
 * @param prior share of matches among the candidate pairs the model was estimated on
 */
public record MatchModel(double[][] m, double[][] u, double prior) {

    /**
     * The most that agreement on where a person lives (address, city, postcode, state and phone together) adds to a
     * score. Those fields are not independent evidence, as Fellegi-Sunter assumes: everyone in a household shares all
     * of them, so summed they would link siblings, spouses and twins whose names and birth dates disagree. Capped,
     * they still carry a record whose name or birth date was mistyped over the upper threshold, but no longer outweigh
     * a disagreement on who the person is. Disagreement on them counts in full.
     */
    public static final double LOCATION_CAP = 8;

    /** The fields {@link #LOCATION_CAP} caps together. */
    static final java.util.Set<Field> LOCATION = java.util.EnumSet.of(Field.ADDRESS, Field.CITY, Field.POSTCODE,
            Field.STATE, Field.PHONE);

    /** Probabilities are kept inside [FLOOR, 1 - FLOOR], so that no weight is infinite. */
    static final double FLOOR = 1e-6;

    public MatchModel {
        if (m.length != Field.values().length || u.length != Field.values().length) {
            throw new IllegalArgumentException("a model needs m and u for every field");
        }
        for (Field f : Field.values()) {
            if (m[f.ordinal()].length != f.size() || u[f.ordinal()].length != f.size()) {
                throw new IllegalArgumentException("field " + f + " needs " + f.size() + " levels");
            }
        }
        if (!(prior > 0 && prior < 1)) {
            throw new IllegalArgumentException("the prior must lie strictly between 0 and 1, got " + prior);
        }
    }

    /**
     * A starting point for estimation: m falls and u rises with the level (agreement is likely among matches and
     * unlikely among non-matches), and a prior of {@code prior}.
     */
    public static MatchModel startingPoint(double prior) {
        int n = Field.values().length;
        double[][] m = new double[n][];
        double[][] u = new double[n][];
        for (Field f : Field.values()) {
            int k = f.size();
            m[f.ordinal()] = new double[k];
            u[f.ordinal()] = new double[k];
            for (int level = 0; level < k; level++) {
                m[f.ordinal()][level] = level == 0 ? 0.9 : 0.1 / (k - 1);
                u[f.ordinal()][level] = level == k - 1 ? 0.9 : 0.1 / (k - 1);
            }
        }
        return new MatchModel(m, u, prior);
    }

    /** The weight of {@code level} of {@code field}: {@code log2(m/u)}; 0 for a missing field. */
    public double weight(Field field, int level) {
        if (level == Field.MISSING) {
            return 0;
        }
        return log2(clamp(m[field.ordinal()][level]) / clamp(u[field.ordinal()][level]));
    }

    /**
     * The weight with term-frequency adjustment: for an exact agreement on a value that a share {@code frequency} of
     * records hold, u is that share (two strangers share a common surname far more often than a rare one).
     */
    public double weight(Field field, int level, double frequency) {
        if (level != 0 || frequency <= 0) {
            return weight(field, level);
        }
        return log2(clamp(m[field.ordinal()][0]) / clamp(frequency));
    }

    /** The score of a comparison vector without term frequencies. */
    public double score(int[] vector) {
        return score(vector, null, (f, v) -> 0);
    }

    /**
     * The score of a comparison vector, an exact agreement on a given or family name weighed by the share of records
     * holding that name ({@code frequency} of the field and the incoming record's value; 0 when unknown).
     */
    public double score(int[] vector, Demographics incoming,
                        java.util.function.ToDoubleBiFunction<Field, String> frequency) {
        double s = 0;
        double location = 0;
        for (Field f : Field.values()) {
            double w = weight(f, vector, incoming, frequency);
            if (LOCATION.contains(f)) {
                location += w;
            } else {
                s += w;
            }
        }
        return s + Math.min(location, LOCATION_CAP);
    }

    /**
     * The part of the score that says who the person is, without where they live: the weights of the names, birth
     * date, sex and identifiers ({@code frequency} as in {@link #score(int[], Demographics,
     * java.util.function.ToDoubleBiFunction)}). Location agreement is evidence of a shared home as much as of one
     * person: a sibling born the same year in the same town, or a namesake on the same street, gets up to
     * {@link #LOCATION_CAP} from it; the index links automatically only when this part alone reaches its identity
     * floor.
     */
    public double identity(int[] vector, Demographics incoming,
                           java.util.function.ToDoubleBiFunction<Field, String> frequency) {
        double s = 0;
        for (Field f : Field.values()) {
            if (!LOCATION.contains(f)) {
                s += weight(f, vector, incoming, frequency);
            }
        }
        return s;
    }

    /**
     * Whether a pair whose birth dates disagree outright (not a typo, a transposition or only the year) shares
     * something one person holds and a namesake in the same town does not: a national id, an MRN, a phone number or
     * the street address (exact or similar). Without it, names and a town outweigh the birth date in the score (a
     * father and son of one name, two women of a common name), so the index does not link such a pair automatically;
     * it waits for review. True when the birth dates agree in any way or either is missing.
     */
    public static boolean birthDateCorroborated(int[] vector) {
        if (vector[Field.BIRTH_DATE.ordinal()] != Field.BIRTH_DATE.different()) {
            return true;
        }
        int address = vector[Field.ADDRESS.ordinal()];
        return vector[Field.NATIONAL_ID.ordinal()] == 0 || vector[Field.MRN.ordinal()] == 0
                || vector[Field.PHONE.ordinal()] == 0 || address == 0 || address == 1;
    }

    private double weight(Field f, int[] vector, Demographics incoming,
                          java.util.function.ToDoubleBiFunction<Field, String> frequency) {
        int level = vector[f.ordinal()];
        double share = level != 0 || incoming == null ? 0 : f == Field.GIVEN
                ? frequency.applyAsDouble(f, incoming.given())
                : f == Field.FAMILY ? frequency.applyAsDouble(f, incoming.family()) : 0;
        return weight(f, level, share);
    }

    /** The score at which a pair is as likely a match as not, given the prior: {@code log2((1 - prior) / prior)}. */
    public double evenOdds() {
        return log2((1 - prior) / prior);
    }

    /** Each field's level name and weight for {@code vector}, for a decision's explanation. */
    public List<String> explain(int[] vector) {
        List<String> out = new ArrayList<>();
        for (Field f : Field.values()) {
            int level = vector[f.ordinal()];
            out.add(f.name().toLowerCase(java.util.Locale.ROOT) + "=" + (level == Field.MISSING ? "missing"
                    : f.levels().get(level) + String.format(java.util.Locale.ROOT, "(%+.2f)", weight(f, level))));
        }
        return out;
    }

    static double clamp(double p) {
        return Math.min(1 - FLOOR, Math.max(FLOOR, p));
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
