package org.recordline.ingestion.imports;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.ingestion.config.IngestionConfig;
import org.recordline.ingestion.domain.IntakeService;
import org.recordline.ingestion.domain.ParsedSubmission;
import org.recordline.ingestion.domain.RejectedSubmissionException;
import org.recordline.ingestion.domain.SubmissionParser;

/**
 * Bulk NDJSON imports. A job reads its lines (from the request body, or from the files a manifest names under the
 * import directory) one at a time with bounded memory, checks and parses each as a single resource, and stages the good
 * ones in {@code import_line} under the patient each is about (multi-row inserts); a bad line is an error with its
 * line number and reason, and the rest is read on. Then it reads the staged lines back grouped by patient (one ordered
 * cursor), and hands each patient's records to the intake as one submission (a collection Bundle with the Patient
 * first; split when larger than a submission may be), a round of submissions at a time (one group commit, one broker
 * round trip). Each submission's idempotency key is the job's id and the patient's, so a job resumed after a restart
 * creates nothing twice. One job runs at a time; the others wait their turn.
 */
@ApplicationScoped
public class ImportJobs {

    private static final Logger LOG = Logger.getLogger(ImportJobs.class);
    private static final int STAGE_BATCH = 500;
    private static final long ROUND_CHARS = 16L * 1024 * 1024;

    /** Where a job stands. */
    public enum Status { STAGING, SUBMITTING, DONE, FAILED }

    /**
     * A job as its sender sees it.
     *
     * @param id          the job
     * @param replay      whether the request named a job sent before (nothing new was started)
     * @param status      where it stands
     * @param linesRead   lines read so far (blank lines not counted)
     * @param linesTaken  lines staged, to be filed
     * @param patients    patients whose submissions are recorded
     * @param submissions submissions recorded
     * @param errorCount  lines not taken
     * @param errors      the first of them: {@code <file> line <n>: <reason>}
     * @param detail      why it failed, or a summary
     */
    public record JobView(String id, String sourceSystem, boolean replay, Status status, long linesRead,
                          long linesTaken, int patients, int submissions, long errorCount, List<String> errors,
                          String detail, Instant createdAt, Instant updatedAt) {
    }

    /** A file a manifest names, by its name in the manifest and its path. */
    public record ManifestFile(String name, Path path) {
    }

