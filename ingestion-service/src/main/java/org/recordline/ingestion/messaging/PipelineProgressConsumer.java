package org.recordline.ingestion.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.commons.messaging.ConsumerWork;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.InvalidEventException;
import org.recordline.events.RecordQuarantined;
import org.recordline.ingestion.domain.ProgressTracker;
import org.recordline.ingestion.domain.SubmissionStatus;

/** Follows submissions through the pipeline by reading the downstream topics. */
@ApplicationScoped
public class PipelineProgressConsumer {

    private final ProgressTracker tracker;
    private final ConsumerWork work;

    public PipelineProgressConsumer(ProgressTracker tracker, ConsumerWork work) {
        this.tracker = tracker;
        this.work = work;
    }

    @Incoming("validated")
    @Blocking
    public void onValidated(ConsumerRecord<String, byte[]> record) {
        apply(record, () -> {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_VALIDATED, ProgressViews.Validated.class);
            var v = e.payload();
            return tracker.apply(e.headers().id(), v.submissionId(), SubmissionStatus.VALIDATED, v.validatedAt(),
                    null, null, "warnings=" + (v.warnings() == null ? 0 : v.warnings().size()));
        });
    }

    @Incoming("quarantined")
    @Blocking
    public void onQuarantined(ConsumerRecord<String, byte[]> record) {
        apply(record, () -> {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_QUARANTINED, RecordQuarantined.class);
            var q = e.payload();
            if (q.issues() == null) {
                throw new InvalidEventException("quarantine event without issues");
            }
            String issues = new String(EventCodec.encode(q.issues()), java.nio.charset.StandardCharsets.UTF_8);
            return tracker.apply(e.headers().id(), q.submissionId(), SubmissionStatus.QUARANTINED, q.quarantinedAt(),
                    null, issues, "issues=" + q.issues().size());
        });
    }

    @Incoming("record-changes")
    @Blocking
    public void onRecordChanged(ConsumerRecord<String, byte[]> record) {
        apply(record, () -> {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_CHANGED, ProgressViews.Changed.class);
            var c = e.payload();
            int resources = c.resources() == null ? 0 : c.resources().size();
            return tracker.apply(e.headers().id(), c.submissionId(), SubmissionStatus.INDEXED, c.changedAt(),
                    c.enterprisePersonId(), null, c.changeType() + " resources=" + resources);
        });
    }

    /** Decodes and applies one record; contract violations are rethrown at once and dead-lettered. */
    private void apply(ConsumerRecord<String, byte[]> record, java.util.function.BooleanSupplier step) {
        work.process(record, step::getAsBoolean, applied -> applied ? "applied" : "skipped");
    }
}
