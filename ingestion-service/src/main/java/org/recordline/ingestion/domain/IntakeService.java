package org.recordline.ingestion.domain;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxRelay;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.events.AuditActions;
import org.recordline.events.EventTypes;
import org.recordline.events.OutgoingEvent;
import org.recordline.events.RecordIngested;
import org.recordline.events.Topics;
import org.recordline.ingestion.config.IngestionConfig;
import org.recordline.ingestion.persistence.Submission;
import org.recordline.ingestion.persistence.SubmissionWriter;

/**
 * Records an accepted submission and its {@code ehr.ingested.v1} and audit events in one transaction (outbox), then
 * waits until the broker acknowledged them, so that a 202 always means "durably on Kafka". Concurrent requests share
 * the transaction and the broker round trip (group commit), and each still waits for its own acknowledgement.
 */
@ApplicationScoped
public class IntakeService {

    private static final Logger LOG = Logger.getLogger(IntakeService.class);
    /** Most submissions one group commit records. */
    private static final int MAX_GROUP = 500;
    /** A group stops growing once it holds this many characters of FHIR JSON. */
    private static final long MAX_GROUP_CHARS = 16L * 1024 * 1024;

    private final OutboxWriter outbox;
    private final OutboxRelay relay;
    private final AuditTrail audit;
    private final IngestionConfig config;
    private final EventFactory events;
    private final SubmissionWriter submissions;
    private final DistributionSummary groupSize;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private volatile boolean writerRunning;
    private Thread writer;

    public IntakeService(OutboxWriter outbox, OutboxRelay relay, AuditTrail audit, IngestionConfig config,
                         SubmissionWriter submissions, MeterRegistry registry,
                         @ConfigProperty(name = "quarkus.application.name") String service) {
        this.outbox = outbox;
        this.relay = relay;
        this.audit = audit;
        this.config = config;
        this.submissions = submissions;
        this.events = new EventFactory(service);
        this.groupSize = DistributionSummary.builder("recordline.intake.group.size")
                .description("submissions recorded by one group commit").register(registry);
    }

    /**
     * The outcome of an intake.
     *
     * @param submission   the recorded submission
     * @param acknowledged whether the broker acknowledged its events within the publish timeout
     * @param replay       whether the idempotency key named an earlier submission (nothing new was recorded)
     * @param conflict     whether that earlier submission's content differs (the key was reused for other content:
     *                     nothing was recorded, and the caller is refused)
     */
    public record Intake(Submission submission, boolean acknowledged, boolean replay, boolean conflict) {
    }

    /**
     * Audits a refused submission ({@code submission.rejected}, outcome failure) in a transaction of its own. Best
     * effort, like the audit of a refused token: the refusal stands (a 4xx) even when the database is unreachable,
     * and then only a warning without any of the submission is logged.
     */
    public void rejected(String sourceSystem, String detail) {
        rejected(sourceSystem, detail, audit.currentRequest());
    }

    /** As {@link #rejected(String, String)}, for a refusal outside an HTTP request (MLLP), with its context. */
    public void rejected(String sourceSystem, String detail, AuditTrail.RequestContext request) {
        try {
            QuarkusTransaction.requiringNew().run(() -> outbox.add(List.of(rejection(sourceSystem, detail,
                    request))));
        } catch (RuntimeException e) {
            LOG.warnf("a refused submission (%s) could not be audited: %s", detail, e.getClass().getSimpleName());
        }
    }

    /** Records {@code parsed} from {@code sourceSystem}; with an idempotency key seen before, returns that submission. */
    public Intake accept(ParsedSubmission parsed, String sourceSystem, String idempotencyKey, byte[] contentSha256) {
        // the request's audit context travels with it to the group commit's thread
        return accept(parsed, sourceSystem, idempotencyKey, contentSha256, audit.currentRequest());
    }

    /**
     * As {@link #accept(ParsedSubmission, String, String, byte[])}, with the audit context given (MLLP has no
     * request).
     *
     * @param contentSha256 the SHA-256 of the submitted bytes: an earlier submission under the same key with other
     *                      content is a conflict, not a resend (null: not known, never a conflict)
     */
    public Intake accept(ParsedSubmission parsed, String sourceSystem, String idempotencyKey, byte[] contentSha256,
                         AuditTrail.RequestContext request) {
        Recorded rec = groupCommit(new Pending(parsed, sourceSystem, idempotencyKey, contentSha256, request,
                trace(request),
                new CompletableFuture<>()));
        if (rec.conflict()) {
            return new Intake(rec.submission(), true, true, true);
        }
        boolean acked = rec.outboxIds().isEmpty() || relay.awaitPublished(rec.outboxIds(), config.publishTimeout());
        return new Intake(rec.submission(), acked, rec.replay(), false);
    }

