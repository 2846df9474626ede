package org.recordline.ingestion.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AccessDenialAuditor;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventTypes;
import org.recordline.events.InboundResult;
import org.recordline.events.OutgoingEvent;
import org.recordline.events.Topics;
import org.recordline.ingestion.config.IngestionConfig;
import org.recordline.ingestion.domain.hl7v2.Hl7v2Intake;

/**
 * Records that upstream systems publish on {@code ehr.inbound.v1}, handled as the HTTP inputs are: the same checks,
 * parsers, mapping and idempotency, each record's outcome published on {@code ehr.inbound-results.v1} (subject: its
 * {@code ce_id}). The sender is named by {@code ce_source}, which must be registered in {@code inbound.sources} (on a
 * cluster, Kafka's ACLs decide who may write the topic; the registry names what each writer's records are filed
 * under). A record without CloudEvents headers cannot be answered, so it is poison (dead-lettered with the reason);
 * every other problem is a result the sender reads.
 *
 * <p>{@link #decode} checks and parses one record (outside any transaction); {@link #apply} hands a poll's good
 * records to the intake at once (one group commit and broker round trip per source) and writes every result to the
 * outbox in the consumer's transaction. The idempotency key of a FHIR record is its {@code ce_id}; of an HL7 v2
 * message, its sender and control id, as over HTTP and MLLP: a redelivered poll records nothing twice (its results
 * are published again, with the same subject).
 */
@ApplicationScoped
public class InboundIntake {

    private static final Logger LOG = Logger.getLogger(InboundIntake.class);

    /**
     * One inbound record, decoded.
     *
     * @param headers      its CloudEvents attributes
     * @param sourceSystem the source system its {@code ce_source} is registered as, null when not registered
     * @param parsed       its submission, null when refused
     * @param key          its idempotency key
     * @param sha256       the hash of its body
     * @param status       0 when it can be taken, else the status of its refusal
     * @param diagnostics  why it was refused
     * @param ack          for HL7 v2, the acknowledgement
     */
    public record Inbound(CloudEventHeaders headers, String sourceSystem, ParsedSubmission parsed, String key,
                          byte[] sha256, int status, String diagnostics, String ack) {
    }

    private final SubmissionParser parser;
    private final Hl7v2Intake hl7v2;
    private final IntakeService intake;
    private final OutboxWriter outbox;
    private final AccessDenialAuditor denials;
    private final IngestionConfig config;
    private final EventFactory events;

    public InboundIntake(SubmissionParser parser, Hl7v2Intake hl7v2, IntakeService intake, OutboxWriter outbox,
                         AccessDenialAuditor denials, IngestionConfig config,
                         @ConfigProperty(name = "quarkus.application.name") String service) {
        this.parser = parser;
        this.hl7v2 = hl7v2;
        this.intake = intake;
        this.outbox = outbox;
        this.denials = denials;
        this.config = config;
        this.events = new EventFactory(service);
    }

    /** Checks and parses one record; throws (poison) only when it has no CloudEvents headers to answer to. */
    public Inbound decode(ConsumerRecord<String, byte[]> record) {
        CloudEventHeaders h = CloudEventHeaders.readFrom(record.headers());
        String source = config.inbound().sources().get(h.source());
        if (source == null) {
            return refused(h, null, 403, "ce_source is not registered with this receiver (inbound.sources)", null);
        }
        byte[] body = record.value() == null ? new byte[0] : record.value();
        String type = mediaType(record);
        try {
            switch (type) {
                case "application/fhir+json", "application/json" -> {
                    return taken(h, source, parser.parse(body, null), "inbound:" + h.id(),
                            IntakeService.sha256(body), null);
                }
                case "application/fhir+xml", "application/xml", "text/xml" -> {
                    return taken(h, source, parser.parseXml(body, null), "inbound:" + h.id(),
                            IntakeService.sha256(body), null);
                }
                case "x-application/hl7-v2+er7", "application/hl7-v2" -> {
                    Hl7v2Intake.Prepared p = hl7v2.prepare(body);
                    if (p.refusal() != null) {
                        return refused(h, source, p.refusal().status(), p.refusal().reason(), p.ack());
                    }
                    return taken(h, source, p.submission(), p.key(), p.sha256(), p.ack());
                }
                default -> {
                    return refused(h, source, 415, "content-type " + (type.isEmpty() ? "(none)" : type)
                            + " is not taken: application/fhir+json, application/fhir+xml or x-application/hl7-v2+er7",
                            null);
                }
            }
        } catch (RejectedSubmissionException e) {
            return refused(h, source, e.status(), e.diagnostics(), null);
        }
    }

