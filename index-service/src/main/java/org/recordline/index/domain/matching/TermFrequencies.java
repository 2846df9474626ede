package org.recordline.index.domain.matching;

import java.util.HashMap;
import java.util.Map;

/**
 * How common each given and family name is among the records: the share of records that hold it. Used to weigh an
 * exact name agreement by its rarity.
 */
public final class TermFrequencies {

    private final Map<String, Integer> given = new HashMap<>();
    private final Map<String, Integer> family = new HashMap<>();
    private int records;

    /** Counts {@code d}'s names. */
    public void add(Demographics d) {
        records++;
        if (d.given() != null) {
            given.merge(d.given(), 1, Integer::sum);
        }
        if (d.family() != null) {
            family.merge(d.family(), 1, Integer::sum);
        }
    }

    /** The {@code limit} commonest values of {@code field} (GIVEN or FAMILY) held by more than one record, with shares. */
    public Map<String, Double> commonest(Field field, int limit) {
        Map<String, Integer> counts = field == Field.GIVEN ? given : family;
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        counts.entrySet().stream().filter(e -> e.getValue() > 1)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit).forEach(e -> out.put(e.getKey(), e.getValue() / (double) records));
        return out;
    }

    /** The share of records whose {@code field} (GIVEN or FAMILY) is {@code value}; 0 for other fields or none. */
    public double frequency(Field field, String value) {
        if (value == null || records == 0) {
            return 0;
        }
        Map<String, Integer> counts = field == Field.GIVEN ? given : field == Field.FAMILY ? family : null;
        return counts == null ? 0 : counts.getOrDefault(value, 0) / (double) records;
    }
}
