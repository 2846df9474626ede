package org.recordline.index.domain;

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
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.AuditActions;

/**
 * A person's chart: every resource filed under the person, from all their source records, in clinical-date order,
 * with each resource's version, and the versions a resource had before. A person merged into another answers with the
 * survivor's chart (its records are there). Every read is an audited {@code record.read} naming the person whose
 * records were read, with what and how many, never patient data.
 */
@ApplicationScoped
public class PersonChart {

    /** Most hops followed along {@code merged_into} (a guard: merges cannot form a cycle). */
    static final int MAX_MERGE_HOPS = 100;

    private static final String FROM = " FROM record_resource rr JOIN source_record sr ON sr.id = rr.source_record_id"
            + " WHERE rr.enterprise_person_id = ? AND (?::varchar[] IS NULL OR rr.resource_type = ANY (?::varchar[]))"
            + " AND (?::timestamptz IS NULL OR rr.clinical_date >= ?::timestamptz)"
            + " AND (?::timestamptz IS NULL OR rr.clinical_date < ?::timestamptz)";

    /**
     * What to read of a chart.
     *
     * @param types  resource types to include; null for all
     * @param start  earliest clinical date (inclusive); null for no lower bound
     * @param end    clinical dates before this (exclusive); null for no upper bound. With either bound, resources
     *               without a clinical date are left out
     * @param count  page size
     * @param offset position of the page's first entry in the chart (the golden Patient is position 0)
     */
    public record Query(List<String> types, Instant start, Instant end, int count, int offset) {
    }

    /**
     * One filed resource.
     *
     * @param sourceRecordKey the source record it was filed under
     * @param resourceType    its FHIR type
     * @param resourceId      its logical id in the source system ({@code <type>-<position>} when it had none)
     * @param version         its version (1 when first filed, one more for each change of content)
     * @param clinicalDate    the date it is about, or null
     * @param filedAt         when its current version was filed (or re-sent)
     * @param submissionId    the submission that filed its current version (or re-sent it)
     * @param resource        the resource as the source sent it (FHIR JSON)
     */
    public record Entry(String sourceRecordKey, String resourceType, String resourceId, int version,
                        Instant clinicalDate, Instant filedAt, String submissionId, String resource) {
    }

    /**
     * A page of a chart.
     *
     * @param requestedId the person asked for
     * @param personId    the person whose chart it is: the requested one, or the survivor it was merged into
     * @param golden      the person's golden Patient (FHIR JSON) when this page holds it (the first), else null
     * @param total       how many entries the whole chart has (the golden Patient and every resource the query
     *                    selects)
     * @param entries     the page's resources, in chart order
     */
    public record Page(String requestedId, String personId, String golden, long total, List<Entry> entries) {
    }

    /**
     * Every version of one resource, newest first.
     *
     * @param requestedId the person asked for
     * @param personId    the person it is filed under (the survivor, when the requested one was merged)
     * @param versions    the current version first, then every superseded one
     */
    public record History(String requestedId, String personId, List<Entry> versions) {
    }

    private final AgroalDataSource dataSource;
    private final AuditTrail audit;