    private static Inbound taken(CloudEventHeaders h, String source, ParsedSubmission parsed, String key,
                                 byte[] sha256, String ack) {
        return new Inbound(h, source, parsed, key, sha256, 0, null, ack);
    }

    private static Inbound refused(CloudEventHeaders h, String source, int status, String why, String ack) {
        return new Inbound(h, source, null, null, null, status, why, ack);
    }

    private static String mediaType(ConsumerRecord<String, byte[]> record) {
        Header ct = record.headers().lastHeader(CloudEventHeaders.CE_CONTENT_TYPE);
        if (ct == null || ct.value() == null) {
            return "";
        }
        String v = new String(ct.value(), StandardCharsets.UTF_8);
        int semi = v.indexOf(';');
        return (semi < 0 ? v : v.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * Records a poll's good records, a group per source system, and writes every record's result to the outbox in
     * the caller's transaction, in the poll's order.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<String, Integer> apply(List<Inbound> batch) {
        Map<String, List<Integer>> bySource = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).status() == 0) {
                bySource.computeIfAbsent(batch.get(i).sourceSystem(), k -> new ArrayList<>()).add(i);
            }
        }
        IntakeService.Intake[] done = new IntakeService.Intake[batch.size()];
        for (Map.Entry<String, List<Integer>> e : bySource.entrySet()) {
            List<IntakeService.Item> items = new ArrayList<>();
            for (int i : e.getValue()) {
                Inbound in = batch.get(i);
                items.add(new IntakeService.Item(in.parsed(), in.key(), in.sha256(), context(in.headers())));
            }
            List<IntakeService.Intake> results = intake.acceptAll(items, e.getKey());
            for (int j = 0; j < results.size(); j++) {
                done[e.getValue().get(j)] = results.get(j);
            }
        }
        List<OutgoingEvent> out = new ArrayList<>(batch.size());
        int taken = 0;
        int refused = 0;
        Instant now = Instant.now();
        for (int i = 0; i < batch.size(); i++) {
            Inbound in = batch.get(i);
            CloudEventHeaders h = in.headers();
            InboundResult result;
            if (in.status() != 0) {
                refused++;
                if (in.status() == 403) {
                    denials.refused("kafka:" + h.source(), "ce_source not registered", "inbound record");
                } else {
                    out.add(intake.rejection(in.sourceSystem(), "inbound " + in.status(), context(h)));
                }
                result = new InboundResult(h.id(), h.source(), in.status(), null, false, in.diagnostics(), in.ack(),
                        now);
            } else if (done[i].conflict()) {
                refused++;
                out.add(intake.rejection(in.sourceSystem(), "inbound 409 conflict", context(h)));
                result = new InboundResult(h.id(), h.source(), 409, done[i].submission().id, false,
                        "this record's id (its ce_id; for HL7 v2 its sender and control id) was used before for"
                                + " different content (submission " + done[i].submission().id + ")", null, now);
            } else {
                taken++;
                result = new InboundResult(h.id(), h.source(), 202, done[i].submission().id, done[i].replay(), null,
                        in.ack(), now);
            }
            out.add(new OutgoingEvent(Topics.INBOUND_RESULTS, h.source(), events.headers(resultId(h),
                    EventTypes.INBOUND_RESULT, h.id(), h.correlationId() != null ? h.correlationId() : h.id()),
                    org.recordline.events.EventCodec.encode(result),
                    org.recordline.commons.tracing.Traces.forCorrelation(h.correlationId() != null ? h.correlationId()
                            : h.id())));
        }
        outbox.add(out);
        LOG.debugf("inbound poll: %d taken, %d refused", taken, refused);
        return Map.of("taken", taken, "refused", refused);
    }

    /** The result's event id: the same for every redelivery of one inbound record, so readers can skip repeats. */
    private static String resultId(CloudEventHeaders h) {
        return UUID.nameUUIDFromBytes(("inbound-result|" + h.source() + "|" + h.id())
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** What an inbound record's audit events say of its request: its sender, and its correlation id. */
    private static AuditTrail.RequestContext context(CloudEventHeaders h) {
        return AuditTrail.RequestContext.outsideHttp("kafka:" + h.source(),
                h.correlationId() != null ? h.correlationId() : h.id());
    }
}
