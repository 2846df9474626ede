package org.recordline.index.domain.matching;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import org.recordline.index.persistence.SourceRecord;

/**
 * Deterministic matching: a source record seen before keeps its person; otherwise any shared identifier (same system
 * and value) links to the person that identifier belongs to; otherwise the record starts a new person. The
 * probabilistic matcher replaces the second step in a later version.
 */
@ApplicationScoped
public class ExactIdentifierMatcher {

    private final EntityManager em;

    public ExactIdentifierMatcher(EntityManager em) {
        this.em = em;
    }

    /**
     * Decides the person of {@code patient}; must run inside the filing transaction. First takes transaction-scoped
     * advisory locks on the source record key and every identifier (sorted, so two filings never deadlock), so two
     * instances filing the same person at once see each other's result instead of both creating a person.
     */
    public MatchDecision match(PatientIdentity patient) {
        java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        keys.add("src:" + patient.sourceRecordKey());
        patient.identifiers().forEach(i -> keys.add("id:" + i.system() + "|" + i.value()));
        for (String k : keys) {
            em.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(?1, 0))) l")
                    .setParameter(1, k).getSingleResult();
        }
        Optional<SourceRecord> known = SourceRecord.findByKey(patient.sourceRecordKey());
        if (known.isPresent()) {
            return new MatchDecision(known.get().enterprisePersonId, MatchDecision.SAME_SOURCE_RECORD, 1);
        }
        if (patient.identifiers().isEmpty()) {
            return new MatchDecision(null, MatchDecision.NEW_PERSON, 0);
        }
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < patient.identifiers().size(); i++) {
            where.append(i == 0 ? "" : " OR ").append("(system = ?").append(2 * i + 1)
                    .append(" AND value = ?").append(2 * i + 2).append(')');
        }
        var q = em.createNativeQuery("SELECT pi.enterprise_person_id FROM person_identifier pi "
                + "JOIN enterprise_person p ON p.id = pi.enterprise_person_id WHERE " + where
                + " GROUP BY pi.enterprise_person_id, p.created_at ORDER BY p.created_at, pi.enterprise_person_id");
        for (int i = 0; i < patient.identifiers().size(); i++) {
            q.setParameter(2 * i + 1, patient.identifiers().get(i).system());
            q.setParameter(2 * i + 2, patient.identifiers().get(i).value());
        }
        @SuppressWarnings("unchecked")
        List<String> persons = q.getResultList();
        if (persons.isEmpty()) {
            return new MatchDecision(null, MatchDecision.NEW_PERSON, 0);
        }
        return new MatchDecision(persons.get(0), MatchDecision.EXACT_IDENTIFIER, persons.size());
    }
}