    /**
     * One submission of a bulk hand-over.
     *
     * @param parsed         the submission
     * @param idempotencyKey its key (a resend returns the earlier submission)
     * @param contentSha256  the hash of what was sent (null: of the submission's JSON)
     * @param request        its audit context
     */
    public record Item(ParsedSubmission parsed, String idempotencyKey, byte[] contentSha256,
                       AuditTrail.RequestContext request) {
    }

    /**
     * Records several submissions of {@code sourceSystem} at once, in the group commit's transactions, in order; then
     * waits once for the broker's acknowledgement of all of them. A bulk import and the inbound topic hand their
     * submissions over this way.
     */
    public List<Intake> acceptAll(List<Item> items, String sourceSystem) {
        List<Pending> pending = new ArrayList<>(items.size());
        for (Item item : items) {
            byte[] sha = item.contentSha256() != null ? item.contentSha256()
                    : sha256(item.parsed().fhirJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            pending.add(new Pending(item.parsed(), sourceSystem, item.idempotencyKey(), sha, item.request(),
                    trace(item.request()),
                    new CompletableFuture<>()));
        }
        List<Recorded> recorded = new ArrayList<>(pending.size());
        if (writerRunning) {
            queue.addAll(pending);
            for (Pending p : pending) {
                recorded.add(await(p));
            }
        } else {
            for (Pending p : pending) {
                recorded.add(recordAlone(p));
            }
        }
        List<Long> ids = new ArrayList<>();
        recorded.forEach(r -> ids.addAll(r.outboxIds()));
        boolean acked = ids.isEmpty() || relay.awaitPublished(ids, config.publishTimeout());
        List<Intake> out = new ArrayList<>(recorded.size());
        for (Recorded r : recorded) {
            out.add(new Intake(r.submission(), acked || r.conflict(), r.replay() || r.conflict(), r.conflict()));
        }
        return out;
    }

    /** The audit event of a refused submission, for a caller that writes it in its own transaction. */
    public OutgoingEvent rejection(String sourceSystem, String detail, AuditTrail.RequestContext request) {
        return audit.event(request, AuditActions.SUBMISSION_REJECTED, AuditActions.FAILURE, sourceSystem, null, null,
                "ingest", detail, null, null, null, null);
    }

    /**
     * The trace a submission continues, taken on the thread that hands it over (the group commit records it on
     * another): the consumed record's span of its correlation id, else the current (HTTP request's) span.
     */
    private static String trace(AuditTrail.RequestContext request) {
        String correlation = request != null && request.context() != null ? request.context().correlationId() : null;
        return org.recordline.commons.tracing.Traces.forCorrelation(correlation);
    }

    /** SHA-256 of {@code bytes}. */
    public static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Recorded(Submission submission, List<Long> outboxIds, boolean replay, boolean conflict) {
        Recorded(Submission submission, List<Long> outboxIds, boolean replay) {
            this(submission, outboxIds, replay, false);
        }
    }

    /** A request waiting for the group commit, with its audit context (roles, address, purpose, correlation). */
    private record Pending(ParsedSubmission parsed, String sourceSystem, String idempotencyKey, byte[] contentSha256,
                           AuditTrail.RequestContext request, String traceparent, CompletableFuture<Recorded> done) {
    }

    /**
     * Group commit: the request joins the queue, and the writer thread records every submission waiting at that
     * moment in one transaction (multi-row inserts, one batch into the outbox). Its commit wakes the relay, which
     * publishes them in one round; each request then waits for its own acknowledgements.
     */
    private Recorded groupCommit(Pending p) {
        if (!writerRunning) {
            return recordAlone(p);
        }
        queue.add(p);
        return await(p);
    }

    private static Recorded await(Pending p) {
        try {
            return p.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the submission was recorded", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    void startWriter(@Observes StartupEvent ev) {
        writerRunning = true;
        writer = new Thread(this::writeLoop, "intake-group-commit");
        writer.setDaemon(true);
        writer.start();
    }

    void stopWriter(@Observes ShutdownEvent ev) {
        writerRunning = false;
        if (writer != null) {
            writer.interrupt();
            try {
                writer.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(new IllegalStateException("the service is stopping"));
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        while (writerRunning) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            long bytes = batch.get(0).parsed().fhirJson().length();
            Pending next;
            while (batch.size() < MAX_GROUP && bytes < MAX_GROUP_CHARS && (next = queue.poll()) != null) {
                batch.add(next);
                bytes += next.parsed().fhirJson().length();
            }
            groupSize.record(batch.size());
            try {
                List<Recorded> recorded = QuarkusTransaction.requiringNew().call(() -> recordAll(batch));
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done().complete(recorded.get(i));
                }
            } catch (RuntimeException e) {
                // one of them could not be recorded (a key raced by another instance, a database failure): record
                // each on its own, so that one request's problem is that request's answer
                for (Pending one : batch) {
                    try {
                        one.done().complete(recordAlone(one));
                    } catch (RuntimeException alone) {
                        one.done().completeExceptionally(alone);
                    }
                }
            }
            batch.clear();
        }
    }

    /** Records a group in the current transaction; returns each request's result, in order. */
    private List<Recorded> recordAll(List<Pending> batch) {
        List<Recorded> out = new ArrayList<>(batch.size());
        Map<String, Recorded> byKey = new HashMap<>();
        List<Submission> fresh = new ArrayList<>();
        List<OutgoingEvent> events = new ArrayList<>(batch.size() * 2);
        List<int[]> eventRanges = new ArrayList<>();
        Instant now = Instant.now();
        Map<String, Submission> latest = latestByRecord(batch);
        Map<String, Submission> keyed = earlierByKey(batch);
        for (Pending p : batch) {
            String keyOfKey = p.idempotencyKey() == null ? null : p.sourceSystem() + "\u0000" + p.idempotencyKey();
            String recordKey = contentKeyed(p) ? p.sourceSystem() + "|" + p.parsed().patientLocalId() : null;
            if (recordKey != null) {
                Submission last = latest.get(recordKey);
                if (last != null && java.util.Arrays.equals(last.contentSha256, p.contentSha256())) {
                    // no key, and the same content as the source record's latest submission: a resend of it
                    boolean inGroup = fresh.contains(last);
                    out.add(new Recorded(last, inGroup ? List.of() : outbox.pendingFor(last.id), true));
                    eventRanges.add(null);
                    continue;
                }
            }
            if (keyOfKey != null) {
                Recorded earlier = byKey.get(keyOfKey);
                if (earlier == null && keyed.containsKey(keyOfKey)) {
                    Submission e = keyed.get(keyOfKey);
                    earlier = new Recorded(e, outbox.pendingFor(e.id), true);
                }
                if (earlier != null) {
                    byte[] had = earlier.submission().contentSha256;
                    boolean conflict = had != null && p.contentSha256() != null
                            && !java.util.Arrays.equals(had, p.contentSha256());
                    // a resend: confirms only once the earlier events are on the broker
                    out.add(new Recorded(earlier.submission(), earlier.outboxIds(), true, conflict));
                    eventRanges.add(null);
                    continue;
                }
            }
            Submission s = newSubmission(p.parsed(), p.sourceSystem(), p.idempotencyKey(), now);
            s.contentSha256 = p.contentSha256();
            fresh.add(s);
            latest.put(s.sourceRecordKey, s);
            int from = events.size();
            for (OutgoingEvent e : eventsOf(s, p.parsed(), p.request())) {
                events.add(e.withTraceparent(p.traceparent()));
            }
            eventRanges.add(new int[] {from, events.size()});
            Recorded r = new Recorded(s, List.of(), false);
            out.add(r);
            if (keyOfKey != null) {
                byKey.put(keyOfKey, r);
            }
        }
        submissions.insert(fresh, now);
        List<Long> ids = events.isEmpty() ? List.of() : outbox.add(events);
        Map<String, List<Long>> idsBySubmission = new HashMap<>();
        for (int i = 0; i < out.size(); i++) {
            int[] range = eventRanges.get(i);
            if (range != null) {
                List<Long> mine = List.copyOf(ids.subList(range[0], range[1]));
                idsBySubmission.put(out.get(i).submission().id, mine);
                out.set(i, new Recorded(out.get(i).submission(), mine, false));
            }
        }
        // a replay of a submission recorded in this same group waits for that submission's events
        for (int i = 0; i < out.size(); i++) {
            Recorded r = out.get(i);
            if (r.replay() && idsBySubmission.containsKey(r.submission().id)) {
                out.set(i, new Recorded(r.submission(), idsBySubmission.get(r.submission().id), true, r.conflict()));
            }
        }
        return out;
    }

    /** Whether a pending submission is a resend when its content repeats its source record's latest submission. */
    private static boolean contentKeyed(Pending p) {
        return p.idempotencyKey() == null && p.contentSha256() != null && p.parsed().patientLocalId() != null;
    }

    /**
     * The latest submission of each source record that a submission of {@code batch} without an idempotency key
     * names, in one statement.
     */
    @SuppressWarnings("unchecked")
    /**
     * The submissions recorded before under the group's idempotency keys, by source and key: one query for the whole
     * group (a query per submission was half of the group commit's time).
     */
    private static Map<String, Submission> earlierByKey(List<Pending> batch) {
        java.util.Set<String> sources = new java.util.HashSet<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (Pending p : batch) {
            if (p.idempotencyKey() != null) {
                sources.add(p.sourceSystem());
                keys.add(p.idempotencyKey());
            }
        }
        Map<String, Submission> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        // both columns of the unique index, so that it is used; pairs that are not the group's are never asked for
        List<Submission> rows = Submission.getEntityManager().createNativeQuery("SELECT * FROM submission"
                + " WHERE source_system IN (:sources) AND idempotency_key IN (:keys)", Submission.class)
                .setParameter("sources", sources).setParameter("keys", keys).getResultList();
        for (Submission s : rows) {
            found.put(s.sourceSystem + "\u0000" + s.idempotencyKey, s);
        }
        return found;
    }

    private static Map<String, Submission> latestByRecord(List<Pending> batch) {
        List<String> keys = new ArrayList<>();
        for (Pending p : batch) {
            if (contentKeyed(p)) {
                keys.add(p.sourceSystem() + "|" + p.parsed().patientLocalId());
            }
        }
        Map<String, Submission> latest = new HashMap<>();
        if (keys.isEmpty()) {
            return latest;
        }
        List<Submission> rows = Submission.getEntityManager().createNativeQuery("SELECT DISTINCT ON"
                + " (source_record_key) * FROM submission WHERE source_record_key IN (:keys)"
                + " ORDER BY source_record_key, received_at DESC", Submission.class)
                .setParameter("keys", keys).getResultList();
        for (Submission s : rows) {
            latest.put(s.sourceRecordKey, s);
        }
        return latest;
    }

    private Submission newSubmission(ParsedSubmission parsed, String sourceSystem, String idempotencyKey,
                                     Instant now) {
        Submission s = new Submission();
        s.id = UUID.randomUUID().toString();
        s.sourceSystem = sourceSystem;
        s.idempotencyKey = idempotencyKey;
        s.resourceType = parsed.resourceType();
        s.entryCount = parsed.entryCount();
        s.entryOutcomes = parsed.entryOutcomes();
        s.sourceRecordKey = sourceSystem + "|" + (parsed.patientLocalId() != null ? parsed.patientLocalId() : s.id);
        s.status = SubmissionStatus.RECEIVED;
        s.receivedAt = now;
        s.updatedAt = now;
        return s;
    }

    private List<OutgoingEvent> eventsOf(Submission s, ParsedSubmission parsed, AuditTrail.RequestContext request) {
        RecordIngested event = new RecordIngested(s.id, s.sourceSystem, s.sourceRecordKey, parsed.resourceType(),
                parsed.entryCount(), s.receivedAt, parsed.fhirJson());
        return List.of(
                events.event(Topics.INGESTED, s.sourceRecordKey, EventTypes.RECORD_INGESTED, s.id, event),
                audit.event(request, AuditActions.SUBMISSION_RECEIVED, AuditActions.SUCCESS, s.sourceSystem, s.id,
                        s.sourceRecordKey, "ingest", parsed.resourceType() + " entries=" + parsed.entryCount(), null,
                        null, null, null));
    }

    /** The path of one submission alone, with the race of two requests with one idempotency key handled. */
    private Recorded recordAlone(Pending p) {
        try {
            return recordOne(p);
        } catch (RuntimeException e) {
            // two requests with one key at once: the unique constraint lets one win; the other replays it
            if (p.idempotencyKey() != null && QuarkusTransaction.requiringNew().call(() ->
                    Submission.findByIdempotencyKey(p.sourceSystem(), p.idempotencyKey()).isPresent())) {
                return recordOne(p);
            }
            throw e;
        }
    }

    private Recorded recordOne(Pending p) {
        return QuarkusTransaction.requiringNew().call(() -> recordAll(List.of(p)).get(0));
    }
}
