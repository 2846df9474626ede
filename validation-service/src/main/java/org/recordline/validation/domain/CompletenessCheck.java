package org.recordline.validation.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.commons.persistence.ProcessedEvents;
import org.recordline.events.AuditActions;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.OutgoingEvent;
import org.recordline.events.RecordIngested;
import org.recordline.events.RecordQuarantined;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.events.ValidationIssue;
import org.recordline.validation.review.Review;
import org.recordline.validation.rules.RulePack;
import org.recordline.validation.rules.RulePacks;
import org.recordline.validation.persistence.QuarantineStore;

/**
 * Reviews an ingested submission ({@link Review}: filing, conformance, code checks, rule packs) and routes it: to {@code ehr.validated.v1}, or into the quarantine
 * and onto {@code ehr.quarantined.v1}. State, events and the idempotency records of a whole poll commit in one
 * transaction.
 */
@ApplicationScoped
public class CompletenessCheck {

    private static final Logger LOG = Logger.getLogger(CompletenessCheck.class);
    private static final String CONSUMER = "validation-ingested";

    /** What the check decided. */
    public enum Verdict { VALIDATED, QUARANTINED, DUPLICATE }

    private final Review review;
    private final RulePacks packs;
    private final ProcessedEvents processed;
    private final QuarantineStore quarantine;
    private final OutboxWriter outbox;
    private final AuditTrail audit;
    private final EventFactory events;

    public CompletenessCheck(Review review, RulePacks packs, ProcessedEvents processed, QuarantineStore quarantine,
                             OutboxWriter outbox, AuditTrail audit,
                             @ConfigProperty(name = "quarkus.application.name") String service) {
        this.review = review;
        this.quarantine = quarantine;
        this.packs = packs;
        this.processed = processed;
        this.outbox = outbox;
        this.audit = audit;
        this.events = new EventFactory(service);
    }

    /**
     * An ingested submission as consumed.
     *
     * @param eventId the event's CloudEvents id (the idempotency key)
     * @param record  the event
     */
    public record Ingested(String eventId, RecordIngested record) {
    }

    /**
     * Checks a poll's worth of ingested submissions in the caller's transaction, each once per event id: one
     * statement claims the event ids, one batch adds every outgoing event to the outbox.
     *
     * @return how many were validated, quarantined and skipped as duplicates
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<String, Integer> checkAll(List<Ingested> batch) {
        Set<String> fresh = processed.firstDeliveries(CONSUMER, batch.stream().map(Ingested::eventId).toList());
        Map<String, Integer> outcomes = new HashMap<>();
        List<OutgoingEvent> out = new ArrayList<>(batch.size() * 2);
        List<RulePack> inForce = fresh.isEmpty() ? List.of() : packs.current();
        List<QuarantineStore.NewQuarantine> held = new ArrayList<>();
        Map<String, int[]> tally = new HashMap<>();
        for (Ingested i : batch) {
            Verdict v = fresh.remove(i.eventId()) ? check(i.record(), inForce, out, held) : Verdict.DUPLICATE;
            outcomes.merge(v.name().toLowerCase(Locale.ROOT), 1, Integer::sum);
            if (v != Verdict.DUPLICATE) {
                tally.computeIfAbsent(i.record().sourceSystem(), k -> new int[2])[v == Verdict.VALIDATED ? 0 : 1]++;
            }
        }
        quarantine.insertAll(held);
        quarantine.tally(tally, Instant.now());
        if (!out.isEmpty()) {
            outbox.add(out);
        }
        return outcomes;
    }

    /** Checks one submission and adds its events to {@code out}. */
    private Verdict check(RecordIngested in, List<RulePack> inForce, List<OutgoingEvent> out,
                          List<QuarantineStore.NewQuarantine> held) {
        Instant now = Instant.now();
        Review.Outcome outcome = review.review(in.sourceSystem(), in.fhir(), inForce, now);
        List<ValidationIssue> issues = outcome.issues();
        List<ValidationIssue> blocking = outcome.blocking();
        if (blocking.isEmpty()) {
            out.add(events.event(Topics.VALIDATED, in.sourceRecordKey(), EventTypes.RECORD_VALIDATED,
                    in.submissionId(), new RecordValidated(in.submissionId(), in.sourceSystem(),
                            in.sourceRecordKey(), now, issues, in.fhir(), outcome.completeness())));
            out.add(audit.event(AuditActions.RECORD_VALIDATED, AuditActions.SUCCESS, "validation-service",
                    in.submissionId(), in.sourceRecordKey(), "ingest", "warnings=" + issues.size()));
            return Verdict.VALIDATED;
        }
        held.add(new QuarantineStore.NewQuarantine(in.submissionId(), in.sourceSystem(), in.sourceRecordKey(),
                in.resourceType(), new String(EventCodec.encode(issues), StandardCharsets.UTF_8), in.fhir(), now,
                outcome.patientIdentifiers()));
        out.add(events.event(Topics.QUARANTINED, in.sourceRecordKey(), EventTypes.RECORD_QUARANTINED,
                in.submissionId(), new RecordQuarantined(in.submissionId(), in.sourceSystem(), in.sourceRecordKey(),
                        now, issues)));
        out.add(audit.event(AuditActions.RECORD_QUARANTINED, AuditActions.SUCCESS, "validation-service",
                in.submissionId(), in.sourceRecordKey(), "ingest",
                "rules=" + String.join(",", blocking.stream().map(ValidationIssue::rule).distinct().toList())));
        LOG.infof("submission %s quarantined: %d blocking issue(s)", in.submissionId(), blocking.size());
        return Verdict.QUARANTINED;
    }
}
