package org.recordline.ingestion.domain;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxRelay;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.events.AuditActions;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordIngested;
import org.recordline.events.Topics;
import org.recordline.ingestion.config.IngestionConfig;
import org.recordline.ingestion.persistence.Submission;
import org.recordline.ingestion.persistence.SubmissionStep;

/**
 * Records an accepted submission and its {@code ehr.ingested.v1} and audit events in one transaction (outbox), then
 * waits until the broker acknowledged them, so that a 202 always means "durably on Kafka".
 */
@ApplicationScoped
public class IntakeService {

    private static final Logger LOG = Logger.getLogger(IntakeService.class);

    private final OutboxWriter outbox;
    private final OutboxRelay relay;
    private final AuditTrail audit;
    private final IngestionConfig config;
    private final EventFactory events;

    public IntakeService(OutboxWriter outbox, OutboxRelay relay, AuditTrail audit, IngestionConfig config,
                         @ConfigProperty(name = "quarkus.application.name") String service) {
        this.outbox = outbox;
        this.relay = relay;
        this.audit = audit;
        this.config = config;
        this.events = new EventFactory(service);
    }

    /**
     * The outcome of an intake.
     *
     * @param submission   the recorded submission
     * @param acknowledged whether the broker acknowledged its events within the publish timeout
     * @param replay       whether the idempotency key named an earlier submission (nothing new was recorded)
     */
    public record Intake(Submission submission, boolean acknowledged, boolean replay) {
    }

    /**
     * Audits a refused submission ({@code submission.rejected}, outcome failure) in a transaction of its own. Best
     * effort, like the audit of a refused token: the refusal stands (a 4xx) even when the database is unreachable,
     * and then only a warning without any of the submission is logged.
     */
    public void rejected(String sourceSystem, String detail) {
        try {
            QuarkusTransaction.requiringNew().run(() -> audit.record(AuditActions.SUBMISSION_REJECTED,
                    AuditActions.FAILURE, sourceSystem, null, null, "ingest", detail));
        } catch (RuntimeException e) {
            LOG.warnf("a refused submission (%s) could not be audited: %s", detail, e.getClass().getSimpleName());
        }
    }

    /** Records {@code parsed} from {@code sourceSystem}; with an idempotency key seen before, returns that submission. */
    public Intake accept(ParsedSubmission parsed, String sourceSystem, String idempotencyKey) {
        try {
            return record(parsed, sourceSystem, idempotencyKey);
        } catch (RuntimeException e) {
            // two requests with one key at once: the unique constraint lets one win; the other replays it
            if (idempotencyKey != null && QuarkusTransaction.requiringNew().call(() ->
                    Submission.findByIdempotencyKey(sourceSystem, idempotencyKey).isPresent())) {
                return record(parsed, sourceSystem, idempotencyKey);
            }
            throw e;
        }
    }

    private Intake record(ParsedSubmission parsed, String sourceSystem, String idempotencyKey) {
        record Recorded(Submission submission, List<Long> outboxIds, boolean replay) {
        }
        Recorded rec = QuarkusTransaction.requiringNew().call(() -> {
            if (idempotencyKey != null) {
                Optional<Submission> earlier = Submission.findByIdempotencyKey(sourceSystem, idempotencyKey);
                if (earlier.isPresent()) {
                    // a resend after a 503 confirms only once the earlier events are on the broker
                    return new Recorded(earlier.get(), outbox.pendingFor(earlier.get().id), true);
                }
            }
            Instant now = Instant.now();
            Submission s = new Submission();
            s.id = UUID.randomUUID().toString();
            s.sourceSystem = sourceSystem;
            s.idempotencyKey = idempotencyKey;
            s.resourceType = parsed.resourceType();
            s.entryCount = parsed.entryCount();
            s.sourceRecordKey = sourceSystem + "|" + (parsed.patientLocalId() != null ? parsed.patientLocalId() : s.id);
            s.status = SubmissionStatus.RECEIVED;
            s.receivedAt = now;
            s.updatedAt = now;
            s.persist();
            SubmissionStep.of(s.id, SubmissionStatus.RECEIVED, now,
                    parsed.resourceType() + " with " + parsed.entryCount() + " resource(s)").persist();
            RecordIngested event = new RecordIngested(s.id, sourceSystem, s.sourceRecordKey, parsed.resourceType(),
                    parsed.entryCount(), now, parsed.fhirJson());
            List<Long> ids = outbox.add(List.of(
                    events.event(Topics.INGESTED, s.sourceRecordKey, EventTypes.RECORD_INGESTED, s.id, event),
                    audit.event(AuditActions.SUBMISSION_RECEIVED, AuditActions.SUCCESS, sourceSystem, s.id,
                            s.sourceRecordKey, "ingest", parsed.resourceType() + " entries=" + parsed.entryCount())));
            return new Recorded(s, ids, false);
        });
        boolean acked = rec.outboxIds().isEmpty() || relay.awaitPublished(rec.outboxIds(), config.publishTimeout());
        return new Intake(rec.submission(), acked, rec.replay());
    }
}