    private final AgroalDataSource dataSource;
    private final SubmissionParser parser;
    private final IntakeService intake;
    private final IngestionConfig config;
    /** Jobs this instance runs or has queued: their lease is renewed ({@link #leases}), nobody else takes them. */
    private final java.util.Set<String> owned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "import-worker");
        t.setDaemon(true);
        return t;
    });

    public ImportJobs(AgroalDataSource dataSource, SubmissionParser parser, IntakeService intake,
                      IngestionConfig config) {
        this.dataSource = dataSource;
        this.parser = parser;
        this.intake = intake;
        this.config = config;
    }

    /**
     * Imports the NDJSON {@code body}: read and staged now (the caller waits while it is read), filed by the worker.
     * With an idempotency key seen before, the earlier job is returned and the body is not read.
     */
    public JobView fromBody(InputStream body, String source, String key, AuditTrail.RequestContext request) {
        if (key != null) {
            Optional<JobView> earlier = findByKey(source, key);
            if (earlier.isPresent() && earlier.get().status() != Status.FAILED) {
                return replay(earlier.get());
            }
            earlier.ifPresent(j -> delete(j.id()));
        }
        String id = UUID.randomUUID().toString();
        insert(id, source, key != null ? key : "upload:" + id, "BODY", null);
        Counters counters = new Counters(config.imports().maxReportedErrors());
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(body, sha)) {
            stage(id, new NdjsonLines(in, config.imports().maxLineBytes()), "body", counters);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("import %s: reading the body failed (%s)", id, e.getClass().getSimpleName());
            finish(id, Status.FAILED, counters, "reading the body failed; send it again");
            return find(id).orElseThrow();
        }
        if (key == null) {
            // no key: the body's hash names the job, so a resend of the same body is the same import
            String hash = HexFormat.of().formatHex(sha.digest());
            Optional<JobView> earlier = findByKey(source, hash);
            if (earlier.isPresent() && earlier.get().status() != Status.FAILED) {
                delete(id);
                return replay(earlier.get());
            }
            earlier.ifPresent(j -> delete(j.id()));
            update("UPDATE import_job SET job_key = ? WHERE id = ?", hash, id);
        }
        progress(id, Status.SUBMITTING, counters, null);
        run(id, () -> submit(id, source, counters, request));
        return find(id).orElseThrow();
    }

    /**
     * Imports the files of a manifest (checked by the caller to lie under the import directory): read, staged and
     * filed by the worker. The job's key is the idempotency key, else the hash of the manifest and each file's size
     * and modification time.
     */
    public JobView fromManifest(List<ManifestFile> files, String manifest, String source, String key,
                                AuditTrail.RequestContext request) {
        String jobKey = key;
        if (jobKey == null) {
            StringBuilder b = new StringBuilder(manifest);
            for (ManifestFile f : files) {
                try {
                    b.append('\n').append(Files.size(f.path())).append(' ')
                            .append(Files.getLastModifiedTime(f.path()).toMillis());
                } catch (IOException e) {
                    b.append("\n-");
                }
            }
            jobKey = HexFormat.of().formatHex(sha256().digest(b.toString().getBytes(StandardCharsets.UTF_8)));
        }
        Optional<JobView> earlier = findByKey(source, jobKey);
        if (earlier.isPresent() && earlier.get().status() != Status.FAILED) {
            return replay(earlier.get());
        }
        earlier.ifPresent(j -> delete(j.id()));
        String id = UUID.randomUUID().toString();
        insert(id, source, jobKey, "MANIFEST", manifest);
        run(id, () -> runManifest(id, source, files, request));
        return find(id).orElseThrow();
    }

    /** Runs {@code job} on the worker, owned by this instance until it ends. */
    private void run(String id, Runnable job) {
        owned.add(id);
        worker.submit(() -> {
            try {
                job.run();
            } finally {
                owned.remove(id);
            }
        });
    }

    /** The job {@code id}. */
    public Optional<JobView> find(String id) {
        if (id == null || id.length() > 36) {
            return Optional.empty();
        }
        return query("SELECT * FROM import_job WHERE id = ?", id);
    }

    private Optional<JobView> findByKey(String source, String key) {
        return query("SELECT * FROM import_job WHERE source_system = ? AND job_key = ?", source, key);
    }

    private static JobView replay(JobView j) {
        return new JobView(j.id(), j.sourceSystem(), true, j.status(), j.linesRead(), j.linesTaken(), j.patients(),
                j.submissions(), j.errorCount(), j.errors(), j.detail(), j.createdAt(), j.updatedAt());
    }

    private void runManifest(String id, String source, List<ManifestFile> files, AuditTrail.RequestContext request) {
        Counters counters = new Counters(config.imports().maxReportedErrors());
        try {
            update("DELETE FROM import_line WHERE job_id = ?", id);
            for (ManifestFile f : files) {
                try (InputStream in = Files.newInputStream(f.path())) {
                    stage(id, new NdjsonLines(in, config.imports().maxLineBytes()), f.name(), counters);
                } catch (IOException e) {
                    counters.error(f.name() + ": the file cannot be read (" + e.getClass().getSimpleName() + ")");
                }
            }
            progress(id, Status.SUBMITTING, counters, null);
        } catch (RuntimeException e) {
            LOG.warnf("import %s failed while staging: %s", id, e.getClass().getSimpleName());
            finish(id, Status.FAILED, counters, "staging failed (" + e.getClass().getSimpleName() + "); send again");
            return;
        }
        submit(id, source, counters, request);
    }

    /** Reads, checks and stages every line; per-line errors are counted and the rest is read on. */
    void stage(String id, NdjsonLines lines, String name, Counters counters) throws IOException {
        List<Object[]> batch = new ArrayList<>(STAGE_BATCH);
        NdjsonLines.Line line;
        while ((line = lines.next()) != null) {
            counters.read++;
            String ref = name + " line " + line.number();
            if (line.tooLong()) {
                counters.error(ref + ": longer than " + config.imports().maxLineBytes() + " bytes");
                continue;
            }
            SubmissionParser.ImportLine parsed;
            try {
                parsed = parser.parseLine(line.bytes());
            } catch (RejectedSubmissionException e) {
                counters.error(ref + ": " + e.diagnostics());
                continue;
            }
            if (parsed.patientId() == null) {
                counters.error(ref + ": " + parsed.resourceType() + " names no patient (subject, patient or"
                        + " beneficiary); Recordline files records under a person");
                continue;
            }
            batch.add(new Object[] {parsed.patientId(), "Patient".equals(parsed.resourceType()), counters.read, ref,
                    parsed.json()});
            if (batch.size() == STAGE_BATCH) {
                insertLines(id, batch, counters);
            }
        }
        insertLines(id, batch, counters);
    }

    private void insertLines(String id, List<Object[]> batch, Counters counters) {
        if (batch.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO import_line (job_id, patient_id, is_patient, seq, line_ref, resource_json)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")) {
            for (Object[] row : batch) {
                ps.setString(1, id);
                ps.setString(2, (String) row[0]);
                ps.setBoolean(3, (Boolean) row[1]);
                ps.setLong(4, (Long) row[2]);
                ps.setString(5, (String) row[3]);
                ps.setString(6, (String) row[4]);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new DataAccessException("staging import lines failed", e);
        }
        counters.taken += batch.size();
        batch.clear();
        progress(id, Status.STAGING, counters, null);
    }

    /**
     * Reads the staged lines back grouped by patient (Patient first) and records one submission per patient, a round
     * at a time; lines whose Patient is not in the import are errors. Deletes the staged lines once all are recorded.
     */
    void submit(String id, String source, Counters counters, AuditTrail.RequestContext request) {
        int maxEntries = config.maxBundleEntries();
        long maxChars = config.maxSubmissionBytes() / 2;
        Round round = new Round();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT patient_id, is_patient, line_ref, resource_json"
                    + " FROM import_line WHERE job_id = ? ORDER BY patient_id, is_patient DESC, seq")) {
                ps.setFetchSize(STAGE_BATCH);
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    String patient = null;
                    String patientJson = null;
                    Chunk chunk = null;
                    while (rs.next()) {
                        String pid = rs.getString(1);
                        boolean isPatient = rs.getBoolean(2);
                        String ref = rs.getString(3);
                        String json = rs.getString(4);
                        if (!pid.equals(patient)) {
                            round.add(chunk);
                            patient = pid;
                            patientJson = isPatient ? json : null;
                            chunk = patientJson == null ? null : new Chunk(pid, 0, patientJson);
                            if (patientJson != null) {
                                counters.patients++;
                            }
                            if (round.full()) {
                                round.flush(id, source, request, counters);
                            }
                            if (patientJson != null) {
                                continue;
                            }
                        }
                        if (patientJson == null) {
                            counters.error(ref + ": the Patient it names is not in this import");
                            continue;
                        }
                        if (isPatient) {
                            counters.error(ref + ": a second Patient with the same id in this import");
                            continue;
                        }
                        if (chunk.entries >= maxEntries || chunk.json.length() + json.length() > maxChars) {
                            round.add(chunk);
                            chunk = new Chunk(pid, chunk.number + 1, patientJson);
                        }
                        chunk.add(json);
                    }
                    round.add(chunk);
                    round.flush(id, source, request, counters);
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("import %s failed while submitting: %s", id, e.getClass().getSimpleName());
            finish(id, Status.FAILED, counters, "recording the submissions failed (" + e.getClass().getSimpleName()
                    + "); send the import again: what was recorded is not recorded twice");
            return;
        }
        update("DELETE FROM import_line WHERE job_id = ?", id);
        if (counters.errorCount > 0) {
            intake.rejected(source, "import " + id + ": " + counters.errorCount + " line(s) not taken", request);
        }
        finish(id, Status.DONE, counters, counters.read + " line(s) read, " + counters.taken + " taken in "
                + counters.submissions + " submission(s) for " + counters.patients + " patient(s), "
                + counters.errorCount + " not taken");
    }

    /** One patient's submission being built: a collection Bundle with the Patient first. */
    private static final class Chunk {
        final String patientId;
        final int number;
        final StringBuilder json = new StringBuilder();
        int entries;

        Chunk(String patientId, int number, String patientJson) {
            this.patientId = patientId;
            this.number = number;
            json.append("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[");
            add(patientJson);
        }

        void add(String resource) {
            if (entries > 0) {
                json.append(',');
            }
            json.append("{\"resource\":").append(resource).append('}');
            entries++;
        }

        ParsedSubmission parsed() {
            return new ParsedSubmission("Bundle", entries, patientId, json + "]}");
        }
    }

    /** Submissions waiting to be handed to the intake together. */
    private final class Round {
        final List<ParsedSubmission> parsed = new ArrayList<>();
        final List<String> keys = new ArrayList<>();
        long chars;

        void add(Chunk chunk) {
            if (chunk != null) {
                ParsedSubmission p = chunk.parsed();
                parsed.add(p);
                chars += p.fhirJson().length();
                keys.add(chunk.patientId + "#" + chunk.number);
            }
        }

        boolean full() {
            return parsed.size() >= config.imports().submissionsPerRound() || chars >= ROUND_CHARS;
        }

        void flush(String id, String source, AuditTrail.RequestContext request, Counters counters) {
            if (parsed.isEmpty()) {
                return;
            }
            List<IntakeService.Item> items = new ArrayList<>(parsed.size());
            for (int i = 0; i < parsed.size(); i++) {
                items.add(new IntakeService.Item(parsed.get(i), "import:" + id + ":" + keys.get(i), null, request));
            }
            List<IntakeService.Intake> done = intake.acceptAll(items, source);
            for (IntakeService.Intake d : done) {
                if (d.conflict()) {
                    counters.error("submission " + d.submission().id + " was recorded before with other content");
                } else {
                    counters.submissions++;
                }
            }
            parsed.clear();
            keys.clear();
            chars = 0;
            progress(id, Status.SUBMITTING, counters, null);
        }
    }

    /** A job's counts, and its first errors. */
    static final class Counters {
        final int maxErrors;
        long read;
        long taken;
        int patients;
        int submissions;
        long errorCount;
        final List<String> errors = new ArrayList<>();

        Counters(int maxErrors) {
            this.maxErrors = maxErrors;
        }

        void error(String message) {
            errorCount++;
            if (errors.size() < maxErrors) {
                errors.add(message.replace('\n', ' '));
            }
        }
    }

    private void progress(String id, Status status, Counters c, String detail) {
        update("UPDATE import_job SET status = ?, lines_read = ?, lines_taken = ?, patients = ?, submissions = ?,"
                        + " error_count = ?, errors = ?, detail = ?, updated_at = ? WHERE id = ?", status.name(), c.read,
                c.taken, c.patients, c.submissions, c.errorCount, String.join("\n", c.errors), detail,
                Timestamp.from(Instant.now()), id);
    }

    private void finish(String id, Status status, Counters c, String detail) {
        try {
            progress(id, status, c, detail);
        } catch (RuntimeException e) {
            LOG.warnf("import %s: its outcome could not be recorded (%s)", id, e.getClass().getSimpleName());
        }
    }

    /**
     * Every minute: renews the lease of the jobs this instance runs or has queued (their {@code updated_at}), and takes
     * over a job whose lease ran out ({@code import.stall-timeout} without progress or renewal: its instance stopped).
     * The take-over is a claim on the time read, so of two instances one gets it. A manifest job is read again; a job
     * that was handing over submissions goes on (its submissions' keys make that safe); an upload cannot be read
     * again, and fails (the sender sends it again).
     */
    @io.quarkus.scheduler.Scheduled(identity = "import-leases", every = "${recordline.ingestion.import.lease-interval:60s}",
            delayed = "5s", concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    void leases() {
        Timestamp now = Timestamp.from(Instant.now());
        List<String[]> stalled = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement renew = c.prepareStatement("UPDATE import_job SET updated_at = ? WHERE id = ?"
                     + " AND status IN ('STAGING', 'SUBMITTING')");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT id, source_system, kind, status, manifest, updated_at FROM import_job"
                             + " WHERE status IN ('STAGING', 'SUBMITTING') AND updated_at < ? ORDER BY created_at");
             PreparedStatement claim = c.prepareStatement("UPDATE import_job SET updated_at = ? WHERE id = ?"
                     + " AND updated_at = ?")) {
            for (String id : owned) {
                renew.setTimestamp(1, now);
                renew.setString(2, id);
                renew.addBatch();
            }
            renew.executeBatch();
            ps.setTimestamp(1, Timestamp.from(now.toInstant().minus(config.imports().stallTimeout())));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (owned.contains(rs.getString(1))) {
                        continue;
                    }
                    claim.setTimestamp(1, now);
                    claim.setString(2, rs.getString(1));
                    claim.setTimestamp(3, rs.getTimestamp(6));
                    if (claim.executeUpdate() == 1) {
                        stalled.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5)});
                    }
                }
            }
        } catch (SQLException e) {
            LOG.warn("import leases could not be renewed or checked; tried again in a minute");
            return;
        }
        for (String[] j : stalled) {
            takeOver(j[0], j[1], j[2], j[3], j[4]);
        }
    }

    private void takeOver(String id, String source, String kind, String status, String manifest) {
        LOG.infof("import %s was left %s by a stopped instance: taken over", id, status);
        if ("SUBMITTING".equals(status)) {
            Counters counters = new Counters(config.imports().maxReportedErrors());
            find(id).ifPresent(view -> {
                counters.read = view.linesRead();
                counters.taken = view.linesTaken();
                counters.errorCount = view.errorCount();
                counters.errors.addAll(view.errors());
            });
            run(id, () -> submit(id, source, counters, null));
        } else if ("MANIFEST".equals(kind)) {
            try {
                List<ManifestFile> files = ImportManifests.files(manifest, config.imports().directory().orElse(null));
                run(id, () -> runManifest(id, source, files, null));
            } catch (RejectedSubmissionException e) {
                finish(id, Status.FAILED, new Counters(0), "on taking it over: " + e.diagnostics());
            }
        } else {
            finish(id, Status.FAILED, new Counters(0), "the service stopped while the upload was read; send it"
                    + " again");
        }
    }

    void stop(@Observes ShutdownEvent ev) {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void insert(String id, String source, String key, String kind, String manifest) {
        Timestamp now = Timestamp.from(Instant.now());
        update("INSERT INTO import_job (id, source_system, job_key, kind, manifest, status, created_at, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, 'STAGING', ?, ?)", id, source, key, kind, manifest, now, now);
    }

    private void delete(String id) {
        update("DELETE FROM import_job WHERE id = ?", id);
    }

    private void update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new DataAccessException("updating an import job failed", e);
        }
    }

    private Optional<JobView> query(String sql, String... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String errors = rs.getString("errors");
                return Optional.of(new JobView(rs.getString("id"), rs.getString("source_system"), false,
                        Status.valueOf(rs.getString("status")), rs.getLong("lines_read"), rs.getLong("lines_taken"),
                        rs.getInt("patients"), rs.getInt("submissions"), rs.getLong("error_count"),
                        errors == null || errors.isEmpty() ? List.of() : List.of(errors.split("\n")),
                        rs.getString("detail"), rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("updated_at").toInstant()));
            }
        } catch (SQLException e) {
            throw new DataAccessException("reading an import job failed", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