    public PersonChart(AgroalDataSource dataSource, AuditTrail audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /** A page of person {@code personId}'s chart; null (a failed read, audited) for an unknown person. */
    @Transactional
    public Page everything(String personId, Query q, String actor) {
        try (Connection c = dataSource.getConnection()) {
            String person = survivor(c, personId);
            if (person == null) {
                audit.record(AuditActions.RECORD_READ, AuditActions.FAILURE, actor, null, null, "treatment",
                        "chart, person not found");
                return null;
            }
            String golden = q.offset() == 0 && q.count() > 0 ? golden(c, person) : null;
            long resources;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*)" + FROM)) {
                bind(c, ps, person, q);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    resources = rs.getLong(1);
                }
            }
            // the golden Patient is position 0 of the chart: the first page holds one resource fewer
            int head = hasGolden(c, person) ? 1 : 0;
            int limit = q.offset() == 0 ? q.count() - head : q.count();
            long skip = q.offset() == 0 ? 0 : q.offset() - head;
            List<Entry> entries = new ArrayList<>();
            if (limit > 0) {
                try (PreparedStatement ps = c.prepareStatement("SELECT sr.source_record_key, rr.resource_type,"
                        + " rr.resource_id, rr.version, rr.clinical_date, rr.filed_at, rr.submission_id,"
                        + " rr.resource::text" + FROM + " ORDER BY rr.clinical_date NULLS LAST, rr.resource_type,"
                        + " rr.resource_id, sr.source_record_key LIMIT ? OFFSET ?")) {
                    int i = bind(c, ps, person, q);
                    ps.setInt(i++, limit);
                    ps.setLong(i, skip);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            entries.add(new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                                    instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), rs.getString(7),
                                    rs.getString(8)));
                        }
                    }
                }
            }
            long total = head + resources;
            audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, person, "treatment",
                    "chart $everything resources=" + entries.size() + (golden != null ? " golden-patient" : "")
                            + " offset=" + q.offset() + " total=" + total
                            + (q.types() == null ? "" : " types=" + String.join(",", q.types()))
                            + (q.start() == null ? "" : " start=" + q.start())
                            + (q.end() == null ? "" : " end-before=" + q.end())
                            + (person.equals(personId) ? "" : " requested=" + personId + " (merged)"));
            return new Page(personId, person, golden, total, entries);
        } catch (SQLException e) {
            throw new DataAccessException("reading the chart failed", e);
        }
    }

    /**
     * Every version of the resource {@code type}/{@code resourceId} filed under source record {@code sourceRecordKey}
     * of person {@code personId}, newest first; null (a failed read, audited) when the person is unknown or holds no
     * such resource.
     */
    @Transactional
    public History history(String personId, String sourceRecordKey, String type, String resourceId, String actor) {
        try (Connection c = dataSource.getConnection()) {
            String person = survivor(c, personId);
            List<Entry> versions = new ArrayList<>();
            Long rowId = null;
            if (person != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT rr.id, rr.version, rr.clinical_date,"
                        + " rr.filed_at, rr.submission_id, rr.resource::text FROM record_resource rr"
                        + " JOIN source_record sr ON sr.id = rr.source_record_id WHERE sr.source_record_key = ?"
                        + " AND rr.resource_type = ? AND rr.resource_id = ? AND rr.enterprise_person_id = ?")) {
                    ps.setString(1, sourceRecordKey);
                    ps.setString(2, type);
                    ps.setString(3, resourceId);
                    ps.setString(4, person);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            rowId = rs.getLong(1);
                            versions.add(new Entry(sourceRecordKey, type, resourceId, rs.getInt(2),
                                    instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4)), rs.getString(5),
                                    rs.getString(6)));
                        }
                    }
                }
            }
            if (rowId == null) {
                audit.record(AuditActions.RECORD_READ, AuditActions.FAILURE, actor, null, person, "treatment",
                        "chart history, " + (person == null ? "person" : "resource") + " not found");
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT version, clinical_date, filed_at, submission_id,"
                    + " resource::text FROM record_resource_version WHERE record_resource_id = ?"
                    + " ORDER BY version DESC")) {
                ps.setLong(1, rowId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        versions.add(new Entry(sourceRecordKey, type, resourceId, rs.getInt(1),
                                instant(rs.getTimestamp(2)), instant(rs.getTimestamp(3)), rs.getString(4),
                                rs.getString(5)));
                    }
                }
            }
            audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, null, person, "treatment",
                    "chart history " + type + " versions=" + versions.size()
                            + (person.equals(personId) ? "" : " requested=" + personId + " (merged)"));
            return new History(personId, person, versions);
        } catch (SQLException e) {
            throw new DataAccessException("reading the resource's history failed", e);
        }
    }

    /**
     * The person whose records {@code personId}'s are now: itself, or the end of its {@code merged_into} chain; null
     * for an unknown person.
     */
    static String survivor(Connection c, String personId) throws SQLException {
        if (personId == null || personId.length() > 36) {
            return null;
        }
        String current = personId;
        try (PreparedStatement ps = c.prepareStatement("SELECT merged_into FROM enterprise_person WHERE id = ?")) {
            for (int hops = 0; hops <= MAX_MERGE_HOPS; hops++) {
                ps.setString(1, current);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    String next = rs.getString(1);
                    if (next == null) {
                        return current;
                    }
                    current = next;
                }
            }
        }
        throw new IllegalStateException("merged_into of person " + personId + " does not end within "
                + MAX_MERGE_HOPS + " hops");
    }

    private static int bind(Connection c, PreparedStatement ps, String person, Query q) throws SQLException {
        ps.setString(1, person);
        java.sql.Array types = q.types() == null ? null : c.createArrayOf("varchar", q.types().toArray());
        ps.setArray(2, types);
        ps.setArray(3, types);
        setInstant(ps, 4, q.start());
        setInstant(ps, 5, q.start());
        setInstant(ps, 6, q.end());
        setInstant(ps, 7, q.end());
        return 8;
    }

    private static void setInstant(PreparedStatement ps, int i, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(i, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, at.atOffset(java.time.ZoneOffset.UTC));
        }
    }

    private static String golden(Connection c, String person) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT patient::text FROM golden_record"
                + " WHERE enterprise_person_id = ?")) {
            ps.setString(1, person);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static boolean hasGolden(Connection c, String person) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM golden_record WHERE enterprise_person_id = ?")) {
            ps.setString(1, person);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
