package org.recordline.index.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.AuditActions;
import org.recordline.events.EventCodec;
import org.recordline.events.OutgoingEvent;
import org.recordline.events.RecordChanged;

/**
 * The possible matches waiting for a records technician: listed with the decision's field-by-field explanation and
 * both sides' demographics; accepted (the source record and everything filed under it move to the candidate person,
 * announced as a {@code LINKED} record change with the ids before and after) or rejected (they stay apart). Each
 * action is one transaction with its audit event and its outbox event.
 */
@ApplicationScoped
public class ReviewQueue {

    /** Thrown for a request the queue refuses: the answer's status and why. */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * A possible match as a technician sees it.
     *
     * @param id                 the possible match
     * @param status             {@code OPEN}, {@code ACCEPTED} or {@code REJECTED}
     * @param score              the decision's score
     * @param createdAt          when it was opened
     * @param sourceRecordKey    the incoming source record
     * @param personId           the person that record was filed under (a new one)
     * @param candidatePersonId  the person it may belong to
     * @param explanation        each field's level and weight, the total, thresholds and model
     * @param incoming           the incoming record's demographics (as compared)
     * @param candidate          the candidate person's most recent source record's demographics
     */
    public record Item(long id, String status, double score, Instant createdAt, String sourceRecordKey,
                       String personId, String candidatePersonId, JsonNode explanation, JsonNode incoming,
                       JsonNode candidate) {
    }

    private static final String ITEM = "SELECT pm.id, pm.status, pm.score, pm.created_at, sr.source_record_key,"
            + " sr.enterprise_person_id, pm.candidate_person_id, d.explanation::text, sr.demographics::text,"
            + " (SELECT c.demographics::text FROM source_record c WHERE c.enterprise_person_id = pm.candidate_person_id"
            + " ORDER BY c.updated_at DESC LIMIT 1)"
            + " FROM possible_match pm JOIN source_record sr ON sr.id = pm.source_record_id"
            + " JOIN match_decision d ON d.id = pm.decision_id";

    private final AgroalDataSource dataSource;
    private final OutboxWriter outbox;
    private final AuditTrail audit;
    private final PersonLinks links;

    public ReviewQueue(AgroalDataSource dataSource, OutboxWriter outbox, AuditTrail audit, PersonLinks links) {
        this.dataSource = dataSource;
        this.links = links;
        this.outbox = outbox;
        this.audit = audit;
    }

