package org.recordline.validation.domain;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
import org.recordline.validation.review.BatchSplit;
import org.recordline.validation.review.ParallelReview;
import org.recordline.validation.review.Review;
import org.recordline.validation.rules.RulePack;
import org.recordline.validation.rules.RulePacks;
import org.recordline.validation.persistence.QuarantineStore;

/**
 * Reviews ingested submissions ({@link Review}: filing, conformance, code checks, rule packs) and routes each: to
 * {@code ehr.validated.v1}, or into the quarantine and onto {@code ehr.quarantined.v1}. The submissions of a poll are
 * reviewed on several threads ({@code recordline.validation.review-threads}, default one per core) and routed in
 * their order; state, events and the idempotency records of the whole poll commit in one transaction.
 */
@ApplicationScoped
public class CompletenessCheck {

    private static final Logger LOG = Logger.getLogger(CompletenessCheck.class);
    private static final String CONSUMER = "validation-ingested";

    /** What the check decided; SPLIT: some entries of a batch went on, the others into the quarantine. */
    public enum Verdict { VALIDATED, QUARANTINED, SPLIT, DUPLICATE }

    private final RulePacks packs;
    private final ProcessedEvents processed;
    private final QuarantineStore quarantine;
    private final OutboxWriter outbox;
    private final AuditTrail audit;
    private final EventFactory events;
    private final Review review;
    private final ParallelReview reviews;

    public CompletenessCheck(Review review, RulePacks packs, ProcessedEvents processed, QuarantineStore quarantine,
                             OutboxWriter outbox, AuditTrail audit,
                             @ConfigProperty(name = "quarkus.application.name") String service,
                             @ConfigProperty(name = "recordline.validation.review-threads") Optional<Integer> threads) {
        this.review = review;
        this.reviews = new ParallelReview(review, threads.orElse(Runtime.getRuntime().availableProcessors()));
        this.quarantine = quarantine;
        this.packs = packs;
        this.processed = processed;
        this.outbox = outbox;
        this.audit = audit;
        this.events = new EventFactory(service);
    }

    @PreDestroy
    void stop() {
        reviews.close();
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
        // each first delivery is reviewed (on several threads), then routed in the poll's order
        List<Ingested> firsts = new ArrayList<>(batch.size());
        for (Ingested i : batch) {
            firsts.add(fresh.remove(i.eventId()) ? i : null);
        }
        List<Review.Outcome> reviewed = reviews.reviewAll(firsts.stream().filter(java.util.Objects::nonNull)
                .map(i -> new ParallelReview.Request(i.record().sourceSystem(), i.record().fhir())).toList(), inForce);
        int r = 0;
        for (int k = 0; k < batch.size(); k++) {
            Ingested i = batch.get(k);
            Verdict v = firsts.get(k) == null ? Verdict.DUPLICATE
                    : route(i.record(), reviewed.get(r++), inForce, out, held);
            outcomes.merge(v.name().toLowerCase(Locale.ROOT), 1, Integer::sum);
            if (v != Verdict.DUPLICATE) {
                // a split submission counts as quarantined: some of it waits for a technician
                tally.computeIfAbsent(i.record().sourceSystem(), s -> new int[2])[v == Verdict.VALIDATED ? 0 : 1]++;
            }
        }
        quarantine.insertAll(held);
        quarantine.tally(tally, Instant.now());
        if (!out.isEmpty()) {
            outbox.add(out);
        }
        return outcomes;
    }

    /** Routes one reviewed submission: adds its events to {@code out}, and it to {@code held} when it fails. */
    private Verdict route(RecordIngested in, Review.Outcome outcome, List<RulePack> inForce,
                          List<OutgoingEvent> out, List<QuarantineStore.NewQuarantine> held) {
        if (outcome.split()) {
            Verdict v = split(in, outcome, inForce, out, held);
            if (v != null) {
                return v;
            }
        }
        Instant now = Instant.now();
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

    /**
     * A batch whose blocking findings lie in some entries only: those entries (with the Patient) go into the
     * quarantine, the rest on to the index. Each part is reviewed again as the Bundle it now is, so that every
     * finding's location is right for the record it travels with. Null when the parts do not stand alone (the part
     * going on fails, or the held part passes, for instance through a rule that reads across entries): then the
     * submission is held as a whole.
     */
    private Verdict split(RecordIngested in, Review.Outcome outcome, List<RulePack> inForce, List<OutgoingEvent> out,
                          List<QuarantineStore.NewQuarantine> held) {
        Instant now = Instant.now();
        BatchSplit parts = BatchSplit.of(in.fhir(), outcome.heldEntries());
        Review.Outcome going = review.review(in.sourceSystem(), parts.passing(), inForce, now);
        Review.Outcome holding = review.review(in.sourceSystem(), parts.held(), inForce, now);
        if (!going.passed() || holding.passed()) {
            return null;
        }
        List<Integer> entries = outcome.heldEntries();
        out.add(events.event(Topics.VALIDATED, in.sourceRecordKey(), EventTypes.RECORD_VALIDATED,
                in.submissionId(), new RecordValidated(in.submissionId(), in.sourceSystem(), in.sourceRecordKey(),
                        now, going.issues(), parts.passing(), going.completeness(), entries)));
        held.add(new QuarantineStore.NewQuarantine(in.submissionId(), in.sourceSystem(), in.sourceRecordKey(),
                in.resourceType(), new String(EventCodec.encode(holding.issues()), StandardCharsets.UTF_8),
                parts.held(), now, holding.patientIdentifiers()));
        out.add(events.event(Topics.QUARANTINED, in.sourceRecordKey(), EventTypes.RECORD_QUARANTINED,
                in.submissionId(), new RecordQuarantined(in.submissionId(), in.sourceSystem(), in.sourceRecordKey(),
                        now, holding.issues(), entries)));
        out.add(audit.event(AuditActions.RECORD_VALIDATED, AuditActions.SUCCESS, "validation-service",
                in.submissionId(), in.sourceRecordKey(), "ingest", "batch entries held back=" + entries.size()
                        + " warnings=" + going.issues().size()));
        out.add(audit.event(AuditActions.RECORD_QUARANTINED, AuditActions.SUCCESS, "validation-service",
                in.submissionId(), in.sourceRecordKey(), "ingest", "batch entries held=" + entries.size() + " rules="
                        + String.join(",", holding.blocking().stream().map(ValidationIssue::rule).distinct().toList())));
        LOG.infof("submission %s: %d batch entries quarantined, the rest validated", in.submissionId(),
                entries.size());
        return Verdict.SPLIT;
    }
}
