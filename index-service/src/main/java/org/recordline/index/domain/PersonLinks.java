package org.recordline.index.domain;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.AuditActions;
import org.recordline.events.EventTypes;
import org.recordline.events.OutgoingEvent;
import org.recordline.events.RecordChanged;
import org.recordline.events.Topics;
import org.recordline.index.domain.matching.PersonMatcher;

/**
 * Moves source records between enterprise persons, for the review queue's accept and for a records technician's
 * link, unlink, merge and unmerge: each source record and everything filed under it (identifiers, resources) changes
 * person, under the lock a filing of that source record takes; the golden records of both persons are recomputed; a
 * person left without source records points at the one they went to ({@code merged_into}); and the move is a
 * {@code person_change} row of both persons' history. Each action is one transaction with its audit event and one
 * {@code RecordChanged} per source record moved, through the outbox.
 */
@ApplicationScoped
public class PersonLinks {

    /** Match rule of a source record (and its events) after a technician's link outside the review queue. */
    public static final String MANUAL_LINK = "manual-link";
    /** Match rule after an accepted possible match. */
    public static final String REVIEWED_LINK = "reviewed-link";
    /** Match rule after an unlink into a new person. */
    public static final String MANUAL_UNLINK = "manual-unlink";
    /** Match rule after a merge. */
    public static final String MERGE = "merge";
    /** Match rule after an unmerge. */
    public static final String UNMERGE = "unmerge";

    /** Thrown for an action refused: the answer's status and why (the transaction rolls back). */
    public static final class Refused extends RuntimeException {
        private final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** The kinds of history rows ({@code person_change.action}). */
    public enum Action {
        REVIEWED_LINK("reviewed-link"), LINK("link"), UNLINK("unlink"), MERGE("merge"), UNMERGE("unmerge");

        private final String code;

        Action(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /**
     * One source record that moved.
     *
     * @param sourceRecordId   its id
     * @param sourceRecordKey  {@code source-system|local-id}
     * @param lastSubmissionId the submission that last filed it
     * @param patient          its latest Patient (FHIR JSON)
     * @param resources        every resource filed under it, in filing order
     */
    public record MovedRecord(long sourceRecordId, String sourceRecordKey, String lastSubmissionId, String patient,
                              List<RecordChanged.ResourceRef> resources) {
    }

    /**
     * What a move did.
     *
     * @param changeId     its {@code person_change} row
     * @param fromPersonId the person the records left
     * @param toPersonId   the person they went to
     * @param records      the source records moved
     * @param fromMerged   whether {@code fromPersonId} kept no source record and now points at {@code toPersonId}
     */
    public record Moved(long changeId, String fromPersonId, String toPersonId, List<MovedRecord> records,
                        boolean fromMerged) {
    }

    /**
     * One change of a person's history.
     *
     * @param id               the change
     * @param action           {@code reviewed-link}, {@code link}, {@code unlink}, {@code merge}, {@code unmerge}
     * @param fromPersonId     the person the source records left
     * @param toPersonId       the person they went to
     * @param sourceRecordKeys the source records moved
     * @param fromMerged       whether the change marked {@code fromPersonId} merged into {@code toPersonId}
     * @param actor            who did it
     * @param reason           why
     * @param at               when
     * @param possibleMatchId  for a reviewed link: the possible match accepted
     * @param undoes           for an unmerge: the merge it undid
     * @param undoneBy         for a merge: the unmerge that undid it, if any
     */
    public record Change(long id, String action, String fromPersonId, String toPersonId,
                         List<String> sourceRecordKeys, boolean fromMerged, String actor, String reason, Instant at,
                         Long possibleMatchId, Long undoes, Long undoneBy) {
    }

    /** A source record as a move reads it before moving it. */
    private record Source(long id, String key, String personId) {
    }

    private final AgroalDataSource dataSource;
    private final GoldenRecords golden;
    private final PersonMatcher matcher;
    private final OutboxWriter outbox;
    private final AuditTrail audit;
    private final EventFactory events;

    public PersonLinks(AgroalDataSource dataSource, GoldenRecords golden, PersonMatcher matcher, OutboxWriter outbox,
                       AuditTrail audit, @ConfigProperty(name = "quarkus.application.name") String service) {
        this.dataSource = dataSource;
        this.golden = golden;
        this.matcher = matcher;
        this.outbox = outbox;
        this.audit = audit;
        this.events = new EventFactory(service);
    }

    // ---- the actions --------------------------------------------------------------------------------------------

    /**
     * Links source record {@code sourceRecordKey} (and everything filed under it) to person {@code to}; the person it
     * leaves, when it keeps no source record, is marked merged into {@code to}. A {@code LINKED} record change.
     */
    @Transactional
    public Moved link(String to, String sourceRecordKey, String actor, String reason) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            Source s = sourceRecord(c, sourceRecordKey);
            lockSourceRecords(List.of(s.key()));
            s = sourceRecord(c, sourceRecordKey); // its person cannot change while the lock is held
            Map<String, String> persons = lockPersons(c, s.personId(), to);
            requireActive(persons, to, "link to");
            if (s.personId().equals(to)) {
                throw new Refused(409, "the source record is filed under this person already");
            }
            Moved moved = move(c, Action.LINK, s.personId(), to, List.of(s.id()), MANUAL_LINK, actor, reason, now,
                    null, null);
            outbox.add(withAudit(announce(moved, RecordChanged.ChangeType.LINKED, MANUAL_LINK, now),
                    movedAudit(AuditActions.PERSON_LINKED, actor, null, to, moved,
                            detail(moved, reason))));
            return moved;
        } catch (SQLException e) {
            throw new DataAccessException("linking the source record failed", e);
        }
    }

