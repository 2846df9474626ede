package org.recordline.audit.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recordline.audit.domain.AuditQueries;

/**
 * A patient's accounting of disclosures (45 CFR 164.528): for each disclosure of their records, when, to whom, what
 * and why; as data, and as an HTML document a records technician can print and hand to the patient. Ids only: the
 * document names the records by their ids, never their contents.
 */
final class Disclosures {

    /** Most disclosures one accounting lists; more is said in the answer ({@code complete} false). */
    static final int MAX = 10_000;

    /** Plain words for the purposes of use a patient will meet most. */
    private static final Map<String, String> PURPOSES = Map.ofEntries(
            Map.entry("TREAT", "treatment"), Map.entry("ETREAT", "emergency treatment"),
            Map.entry("BTG", "emergency access (break the glass)"), Map.entry("CAREMGT", "care management"),
            Map.entry("COC", "coordination of care"), Map.entry("HPAYMT", "payment"),
            Map.entry("HOPERAT", "healthcare operations"), Map.entry("HSYSADMIN", "system administration"),
            Map.entry("HQUALIMP", "quality improvement"), Map.entry("HLEGAL", "legal"),
            Map.entry("HRESCH", "research"), Map.entry("CLINTRCH", "clinical research"),
            Map.entry("PATRQT", "at the patient's request"), Map.entry("FAMRQT", "at a family member's request"),
            Map.entry("PWATRNY", "power of attorney"), Map.entry("PUBHLTH", "public health"),
            Map.entry("DISASTER", "disaster response"), Map.entry("THREAT", "to prevent a threat"),
            Map.entry("RECORDMGT", "records management"), Map.entry("FRAUD", "fraud investigation"),
            Map.entry("GOV", "government"));

    private Disclosures() {
    }

    /**
     * One disclosure.
     *
     * @param seq        the audit entry
     * @param date       when
     * @param recipient  who received the records (the caller)
     * @param onBehalfOf the person the caller acted for, when it said so
     * @param roles      the recipient's roles
     * @param service    which part of Recordline disclosed them
     * @param what       what was disclosed (the act, the records' ids)
     * @param purpose    the purpose of use (code)
     * @param purposeText the purpose in plain words
     */
    record Disclosure(long seq, Instant date, String recipient, String onBehalfOf, List<String> roles,
                      String service, String what, String purpose, String purposeText) {
    }

    /**
     * The accounting.
     *
     * @param patient     the id asked about
     * @param patientIds  every id of the patient it covers
     * @param from        the period's start
     * @param to          the period's end (exclusive)
     * @param generatedAt when it was made
     * @param complete    false when more than {@link #MAX} disclosures matched and only the first are listed
     * @param disclosures in the order they happened
     */
    record Accounting(String patient, Set<String> patientIds, Instant from, Instant to, Instant generatedAt,
                      boolean complete, List<Disclosure> disclosures) {
    }

    static Accounting of(String patient, Set<String> ids, Instant from, Instant to, List<AuditQueries.Entry> entries) {
        List<Disclosure> out = new ArrayList<>(entries.size());
        for (AuditQueries.Entry e : entries) {
            var ctx = e.context();
            StringBuilder what = new StringBuilder(e.detail() == null || e.detail().isEmpty() ? e.action()
                    : e.detail());
            if (ctx != null && ctx.resources() != null && !ctx.resources().isEmpty()) {
                what.append(" (").append(String.join(", ", ctx.resources())).append(')');
            }
            if (e.submissionId() != null) {
                what.append(" [submission ").append(e.submissionId()).append(']');
            }
            out.add(new Disclosure(e.seq(), e.occurredAt(), e.actor(), ctx == null ? null : ctx.onBehalfOf(),
                    ctx == null || ctx.roles() == null ? List.of() : ctx.roles(), e.service(), what.toString(),
                    e.purpose(), e.purpose() == null ? null : PURPOSES.getOrDefault(e.purpose(), e.purpose())));
        }
        return new Accounting(patient, ids, from, to, Instant.now(), entries.size() < MAX, out);
    }

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    /**
     * What the printable document shows, formatted (the template, {@code templates/disclosures.html}, escapes it).
     *
     * @param patient  the id asked about
     * @param ids      every id covered, comma-separated
     * @param from     the period's start
     * @param to       the period's end
     * @param prepared when it was made
     * @param rows     one per disclosure
     * @param complete whether every disclosure is listed
     * @param max      how many are listed at most
     * @param entries  the audit entries listed ("12 to 40", or "none")
     */
    @io.quarkus.qute.TemplateData
    record Document(String patient, String ids, String from, String to, String prepared, List<Row> rows,
                    boolean complete, int max, String entries) {
    }

    /** One row of the document. */
    @io.quarkus.qute.TemplateData
    record Row(String date, String recipient, String what, String purpose) {
    }

    static Document document(Accounting a) {
        List<Row> rows = new ArrayList<>(a.disclosures().size());
        for (Disclosure d : a.disclosures()) {
            String recipient = d.recipient() + (d.onBehalfOf() == null ? "" : " for " + d.onBehalfOf())
                    + (d.roles().isEmpty() ? "" : " (" + String.join(", ", d.roles()) + ")");
            rows.add(new Row(DAY.format(d.date()), recipient, d.what() + " \u2014 " + d.service(),
                    d.purposeText() == null ? "" : d.purposeText()));
        }
        String entries = a.disclosures().isEmpty() ? "none" : a.disclosures().get(0).seq() + " to "
                + a.disclosures().get(a.disclosures().size() - 1).seq();
        return new Document(a.patient(), String.join(", ", a.patientIds()), DAY.format(a.from()), DAY.format(a.to()),
                DAY.format(a.generatedAt()), rows, a.complete(), MAX, entries);
    }
}
