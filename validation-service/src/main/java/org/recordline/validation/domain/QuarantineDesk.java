package org.recordline.validation.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.events.AuditActions;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.OutgoingEvent;
import org.recordline.events.QuarantineDismissed;
import org.recordline.events.RecordQuarantined;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.events.ValidationIssue;
import org.recordline.validation.persistence.QuarantineStore;
import org.recordline.validation.persistence.QuarantineStore.Entry;
import org.recordline.validation.persistence.QuarantineStore.Kind;
import org.recordline.validation.persistence.QuarantineStore.Status;
import org.recordline.validation.review.Review;
import org.recordline.validation.rules.RulePacks;

/**
 * The records technicians' work on the quarantine: claim (one technician at a time, for a limited time), annotate,
 * correct and resubmit, dismiss. Every action is one transaction with its history item and its audit event; a
 * correction that passes review leaves on {@code ehr.validated.v1} under the same submission, as if it had passed the
 * first time, and one that does not is published again on {@code ehr.quarantined.v1} with its new findings.
 */
@ApplicationScoped
public class QuarantineDesk {

    /** Longest note or reason, in characters. */
    public static final int MAX_TEXT = 2000;

    private final QuarantineStore store;
    private final Review review;
    private final RulePacks packs;
    private final OutboxWriter outbox;
    private final AuditTrail audit;
    private final EventFactory events;
    private final Duration claimFor;

    public QuarantineDesk(QuarantineStore store, Review review, RulePacks packs, OutboxWriter outbox, AuditTrail audit,
                          @ConfigProperty(name = "quarkus.application.name") String service,
                          @ConfigProperty(name = "recordline.validation.claim-duration", defaultValue = "PT30M")
                          Duration claimFor) {
        this.store = store;
        this.review = review;
        this.packs = packs;
        this.outbox = outbox;
        this.audit = audit;
        this.events = new EventFactory(service);
        this.claimFor = claimFor;
    }

