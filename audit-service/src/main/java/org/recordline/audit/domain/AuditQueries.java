package org.recordline.audit.domain;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.AuditActions;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventCodec;

/**
 * Reads the audit log: entries by submission, patient, actor, action, outcome and time, and the ids of one patient.
 *
 * <p>A patient is found by any of their ids, as the index-service's own audit events in the log say now (its filings
 * and moves): the enterprise person the id belongs to, every source record linked to that
 * person now (including records linked after an entry was written), and every person merged into it (whose reads
 * named only their own id). A person a record was merely relinked from is another patient and is left out.
 */
@ApplicationScoped
public class AuditQueries {

    /** The acts that disclose patient data to someone: reads, searches, exports. */
    public static final Set<String> DISCLOSURES = Set.of(AuditActions.RECORD_READ, AuditActions.SUBMISSION_READ);

    private static final String COLUMNS = "seq, event_id, occurred_at, recorded_at, service, action, outcome, actor,"
            + " submission_id, patient_ref, purpose, detail, context, entry_hash";

    private final AgroalDataSource dataSource;

    public AuditQueries(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * What to find; every given criterion must hold (AND).
     *
     * @param submission a submission id
     * @param patientIds any of these patient ids (see {@link #patientIds})
     * @param actor      who acted
     * @param actions    one of these actions
     * @param outcome    {@code success}, {@code failure} or {@code denied}
     * @param from       occurred at or after
     * @param to         occurred before
     * @param after      seq greater than (paging)
     * @param limit      at most this many
     */
    public record Filter(String submission, Set<String> patientIds, String actor, Set<String> actions,
                         String outcome, Instant from, Instant to, Long after, int limit) {
    }

    /** One entry as stored; {@code context} parsed from its text ({@code contextText}, as hashed). */
    public record Entry(long seq, String eventId, Instant occurredAt, Instant recordedAt, String service,
                        String action, String outcome, String actor, String submissionId, String patientRef,
                        String purpose, String detail, String contextText, AuditEvent.Context context,
                        byte[] entryHash) {
    }

    /** The entries {@code f} selects, in log order. */
    @Transactional
    public List<Entry> find(Filter f) {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (f.submission() != null) {
            where.add("submission_id = ?");
            args.add(f.submission());
        }
        if (f.patientIds() != null) {
            where.add("patient_ids && ?::text[]");
            args.add(f.patientIds());
        }
        if (f.actor() != null) {
            where.add("actor = ?");
            args.add(f.actor());
        }
        if (f.actions() != null) {
            where.add("action = ANY (?)");
            args.add(f.actions());
        }
        if (f.outcome() != null) {
            where.add("outcome = ?");
            args.add(f.outcome());
        }
        if (f.from() != null) {
            where.add("occurred_at >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            where.add("occurred_at < ?");
            args.add(Timestamp.from(f.to()));
        }
        if (f.after() != null) {
            where.add("seq > ?");
            args.add(f.after());
        }
        String sql = "SELECT " + COLUMNS + " FROM audit_entry" + (where.isEmpty() ? "" : " WHERE "
                + String.join(" AND ", where)) + " ORDER BY seq LIMIT ?";
        args.add(f.limit());
        List<Entry> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(c, ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String context = rs.getString(13);
                    out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                            rs.getTimestamp(4).toInstant(), rs.getString(5), rs.getString(6), rs.getString(7),
                            rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12),
                            context, parse(context), rs.getBytes(14)));
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("querying the audit log failed", e);
        }
        return out;
    }

    /** One of the index-service's filings or moves, as the log holds it: when, what, and its context. */
    private record Link(String action, AuditEvent.Context context) {
    }

    /** How far a chain of merges is followed (a person merged into one that was merged in turn, and so on). */
    private static final int MERGE_HOPS = 10;

    /**
     * Every id of the patient {@code id} names (an enterprise person id or {@code source-system|local-id}): the
     * person it belongs to now, that person's source records now, and the persons merged into it; a person merged
     * away stands for the person it was merged into. An id the index never mentioned stands for itself.
     *
     * <p>"Now" is read from the log itself, from the hashed entries of the index-service's successful filings and
     * moves ({@link AuditLog#LINKING}): a source record belongs to the person its latest such entry (by the time of
     * the act) puts it under. Nothing beside the log is trusted; entries retention removed are no longer known.
     */
    @Transactional
    public Set<String> patientIds(String id) {
        Set<String> persons = new LinkedHashSet<>();
        Set<String> sources = new LinkedHashSet<>();
        try (Connection c = dataSource.getConnection()) {
            if (id.contains("|")) {
                sources.add(id);
                String now = personsNow(c, sources).get(id);
                if (now != null) {
                    persons.add(now);
                    // a merge's entry names at most 50 of the records it moved: a record left under the person merged
                    // away belongs to the survivor all the same
                    String survivor = survivor(c, now);
                    if (survivor != null) {
                        persons.add(survivor);
                    }
                }
            } else {
                persons.add(id);
                String survivor = survivor(c, id);
                if (survivor != null) {
                    persons.add(survivor);
                }
            }
            // the persons' source records now: those any act put under them and no later act moved away
            Set<String> candidates = new LinkedHashSet<>();
            for (Link l : links(c, persons)) {
                if (persons.contains(l.context().personId()) || persons.contains(l.context().previousPersonId())) {
                    candidates.addAll(l.context().sourceIds());
                }
            }
            personsNow(c, candidates).forEach((source, person) -> {
                if (persons.contains(person)) {
                    sources.add(source);
                }
            });
            // the persons merged into this one: a merge moves every source record of the person merged away, so that
            // person's entries were about these records. A person a record was only relinked from (unlink, link, an
            // accepted match) is someone else, still: their entries are not this patient's.
            for (Link l : links(c, sources)) {
                if (AuditActions.PERSONS_MERGED.equals(l.action()) && l.context().previousPersonId() != null
                        && persons.contains(l.context().personId())) {
                    persons.add(l.context().previousPersonId());
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("resolving the patient's ids failed", e);
        }
        Set<String> all = new LinkedHashSet<>(persons);
        all.addAll(sources);
        return all;
    }

    /**
     * The person {@code person} was last merged into, following further merges, unless an unmerge restored it after;
     * null when it was never merged away.
     */
    private static String survivor(Connection c, String person) throws SQLException {
        String current = person;
        String survivor = null;
        Set<String> seen = new java.util.HashSet<>(List.of(person));
        for (int hop = 0; hop < MERGE_HOPS; hop++) {
            String into = null;
            for (Link l : links(c, List.of(current))) {
                if (AuditActions.PERSONS_MERGED.equals(l.action())
                        && current.equals(l.context().previousPersonId())) {
                    into = l.context().personId();
                } else if (AuditActions.PERSONS_UNMERGED.equals(l.action()) && current.equals(
                        l.context().personId())) {
                    into = null; // restored
                }
            }
            if (into == null || !seen.add(into)) {
                return survivor;
            }
            survivor = into;
            current = into;
        }
        return survivor;
    }

    /** The person each of {@code sources} is linked to now, by the latest act that names it (absent: none). */
    private static java.util.Map<String, String> personsNow(Connection c, Set<String> sources) throws SQLException {
        java.util.Map<String, String> now = new java.util.HashMap<>();
        if (sources.isEmpty()) {
            return now;
        }
        for (Link l : links(c, sources)) {
            for (String s : l.context().sourceIds()) {
                if (sources.contains(s) && l.context().personId() != null) {
                    now.put(s, l.context().personId()); // oldest first: the latest wins
                }
            }
        }
        return now;
    }

    /** The index-service's successful filings and moves that name any of {@code ids}, oldest act first. */
    private static List<Link> links(Connection c, java.util.Collection<String> ids) throws SQLException {
        List<Link> out = new ArrayList<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT action, context FROM audit_entry"
                + " WHERE patient_ids && ?::text[] AND service = 'index-service' AND outcome = ?"
                + " AND action = ANY (?) ORDER BY occurred_at, seq")) {
            bind(c, ps, List.of(ids, AuditActions.SUCCESS, AuditLog.LINKING));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditEvent.Context ctx = parse(rs.getString(2));
                    if (ctx != null && ctx.sourceIds() != null) {
                        out.add(new Link(rs.getString(1), ctx));
                    }
                }
            }
        }
        return out;
    }

    private static void bind(Connection c, PreparedStatement ps, List<?> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof java.util.Collection<?> values) {
                ps.setArray(i + 1, c.createArrayOf("text", values.toArray()));
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    /** The context an entry stored, or null (also for text that is not a context: the verifier judges the text). */
    static AuditEvent.Context parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return EventCodec.decode(text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    AuditEvent.Context.class);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