    /** A page of possible matches with {@code status}, oldest first; each one shown is an audited read. */
    @Transactional
    public List<Item> list(String status, int page, int size, String actor) {
        List<Item> items = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ITEM
                + " WHERE pm.status = ? ORDER BY pm.created_at, pm.id LIMIT ? OFFSET ?")) {
            ps.setString(1, status);
            ps.setInt(2, size);
            ps.setLong(3, (long) page * size);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(item(rs));
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("listing possible matches failed", e);
        }
        for (Item i : items) {
            audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, i.candidatePersonId(),
                    "treatment", "possible match " + i.id() + " with " + i.personId());
        }
        if (items.isEmpty()) {
            // a look at the queue is accounted for even when it showed nobody
            audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, null, "treatment",
                    "possible matches " + status.toLowerCase(java.util.Locale.ROOT) + ", none");
        }
        return items;
    }

    private static Item item(ResultSet rs) throws SQLException {
        try {
            return new Item(rs.getLong(1), rs.getString(2), rs.getDouble(3), rs.getTimestamp(4).toInstant(),
                    rs.getString(5), rs.getString(6), rs.getString(7), tree(rs.getString(8)), tree(rs.getString(9)),
                    tree(rs.getString(10)));
        } catch (java.io.IOException e) {
            throw new SQLException("unreadable stored JSON", e);
        }
    }

    private static JsonNode tree(String json) throws java.io.IOException {
        return json == null ? null : EventCodec.mapper().readTree(json);
    }

    /**
     * Accepts possible match {@code id}: the source record, its identifiers and resources move to the candidate
     * person ({@link PersonLinks}); the person they leave, when it keeps no source record, points at the candidate
     * ({@code merged_into}). Refused when the candidate has been merged into another person meanwhile.
     */
    @Transactional
    public Item accept(long id, String actor, String reason) {
        Instant now = Instant.now();
        Timestamp at = Timestamp.from(now);
        try (Connection c = dataSource.getConnection()) {
            // the filing's lock of the source record before any row lock, in the order a filing takes them
            links.lockSourceRecords(List.of(sourceRecordKey(c, id)));
            Open open = lockOpen(c, id);
            String from = open.personId();
            String to = open.candidatePersonId();
            String merged = PersonLinks.lockPersons(c, from, to).get(to);
            if (merged != null) {
                throw new Refused(409, "the candidate person was merged into " + merged
                        + "; reject this match and link the record to that person");
            }
            resolve(c, id, "ACCEPTED", actor, reason, at);
            PersonLinks.Moved moved = links.move(c, PersonLinks.Action.REVIEWED_LINK, from, to,
                    List.of(open.sourceRecordId()), PersonLinks.REVIEWED_LINK, actor, reason, now, id, null);
            Statements.update(c, "INSERT INTO match_decision (source_record_id, submission_id, decided_at, rule,"
                    + " enterprise_person_id, candidate_person_id, score, upper_threshold, lower_threshold,"
                    + " model_version, explanation) SELECT source_record_id, ?, ?, 'reviewed-link', ?, ?, score,"
                    + " upper_threshold, lower_threshold, model_version, explanation FROM match_decision WHERE id = ?",
                    open.submissionId(), at, to, from, open.decisionId());
            List<OutgoingEvent> out = new ArrayList<>(links.announce(moved, RecordChanged.ChangeType.LINKED,
                    PersonLinks.REVIEWED_LINK, now));
            out.add(links.movedAudit(AuditActions.MATCH_ACCEPTED, actor, open.submissionId(), to, moved,
                    "possible match " + id + ": " + from + " linked to " + to + " (change "
                            + moved.changeId() + "); " + reason));
            outbox.add(out);
            return find(c, id);
        } catch (SQLException e) {
            throw new DataAccessException("accepting the possible match failed", e);
        }
    }

    /** The source record key of possible match {@code id} (read without a lock); {@code 404} when there is none. */
    private static String sourceRecordKey(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sr.source_record_key FROM possible_match pm"
                + " JOIN source_record sr ON sr.id = pm.source_record_id WHERE pm.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new Refused(404, "no such possible match");
                }
                return rs.getString(1);
            }
        }
    }

    /** Rejects possible match {@code id}: the two persons stay apart. */
    @Transactional
    public Item reject(long id, String actor, String reason) {
        try (Connection c = dataSource.getConnection()) {
            Open open = lockOpen(c, id);
            resolve(c, id, "REJECTED", actor, reason, Timestamp.from(Instant.now()));
            audit.record(AuditActions.MATCH_REJECTED, AuditActions.SUCCESS, actor, open.submissionId(),
                    open.candidatePersonId(), "treatment", "possible match " + id + ": " + open.personId()
                            + " is not " + open.candidatePersonId() + "; " + reason);
            return find(c, id);
        } catch (SQLException e) {
            throw new DataAccessException("rejecting the possible match failed", e);
        }
    }

    private record Open(long sourceRecordId, String personId, String candidatePersonId, String submissionId,
                        long decisionId) {
    }

    private static Open lockOpen(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pm.status, sr.id, sr.enterprise_person_id,"
                + " pm.candidate_person_id, sr.last_submission_id, pm.decision_id FROM possible_match pm JOIN source_record sr ON sr.id = pm.source_record_id"
                + " WHERE pm.id = ? FOR UPDATE OF pm, sr")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new Refused(404, "no such possible match");
                }
                if (!"OPEN".equals(rs.getString(1))) {
                    throw new Refused(409, "the possible match is no longer open (" + rs.getString(1).toLowerCase()
                            + ")");
                }
                if (rs.getString(3).equals(rs.getString(4))) {
                    throw new Refused(409, "the record is filed under the candidate person already");
                }
                return new Open(rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6));
            }
        }
    }

    private static void resolve(Connection c, long id, String status, String actor, String reason, Timestamp at)
            throws SQLException {
        Statements.update(c, "UPDATE possible_match SET status = ?, resolved_by = ?, resolved_at = ?, reason = ? WHERE id = ?",
                status, actor, at, reason, id);
    }

    private static Item find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ITEM + " WHERE pm.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return item(rs);
            }
        }
    }
}
