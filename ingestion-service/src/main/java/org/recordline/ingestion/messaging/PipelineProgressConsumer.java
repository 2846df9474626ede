package org.recordline.ingestion.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.commons.messaging.BatchConsumer;
import org.recordline.commons.messaging.BatchHandler;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.InvalidEventException;
import org.recordline.events.QuarantineDismissed;
import org.recordline.events.RecordQuarantined;
import org.recordline.ingestion.domain.ProgressTracker;
import org.recordline.ingestion.domain.ProgressTracker.Progress;
import org.recordline.ingestion.domain.SubmissionStatus;

/**
 * Follows submissions through the pipeline by reading the downstream topics, a poll at a time per topic, each poll
 * in one transaction; poison records go to the topic's dead-letter topic.
 */
@ApplicationScoped
public class PipelineProgressConsumer {

    private final BatchConsumer batches;
    private final BatchHandler<Progress> validated;
    private final BatchHandler<Progress> quarantined;
    private final BatchHandler<Progress> changed;

    public PipelineProgressConsumer(ProgressTracker tracker, BatchConsumer batches) {
        this.batches = batches;
        this.validated = BatchHandler.of(record -> {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_VALIDATED, ProgressViews.Validated.class);
            var v = e.payload();
            boolean held = v.heldBack() != null && !v.heldBack().isEmpty();
            return new Progress(e.headers().id(), v.submissionId(), SubmissionStatus.VALIDATED, v.validatedAt(),
                    null, null, "warnings=" + (v.warnings() == null ? 0 : v.warnings().size())
                    + (held ? " batch entries held back=" + entryList(v.heldBack()) : ""),
                    held ? v.heldBack().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))
                            : null);
        }, tracker::applyAll);
        this.quarantined = BatchHandler.of(record -> {
            if (EventTypes.QUARANTINE_DISMISSED.equals(CloudEventHeaders.readFrom(record.headers()).type())) {
                var d = IncomingEvent.decode(record, EventTypes.QUARANTINE_DISMISSED, QuarantineDismissed.class);
                var q = d.payload();
                return new Progress(d.headers().id(), q.submissionId(), SubmissionStatus.DISMISSED, q.dismissedAt(),
                        null, null, dismissal(q.reason()));
            }
            var e = IncomingEvent.decode(record, EventTypes.RECORD_QUARANTINED, RecordQuarantined.class);
            var q = e.payload();
            if (q.issues() == null) {
                throw new InvalidEventException("quarantine event without issues");
            }
            String issues = new String(EventCodec.encode(q.issues()), java.nio.charset.StandardCharsets.UTF_8);
            return new Progress(e.headers().id(), q.submissionId(), SubmissionStatus.QUARANTINED, q.quarantinedAt(),
                    null, issues, "issues=" + q.issues().size()
                    + (q.entries().isEmpty() ? "" : " batch entries held=" + entryList(q.entries())));
        }, tracker::applyAll);
        this.changed = BatchHandler.of(record -> {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_CHANGED, ProgressViews.Changed.class);
            var c = e.payload();
            int resources = c.resources() == null ? 0 : c.resources().size();
            return new Progress(e.headers().id(), c.submissionId(), SubmissionStatus.INDEXED, c.changedAt(),
                    c.enterprisePersonId(), null, c.changeType() + " resources=" + resources);
        }, tracker::applyAll);
    }

    @Incoming("validated")
    @Blocking
    public void onValidated(ConsumerRecords<String, byte[]> records) {
        batches.process(records, validated);
    }

    @Incoming("quarantined")
    @Blocking
    public void onQuarantined(ConsumerRecords<String, byte[]> records) {
        batches.process(records, quarantined);
    }

    @Incoming("record-changes")
    @Blocking
    public void onRecordChanged(ConsumerRecords<String, byte[]> records) {
        batches.process(records, changed);
    }

    /** The step's detail: the technician's reason, cut to fit the step's 500 characters. */
    static String dismissal(String reason) {
        String d = "dismissed: " + (reason == null || reason.isBlank() ? "no reason given" : reason.strip());
        return d.length() <= 500 ? d : d.substring(0, 499) + "…";
    }

    /** Entry positions for a step's detail: the list when short, else how many (the detail holds 500 characters). */
    static String entryList(java.util.List<Integer> entries) {
        return entries.size() <= 20 ? entries.toString() : entries.size() + " entries";
    }
}
