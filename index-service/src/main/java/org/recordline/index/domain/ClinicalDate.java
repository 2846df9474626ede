package org.recordline.index.domain;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The date a resource is about, for a person's chart: the first of its clinical date elements that holds a FHIR date
 * or dateTime (when it was observed, began, was performed, administered, authored, recorded, issued), as an instant; a
 * partial date ({@code 2019}, {@code 2019-05}) is its first moment in UTC, as is a date or a dateTime without an
 * offset. Null when the resource has none (a Patient, an Organization). Pure.
 */
public final class ClinicalDate {

    /** The elements read, in order: a path of one or two names. */
    private static final List<String[]> ELEMENTS = List.of(
            new String[] {"effectiveDateTime"}, new String[] {"effectivePeriod", "start"},
            new String[] {"effectiveInstant"}, new String[] {"onsetDateTime"}, new String[] {"onsetPeriod", "start"},
            new String[] {"performedDateTime"}, new String[] {"performedPeriod", "start"},
            new String[] {"occurrenceDateTime"}, new String[] {"occurrencePeriod", "start"},
            new String[] {"period", "start"}, new String[] {"authoredOn"}, new String[] {"recordedDate"},
            new String[] {"recorded"}, new String[] {"issued"}, new String[] {"started"},
            new String[] {"billablePeriod", "start"}, new String[] {"created"}, new String[] {"date"});

    private ClinicalDate() {
    }

    /** The resource's clinical date, or null. */
    public static Instant of(JsonNode resource) {
        for (String[] path : ELEMENTS) {
            JsonNode v = resource.get(path[0]);
            if (v != null && path.length == 2) {
                v = v.get(path[1]);
            }
            if (v != null && v.isTextual()) {
                Instant at = parse(v.asText());
                if (at != null) {
                    return at;
                }
            }
        }
        return null;
    }

    /** A FHIR date, dateTime or instant as an instant; null when it is none of them. */
    static Instant parse(String s) {
        try {
            switch (s.length()) {
                case 4:
                    return LocalDate.of(Integer.parseInt(s), 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
                case 7:
                    if (s.charAt(4) != '-') {
                        return null;
                    }
                    return LocalDate.of(Integer.parseInt(s.substring(0, 4)), Integer.parseInt(s.substring(5)), 1)
                            .atStartOfDay().toInstant(ZoneOffset.UTC);
                case 10:
                    return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
                default:
                    try {
                        return OffsetDateTime.parse(s).toInstant();
                    } catch (DateTimeParseException e) {
                        return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
                    }
            }
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return null;
        }
    }
}