    /** Why an action was refused; the API answers with {@link #status}. */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        /** The HTTP status that says it: 404, 409 or 422. */
        public int status() {
            return status;
        }
    }

    /** The outcome of a correction. */
    public record Correction(Status status, int version, List<ValidationIssue> issues) {
    }

    /** Claims an open entry for {@code actor}, or extends the actor's own claim; returns when the claim expires. */
    @Transactional
    public Instant claim(String submissionId, String actor) {
        Instant now = Instant.now();
        Entry e = open(submissionId, now, null);
        String holder = e.claimantAt(now);
        if (holder != null && !holder.equals(actor)) {
            throw new Refused(409, "claimed by another technician until " + e.claimExpiresAt());
        }
        Instant until = now.plus(claimFor);
        store.setClaim(submissionId, actor, until);
        store.addHistory(submissionId, now, actor, Kind.CLAIMED, e.version(), null, null, null);
        audit.record(AuditActions.QUARANTINE_CLAIMED, AuditActions.SUCCESS, actor, submissionId,
                e.sourceRecordKey(), "quarantine", "until=" + until);
        return until;
    }

    /** Gives up a claim: the claimant, or an administrator ({@code override}). */
    @Transactional
    public void release(String submissionId, String actor, boolean override) {
        Instant now = Instant.now();
        Entry e = open(submissionId, now, null);
        String holder = e.claimantAt(now);
        if (holder == null) {
            audit.record(AuditActions.QUARANTINE_RELEASED, AuditActions.SUCCESS, actor, submissionId,
                    e.sourceRecordKey(), "quarantine", "no live claim");
            return;
        }
        if (!holder.equals(actor) && !override) {
            throw new Refused(409, "claimed by another technician");
        }
        store.setClaim(submissionId, null, null);
        store.addHistory(submissionId, now, actor, Kind.RELEASED, e.version(), null, null, null);
        audit.record(AuditActions.QUARANTINE_RELEASED, AuditActions.SUCCESS, actor, submissionId,
                e.sourceRecordKey(), "quarantine", holder.equals(actor) ? "own claim" : "claim of another");
    }

    /** Adds a note to an entry the actor has claimed. */
    @Transactional
    public void annotate(String submissionId, String actor, String text) {
        Instant now = Instant.now();
        Entry e = open(submissionId, now, actor);
        store.addHistory(submissionId, now, actor, Kind.NOTE, e.version(), text(text, "note"), null, null);
        audit.record(AuditActions.QUARANTINE_NOTE, AuditActions.SUCCESS, actor, submissionId, e.sourceRecordKey(),
                "quarantine", "note of " + text.length() + " characters");
    }

    /**
     * Reviews a corrected record under the same submission. When it passes, the entry is resolved and the record goes
     * on to the index; when not, it stays open with the new version and its findings.
     */
    @Transactional
    public Correction correct(String submissionId, String actor, String correctedFhir) {
        Instant now = Instant.now();
        Entry e = open(submissionId, now, actor);
        Review.Outcome outcome = review.review(e.sourceSystem(), correctedFhir, packs.current(), now);
        int version = e.version() + 1;
        String issuesJson = new String(EventCodec.encode(outcome.issues()), StandardCharsets.UTF_8);
        store.replace(submissionId, version, correctedFhir, issuesJson, outcome.resourceType() == null ? e.resourceType()
                : outcome.resourceType(),
                outcome.patientIdentifiers());
        store.addHistory(submissionId, now, actor, Kind.CORRECTED, version, null, correctedFhir, issuesJson);
        List<OutgoingEvent> out = new ArrayList<>(2);
        if (outcome.passed()) {
            store.close(submissionId, Status.RESOLVED, now, actor, "corrected and passed review");
            store.addHistory(submissionId, now, actor, Kind.RESOLVED, version, null, null, null);
            out.add(events.event(Topics.VALIDATED, e.sourceRecordKey(), EventTypes.RECORD_VALIDATED, submissionId,
                    new RecordValidated(submissionId, e.sourceSystem(), e.sourceRecordKey(), now, outcome.issues(),
                            correctedFhir, outcome.completeness())));
            out.add(audit.event(AuditActions.QUARANTINE_CORRECTED, AuditActions.SUCCESS, actor, submissionId,
                    e.sourceRecordKey(), "quarantine", "version=" + version + " passed"));
        } else {
            out.add(events.event(Topics.QUARANTINED, e.sourceRecordKey(), EventTypes.RECORD_QUARANTINED, submissionId,
                    new RecordQuarantined(submissionId, e.sourceSystem(), e.sourceRecordKey(), now,
                            outcome.issues())));
            out.add(audit.event(AuditActions.QUARANTINE_CORRECTED, AuditActions.SUCCESS, actor, submissionId,
                    e.sourceRecordKey(), "quarantine", "version=" + version + " still failing rules="
                            + String.join(",", outcome.blocking().stream().map(ValidationIssue::rule).distinct()
                            .toList())));
        }
        outbox.add(out);
        return new Correction(outcome.passed() ? Status.RESOLVED : Status.OPEN, version, outcome.issues());
    }

    /** Closes an entry the actor has claimed without sending it on, for a stated reason. */
    @Transactional
    public void dismiss(String submissionId, String actor, String reason) {
        Instant now = Instant.now();
        Entry e = open(submissionId, now, actor);
        String why = text(reason, "reason");
        if (why.length() > 500) {
            throw new Refused(422, "the reason is longer than 500 characters");
        }
        store.close(submissionId, Status.DISMISSED, now, actor, why);
        store.addHistory(submissionId, now, actor, Kind.DISMISSED, e.version(), why, null, null);
        // the sender's status follows: the ingestion-service reads the dismissal from the quarantine's topic
        outbox.add(List.of(
                events.event(Topics.QUARANTINED, e.sourceRecordKey(), EventTypes.QUARANTINE_DISMISSED, submissionId,
                        new QuarantineDismissed(submissionId, e.sourceSystem(), e.sourceRecordKey(), now, why)),
                audit.event(AuditActions.QUARANTINE_DISMISSED, AuditActions.SUCCESS, actor, submissionId,
                        e.sourceRecordKey(), "quarantine", "dismissed")));
    }

    /** The locked entry, which must be open and, when {@code claimant} is given, claimed by that person. */
    private Entry open(String submissionId, Instant now, String claimant) {
        Entry e = store.find(submissionId, true).orElseThrow(() -> new Refused(404, "no such quarantined record"));
        if (e.status() != Status.OPEN) {
            throw new Refused(409, "the record is no longer open (" + e.status().name().toLowerCase() + ")");
        }
        if (claimant != null && !claimant.equals(e.claimantAt(now))) {
            throw new Refused(409, "claim the record first (it is unclaimed, claimed by another technician, "
                    + "or the claim expired)");
        }
        return e;
    }

    private static String text(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new Refused(422, "a " + what + " is required");
        }
        if (s.length() > MAX_TEXT) {
            throw new Refused(422, "the " + what + " is longer than " + MAX_TEXT + " characters");
        }
        return s.strip();
    }
}