    /**
     * Unlinks source record {@code sourceRecordKey} from person {@code from} into a new person; refused when it is
     * the person's only source record. An {@code UNLINKED} record change.
     */
    @Transactional
    public Moved unlink(String from, String sourceRecordKey, String actor, String reason) {
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            Source s = sourceRecord(c, sourceRecordKey);
            lockSourceRecords(List.of(s.key()));
            s = sourceRecord(c, sourceRecordKey);
            Map<String, String> persons = lockPersons(c, from);
            requireActive(persons, from, "unlink from");
            if (!s.personId().equals(from)) {
                throw new Refused(409, "the source record is not filed under this person");
            }
            if (sourceRecordIds(c, from).size() < 2) {
                throw new Refused(409, "the source record is the person's only one; nothing to unlink it from");
            }
            String to = UUID.randomUUID().toString();
            Timestamp at = Timestamp.from(now);
            Statements.update(c, "INSERT INTO enterprise_person (id, created_at, updated_at) VALUES (?, ?, ?)", to, at, at);
            Moved moved = move(c, Action.UNLINK, from, to, List.of(s.id()), MANUAL_UNLINK, actor, reason, now, null,
                    null);
            outbox.add(withAudit(announce(moved, RecordChanged.ChangeType.UNLINKED, MANUAL_UNLINK, now),
                    movedAudit(AuditActions.PERSON_UNLINKED, actor, null, from, moved,
                            detail(moved, reason))));
            return moved;
        } catch (SQLException e) {
            throw new DataAccessException("unlinking the source record failed", e);
        }
    }

