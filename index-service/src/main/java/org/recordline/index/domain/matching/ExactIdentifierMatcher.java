package org.recordline.index.domain.matching;

import jakarta.enterprise.context.ApplicationScoped;
import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.recordline.commons.persistence.DataAccessException;

/**
 * Deterministic matching: a source record seen before keeps its person; otherwise any shared identifier (same system
 * and value) links to the person that identifier belongs to; otherwise the record starts a new person. The
 * probabilistic matcher replaces the second step in a later version.
 */
@ApplicationScoped
public class ExactIdentifierMatcher {

    private static final String KNOWN = "SELECT enterprise_person_id FROM source_record WHERE source_record_key = ?";
    /** Persons holding any of the identifiers, oldest first. */
    private static final String SHARING = "SELECT pi.enterprise_person_id FROM person_identifier pi"
            + " JOIN unnest(?::varchar[], ?::varchar[]) AS i (system, value)"
            + " ON pi.system = i.system AND pi.value = i.value"
            + " JOIN enterprise_person p ON p.id = pi.enterprise_person_id"
            + " GROUP BY pi.enterprise_person_id, p.created_at ORDER BY p.created_at, pi.enterprise_person_id";

    private final AgroalDataSource dataSource;

    public ExactIdentifierMatcher(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Takes the transaction-scoped advisory locks of every source record key and identifier of {@code patients}, in
     * one statement and one global order (sorted keys), so two filings never deadlock and two instances filing the
     * same person at once see each other's result instead of both creating a person. Must run inside the filing
     * transaction, before {@link #matchLocked}.
     */
    public void lock(List<PatientIdentity> patients) {
        java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        for (PatientIdentity patient : patients) {
            keys.add("src:" + patient.sourceRecordKey());
            patient.identifiers().forEach(i -> keys.add("id:" + i.system() + "|" + i.value()));
        }
        if (keys.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM "
                        + "(SELECT k FROM unnest(?::text[]) AS k ORDER BY k COLLATE \"C\") AS sorted")) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray()));
            ps.executeQuery().close();
        } catch (SQLException e) {
            throw new DataAccessException("matching locks failed", e);
        }
    }

    /**
     * Decides the person of {@code patient}, whose locks this transaction holds ({@link #lock}): the source record
     * seen before, else the oldest person sharing an identifier, else a new person.
     */
    public MatchDecision matchLocked(PatientIdentity patient) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(KNOWN)) {
                ps.setString(1, patient.sourceRecordKey());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new MatchDecision(rs.getString(1), MatchDecision.SAME_SOURCE_RECORD, 1);
                    }
                }
            }
            if (patient.identifiers().isEmpty()) {
                return new MatchDecision(null, MatchDecision.NEW_PERSON, 0);
            }
            List<String> persons = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SHARING)) {
                ps.setArray(1, c.createArrayOf("varchar",
                        patient.identifiers().stream().map(PatientIdentity.Identifier::system).toArray()));
                ps.setArray(2, c.createArrayOf("varchar",
                        patient.identifiers().stream().map(PatientIdentity.Identifier::value).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        persons.add(rs.getString(1));
                    }
                }
            }
            if (persons.isEmpty()) {
                return new MatchDecision(null, MatchDecision.NEW_PERSON, 0);
            }
            return new MatchDecision(persons.get(0), MatchDecision.EXACT_IDENTIFIER, persons.size());
        } catch (SQLException e) {
            throw new DataAccessException("matching failed", e);
        }
    }
}
