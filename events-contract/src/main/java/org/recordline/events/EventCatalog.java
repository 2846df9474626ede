package org.recordline.events;

import java.util.List;
import java.util.Optional;

/**
 * Every event Recordline publishes: its topic, CloudEvents type and payload record. The AsyncAPI document
 * ({@code docs/asyncapi/recordline.yaml}, also in this module's jar as {@value #ASYNCAPI_RESOURCE}) describes the
 * same events; the build checks the two against each other both ways.
 */
public final class EventCatalog {

    /** Where the AsyncAPI document is on the classpath of anything that depends on this module. */
    public static final String ASYNCAPI_RESOURCE = "/asyncapi/recordline.yaml";

    /**
     * One kind of event.
     *
     * @param topic   the topic it is published on
     * @param type    its CloudEvents {@code type}
     * @param payload the record its JSON payload reads into with {@link EventCodec#decode(byte[], Class)}
     */
    public record Entry(String topic, String type, Class<?> payload) {
    }

    private static final List<Entry> ALL = List.of(
            new Entry(Topics.INGESTED, EventTypes.RECORD_INGESTED, RecordIngested.class),
            new Entry(Topics.VALIDATED, EventTypes.RECORD_VALIDATED, RecordValidated.class),
            new Entry(Topics.QUARANTINED, EventTypes.RECORD_QUARANTINED, RecordQuarantined.class),
            new Entry(Topics.QUARANTINED, EventTypes.QUARANTINE_DISMISSED, QuarantineDismissed.class),
            new Entry(Topics.RECORD_CHANGES, EventTypes.RECORD_CHANGED, RecordChanged.class),
            new Entry(Topics.AUDIT, EventTypes.AUDIT, AuditEvent.class),
            new Entry(Topics.AUDIT_CHECKPOINTS, EventTypes.AUDIT_CHECKPOINT, AuditCheckpoint.class),
            new Entry(Topics.INBOUND_RESULTS, EventTypes.INBOUND_RESULT, InboundResult.class));

    private EventCatalog() {
    }

    /** Every event kind Recordline publishes. */
    public static List<Entry> all() {
        return ALL;
    }

    /** The event kind of a CloudEvents {@code type}, if Recordline publishes it. */
    public static Optional<Entry> byType(String type) {
        return ALL.stream().filter(e -> e.type().equals(type)).findFirst();
    }
}