    /**
     * Merges person {@code from} into {@code into}: every source record of {@code from} moves, and {@code from} is
     * marked merged into {@code into}. One {@code MERGED} record change per source record.
     */
    @Transactional
    public Moved merge(String into, String from, String actor, String reason) {
        if (into.equals(from)) {
            throw new Refused(409, "a person cannot be merged into itself");
        }
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            // the source records to lock are read before the locks. One filed under 'from' meanwhile (its filing
            // committed before the person's row lock was granted here) moves too without its lock: taking it now,
            // after a row lock, could deadlock with a re-filing of it that holds the lock and waits for this row,
            // and it is not needed, since such a re-filing touches 'from' first and, once this commits, finds it
            // merged and files under 'into' (RecordFiling.touchFollowingMerges)
            lockSourceRecords(keys(sources(c, from)));
            Map<String, String> persons = lockPersons(c, into, from);
            requireActive(persons, into, "merge into");
            requireActive(persons, from, "merge");
            List<Source> sources = sources(c, from);
            Moved moved = move(c, Action.MERGE, from, into, sources.stream().map(Source::id).toList(), MERGE, actor,
                    reason, now, null, null);
            if (!moved.fromMerged()) {
                // every source record of 'from' moved, so it is empty; a person without any still points at 'into'
                Statements.update(c, "UPDATE enterprise_person SET merged_into = ?, updated_at = ? WHERE id = ?", into,
                        Timestamp.from(now), from);
                Statements.update(c, "UPDATE person_change SET from_merged = true WHERE id = ?", moved.changeId());
                moved = new Moved(moved.changeId(), from, into, moved.records(), true);
            }
            outbox.add(withAudit(announce(moved, RecordChanged.ChangeType.MERGED, MERGE, now),
                    movedAudit(AuditActions.PERSONS_MERGED, actor, null, into, moved,
                            detail(moved, reason))));
            return moved;
        } catch (SQLException e) {
            throw new DataAccessException("merging the persons failed", e);
        }
    }

    /**
     * Undoes the latest merge of person {@code from} into {@code survivor} that is not undone yet: the source records
     * it moved that are still under {@code survivor} go back to {@code from}, which is no longer merged; the merge's
     * history row points at this change. One {@code UNMERGED} record change per source record.
     */
    @Transactional
    public Moved unmerge(String survivor, String from, String actor, String reason) {
        if (survivor.equals(from)) {
            throw new Refused(409, "a person is never merged into itself");
        }
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            requirePersons(c, survivor, from);
            long merge = lastMerge(c, survivor, from);
            Set<String> locked = keys(mergedStillUnder(c, merge, survivor));
            lockSourceRecords(locked);
            Map<String, String> persons = lockPersons(c, survivor, from);
            requireActive(persons, survivor, "unmerge from");
            if (lastMerge(c, survivor, from) != merge) {
                throw new Refused(409, "the merge was undone meanwhile");
            }
            if (!survivor.equals(persons.get(from))) {
                throw new Refused(409, "the person is not merged into this one any more");
            }
            List<Source> back = mergedStillUnder(c, merge, survivor);
            if (back.isEmpty()) {
                throw new Refused(409, "none of the merged source records is still filed under this person");
            }
            lockLate(back, locked);
            // 'from' receives its records again: no longer merged (cleared first, so that no cycle can form)
            Statements.update(c, "UPDATE enterprise_person SET merged_into = NULL, updated_at = ? WHERE id = ?",
                    Timestamp.from(now), from);
            Moved moved = move(c, Action.UNMERGE, survivor, from, back.stream().map(Source::id).toList(), UNMERGE,
                    actor, reason, now, null, merge);
            Statements.update(c, "UPDATE person_change SET undone_by = ? WHERE id = ?", moved.changeId(), merge);
            outbox.add(withAudit(announce(moved, RecordChanged.ChangeType.UNMERGED, UNMERGE, now),
                    movedAudit(AuditActions.PERSONS_UNMERGED, actor, null, survivor, moved,
                            detail(moved, reason) + "; undoes change " + merge)));
            return moved;
        } catch (SQLException e) {
            throw new DataAccessException("unmerging the persons failed", e);
        }
    }

    /**
     * The history of person {@code personId}: every change that moved source records to or from them, newest first;
     * an audited read. Null for an unknown person (audited as a failed read).
     */
    @Transactional
    public List<Change> history(String personId, String actor) {
        List<Change> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            if (person(c, personId) == null) {
                audit.record(AuditActions.RECORD_READ, AuditActions.FAILURE, actor, null, null, "treatment",
                        "person history, not found");
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pc.id, pc.action, pc.from_person_id,"
                    + " pc.to_person_id, ARRAY(SELECT sr.source_record_key FROM unnest(pc.source_record_ids) AS m (id)"
                    + " JOIN source_record sr ON sr.id = m.id ORDER BY sr.id), pc.from_merged, pc.actor, pc.reason,"
                    + " pc.at, pc.possible_match_id, pc.undoes, pc.undone_by FROM person_change pc"
                    + " WHERE pc.from_person_id = ? OR pc.to_person_id = ? ORDER BY pc.at DESC, pc.id DESC")) {
                ps.setString(1, personId);
                ps.setString(2, personId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Array keys = rs.getArray(5);
                        out.add(new Change(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                List.of((String[]) keys.getArray()), rs.getBoolean(6), rs.getString(7),
                                rs.getString(8), rs.getTimestamp(9).toInstant(), (Long) rs.getObject(10),
                                (Long) rs.getObject(11), (Long) rs.getObject(12)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("reading the person's history failed", e);
        }
        audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, personId, "treatment",
                "person history changes=" + out.size());
        return out;
    }

    // ---- the shared mechanism -----------------------------------------------------------------------------------

    /**
     * Takes the lock a filing of each source record takes, in the order of the filing's lock buckets (ascending, as
     * a filing takes them), so that a move and a filing never wait on each other in a cycle. Must run before any row
     * lock of the move (a filing takes its locks before it writes a row).
     */
    public void lockSourceRecords(Collection<String> sourceRecordKeys) {
        matcher.lockSourceRecords(sourceRecordKeys);
    }

    /**
     * Moves source records {@code sourceRecordIds} (filed under {@code from}, their locks held) with their
     * identifiers and resources to {@code to}, in the caller's transaction: sets their match rule, marks {@code from}
     * merged into {@code to} when it keeps no source record, touches both persons, recomputes both golden records and
     * writes the history row. A source record no longer under {@code from} is left where it is.
     */
    public Moved move(Connection c, Action action, String from, String to, List<Long> sourceRecordIds,
                      String matchRule, String actor, String reason, Instant now, Long possibleMatchId, Long undoes)
            throws SQLException {
        Timestamp at = Timestamp.from(now);
        Array ids = c.createArrayOf("bigint", sourceRecordIds.toArray());
        // updated_at stays the time of the record's latest filing: survivorship weighs it, and a move is not news
        Map<Long, MovedRecord> moved = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("UPDATE source_record SET enterprise_person_id = ?,"
                + " match_rule = ? WHERE id = ANY (?) AND enterprise_person_id = ?"
                + " RETURNING id, source_record_key, last_submission_id, patient::text")) {
            ps.setString(1, to);
            ps.setString(2, matchRule);
            ps.setArray(3, ids);
            ps.setString(4, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    moved.put(rs.getLong(1), new MovedRecord(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), new ArrayList<>()));
                }
            }
        }
        Array movedIds = c.createArrayOf("bigint", moved.keySet().toArray());
        Statements.update(c, "UPDATE person_identifier SET enterprise_person_id = ? WHERE source_record_id = ANY (?)", to,
                movedIds);
        List<long[]> order = new ArrayList<>();
        Map<Long, RecordChanged.ResourceRef> refs = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("UPDATE record_resource SET enterprise_person_id = ?"
                + " WHERE source_record_id = ANY (?) RETURNING id, source_record_id, resource_type, resource_id")) {
            ps.setString(1, to);
            ps.setArray(2, movedIds);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    order.add(new long[] {rs.getLong(1), rs.getLong(2)});
                    refs.put(rs.getLong(1), new RecordChanged.ResourceRef(rs.getString(3), rs.getString(4)));
                }
            }
        }
        order.sort(Comparator.comparingLong(r -> r[0]));
        for (long[] r : order) {
            moved.get(r[1]).resources().add(refs.get(r[0]));
        }
        boolean fromMerged = false;
        try (PreparedStatement ps = c.prepareStatement("UPDATE enterprise_person SET merged_into = ?, updated_at = ?"
                + " WHERE id = ? AND NOT EXISTS (SELECT 1 FROM source_record WHERE enterprise_person_id = ?)")) {
            ps.setString(1, to);
            ps.setTimestamp(2, at);
            ps.setString(3, from);
            ps.setString(4, from);
            fromMerged = ps.executeUpdate() == 1;
        }
        Statements.update(c, "UPDATE enterprise_person SET updated_at = ? WHERE id = ANY (?)", at,
                c.createArrayOf("varchar", new Object[] {from, to}));
        golden.recompute(new LinkedHashSet<>(List.of(from, to)));
        long changeId;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO person_change (action, from_person_id,"
                + " to_person_id, source_record_ids, from_merged, actor, reason, at, possible_match_id, undoes)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, action.code());
            ps.setString(2, from);
            ps.setString(3, to);
            ps.setArray(4, c.createArrayOf("bigint", moved.keySet().stream().sorted().toArray()));
            ps.setBoolean(5, fromMerged);
            ps.setString(6, actor);
            ps.setString(7, reason);
            ps.setTimestamp(8, at);
            setLong(ps, 9, possibleMatchId);
            setLong(ps, 10, undoes);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                changeId = rs.getLong(1);
            }
        }
        List<MovedRecord> records = new ArrayList<>(moved.values());
        for (int i = 0; i < records.size(); i++) {
            MovedRecord r = records.get(i);
            records.set(i, new MovedRecord(r.sourceRecordId(), r.sourceRecordKey(), r.lastSubmissionId(), r.patient(),
                    List.copyOf(r.resources())));
        }
        return new Moved(changeId, from, to, List.copyOf(records), fromMerged);
    }

    /**
     * One {@code RecordChanged} per source record moved, keyed by the person it went to, with the person it left; the
     * event's submission is the source record's last one and its FHIR the record's latest Patient.
     */
    public List<OutgoingEvent> announce(Moved moved, RecordChanged.ChangeType type, String matchRule, Instant now) {
        List<OutgoingEvent> out = new ArrayList<>(moved.records().size() + 1);
        for (MovedRecord r : moved.records()) {
            out.add(events.event(Topics.RECORD_CHANGES, moved.toPersonId(), EventTypes.RECORD_CHANGED,
                    r.lastSubmissionId(), new RecordChanged(r.lastSubmissionId(), moved.toPersonId(),
                            r.sourceRecordKey(), type, matchRule, r.resources(), now, r.patient(),
                            moved.fromPersonId())));
        }
        return out;
    }

    // ---- reads and checks ---------------------------------------------------------------------------------------

    private static List<OutgoingEvent> withAudit(List<OutgoingEvent> changes, OutgoingEvent auditEvent) {
        List<OutgoingEvent> out = new ArrayList<>(changes);
        out.add(auditEvent);
        return out;
    }

    /**
     * The audit event of a move: its context names the person the source records went to, the person they left and
     * the records, so that the audit-service can tell which person each source record belongs to now and which
     * persons held it before.
     */
    public OutgoingEvent movedAudit(String action, String actor, String submissionId, String patientRef, Moved m,
                                    String detail) {
        return audit.event(action, AuditActions.SUCCESS, actor, submissionId, patientRef, "treatment", detail,
                m.toPersonId(), m.fromPersonId(), m.records().stream().map(MovedRecord::sourceRecordKey).toList(),
                null);
    }

    /** The audit detail of a move: ids and counts, the reason; never patient data. */
    private static String detail(Moved m, String reason) {
        return "change " + m.changeId() + ": " + m.records().size() + " source record(s) moved from "
                + m.fromPersonId() + " to " + m.toPersonId() + (m.fromMerged() ? " (" + m.fromPersonId()
                + " merged into " + m.toPersonId() + ")" : "") + "; " + reason;
    }

    private static Source sourceRecord(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, source_record_key, enterprise_person_id"
                + " FROM source_record WHERE source_record_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new Refused(404, "no such source record");
                }
                return new Source(rs.getLong(1), rs.getString(2), rs.getString(3));
            }
        }
    }

    private static List<Source> sources(Connection c, String personId) throws SQLException {
        List<Source> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, source_record_key, enterprise_person_id"
                + " FROM source_record WHERE enterprise_person_id = ? ORDER BY id")) {
            ps.setString(1, personId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Source(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    private static Set<String> keys(List<Source> sources) {
        Set<String> out = new LinkedHashSet<>();
        sources.forEach(s -> out.add(s.key()));
        return out;
    }

    /** Locks the source records of {@code sources} that {@code locked} misses (filed since they were read). */
    private void lockLate(List<Source> sources, Set<String> locked) {
        Set<String> late = keys(sources);
        late.removeAll(locked);
        lockSourceRecords(late);
    }

    private static List<Long> sourceRecordIds(Connection c, String personId) throws SQLException {
        return sources(c, personId).stream().map(Source::id).toList();
    }

    /**
     * Locks the rows of {@code ids} (in id order, after the source records' locks) and answers each one's
     * {@code merged_into} (a map without the key: no such person, {@code 404}).
     */
    public static Map<String, String> lockPersons(Connection c, String... ids) throws SQLException {
        Map<String, String> out = new HashMap<>();
        Set<String> wanted = new LinkedHashSet<>(List.of(ids));
        try (PreparedStatement ps = c.prepareStatement("SELECT id, merged_into FROM enterprise_person"
                + " WHERE id = ANY (?) ORDER BY id FOR UPDATE")) {
            ps.setArray(1, c.createArrayOf("varchar", wanted.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        for (String id : wanted) {
            if (!out.containsKey(id)) {
                throw new Refused(404, "no such person: " + id);
            }
        }
        return out;
    }

    private static void requirePersons(Connection c, String... ids) throws SQLException {
        for (String id : ids) {
            if (person(c, id) == null) {
                throw new Refused(404, "no such person: " + id);
            }
        }
    }

    private static void requireActive(Map<String, String> persons, String id, String what) {
        if (persons.get(id) != null) {
            throw new Refused(409, "cannot " + what + " person " + id + ": it is merged into " + persons.get(id));
        }
    }

    /** {@code [id, merged_into]} of a person without locking it, or null. */
    private static String[] person(Connection c, String id) throws SQLException {
        if (id == null || id.length() > 36) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id, merged_into FROM enterprise_person WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
            }
        }
    }

    /** The latest merge of {@code from} into {@code survivor} not undone yet; {@code 409} when there is none. */
    private static long lastMerge(Connection c, String survivor, String from) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM person_change WHERE action = 'merge'"
                + " AND from_person_id = ? AND to_person_id = ? AND undone_by IS NULL ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, from);
            ps.setString(2, survivor);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new Refused(409, "no merge of person " + from + " into " + survivor + " to undo");
                }
                return rs.getLong(1);
            }
        }
    }

    /** The source records merge {@code changeId} moved that are still filed under {@code survivor}. */
    private static List<Source> mergedStillUnder(Connection c, long changeId, String survivor) throws SQLException {
        List<Source> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT sr.id, sr.source_record_key, sr.enterprise_person_id"
                + " FROM person_change pc JOIN source_record sr ON sr.id = ANY (pc.source_record_ids)"
                + " WHERE pc.id = ? AND sr.enterprise_person_id = ? ORDER BY sr.id")) {
            ps.setLong(1, changeId);
            ps.setString(2, survivor);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Source(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, java.sql.Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }
}
