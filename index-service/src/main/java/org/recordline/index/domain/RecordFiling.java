package org.recordline.index.domain;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hl7.fhir.r4.model.Patient;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.commons.persistence.ProcessedEvents;
import org.recordline.events.AuditActions;
import org.recordline.events.EventCodec;
import org.recordline.events.OutgoingEvent;
import org.recordline.events.EventTypes;
import org.recordline.events.InvalidEventException;
import org.recordline.events.RecordChanged;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.index.domain.matching.Blocking;
import org.recordline.index.domain.matching.Demographics;
import org.recordline.index.domain.matching.MatchDecision;
import org.recordline.index.domain.matching.PatientDemographics;
import org.recordline.index.domain.matching.PatientIdentity;
import org.recordline.index.domain.matching.PersonMatcher;

/**
 * Files a validated submission: finds or creates the enterprise person of its patient, stores the source patient
 * record and every resource under that person, and emits {@code ehr.record-changes.v1} and the audit event, all in
 * one transaction with the idempotency record; a poll's worth of submissions shares that transaction.
 */
@ApplicationScoped
public class RecordFiling {

    private static final Logger LOG = Logger.getLogger(RecordFiling.class);
    private static final String CONSUMER = "index-validated";
    private static final String UPSERT_RESOURCE = "INSERT INTO record_resource (enterprise_person_id, source_record_id,"
            + " submission_id, resource_type, resource_id, resource, filed_at) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?)"
            + " ON CONFLICT ON CONSTRAINT record_resource_identity DO UPDATE SET resource = EXCLUDED.resource,"
            + " submission_id = EXCLUDED.submission_id, filed_at = EXCLUDED.filed_at,"
            + " enterprise_person_id = EXCLUDED.enterprise_person_id";
    private static final String INSERT_PERSON = "INSERT INTO enterprise_person (id, created_at, updated_at)"
            + " VALUES (?, ?, ?)";
    private static final String TOUCH_PERSON = "UPDATE enterprise_person SET updated_at = ? WHERE id = ?";
    private static final String UPSERT_SOURCE = "INSERT INTO source_record (source_record_key, source_system,"
            + " enterprise_person_id, patient, last_submission_id, match_rule, created_at, updated_at, demographics)"
            + " VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?::jsonb) ON CONFLICT (source_record_key) DO UPDATE SET"
            + " enterprise_person_id = EXCLUDED.enterprise_person_id, patient = EXCLUDED.patient,"
            + " last_submission_id = EXCLUDED.last_submission_id, match_rule = EXCLUDED.match_rule,"
            + " updated_at = EXCLUDED.updated_at, demographics = EXCLUDED.demographics RETURNING id";
    private static final com.fasterxml.jackson.databind.ObjectMapper DEMOGRAPHICS =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final String LINK_IDENTIFIER = "INSERT INTO person_identifier (system, value,"
            + " enterprise_person_id, source_record_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private final FhirContext fhir;
    private final ProcessedEvents processed;
    private final PersonMatcher matcher;
    private final GoldenRecords golden;
    private final Set<String> nationalIdSystems;
    private final OutboxWriter outbox;
    private final AuditTrail audit;
    private final AgroalDataSource dataSource;
    private final EventFactory events;

    public RecordFiling(FhirContext fhir, ProcessedEvents processed, PersonMatcher matcher, GoldenRecords golden,
                        OutboxWriter outbox, AuditTrail audit, AgroalDataSource dataSource,
                        @ConfigProperty(name = "quarkus.application.name") String service,
                        @ConfigProperty(name = "recordline.index.match.national-id-systems",
                                defaultValue = "http://hl7.org/fhir/sid/us-ssn,urn:oid:2.16.840.1.113883.4.1")
                        List<String> nationalIdSystems) {
        this.fhir = fhir;
        this.nationalIdSystems = Set.copyOf(nationalIdSystems);
        this.golden = golden;
        this.processed = processed;
        this.matcher = matcher;
        this.outbox = outbox;
        this.audit = audit;
        this.dataSource = dataSource;
        this.events = new EventFactory(service);
    }

    /**
     * The result of filing.
     *
     * @param enterprisePersonId the person the records were filed under (null for a duplicate delivery)
     * @param resources          resources filed
     * @param decision           how the person was found
     */
    public record Filed(String enterprisePersonId, int resources, MatchDecision decision) {
    }

    /**
     * A validated submission as consumed.
     *
     * @param eventId the event's CloudEvents id (the idempotency key)
     * @param record  the event
     */
    public record Validated(String eventId, RecordValidated record) {
    }

    /**
     * Files a poll's worth of validated submissions in the caller's transaction, each once per event id: one
     * statement claims the event ids, one statement takes the advisory locks of every source record and identifier
     * the batch touches (in one global order, so two instances never deadlock), and one batch adds the outgoing
     * events to the outbox.
     *
     * @return how many were filed and skipped as duplicates
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<String, Integer> fileAll(List<Validated> batch) {
        Set<String> fresh = processed.firstDeliveries(CONSUMER, batch.stream().map(Validated::eventId).toList());
        List<Parsed> parsed = new ArrayList<>(batch.size());
        int duplicates = 0;
        for (Validated v : batch) {
            if (fresh.remove(v.eventId())) {
                parsed.add(parse(v.record()));
            } else {
                duplicates++;
            }
        }
        matcher.lock(parsed.stream().map(Parsed::incoming).toList());
        List<OutgoingEvent> out = new ArrayList<>(parsed.size() * 2);
        Set<String> persons = new java.util.HashSet<>();
        for (Parsed p : parsed) {
            persons.add(file(p, out));
        }
        golden.recompute(persons);
        if (!out.isEmpty()) {
            outbox.add(out);
        }
        return Map.of("filed", parsed.size(), "duplicate", duplicates);
    }

    /**
     * A submission taken apart once: each resource's JSON as it arrived (no FHIR round trip), and the Patient parsed
     * with HAPI for its identifiers.
     */
    private record Parsed(RecordValidated in, Patient patient, String patientJson, List<ResourceJson> resources,
                          PatientIdentity identity, PersonMatcher.Incoming incoming) {
    }

    private record ResourceJson(String type, String id, String json) {
    }

    private Parsed parse(RecordValidated in) {
        JsonNode root;
        try {
            root = EventCodec.mapper().readTree(in.fhir());
        } catch (java.io.IOException e) {
            throw new InvalidEventException("validated submission is not JSON");
        }
        List<JsonNode> nodes = new ArrayList<>();
        if ("Bundle".equals(root.path("resourceType").asText())) {
            for (JsonNode entry : root.path("entry")) {
                if (entry.path("resource").isObject()) {
                    nodes.add(entry.get("resource"));
                }
            }
        } else {
            nodes.add(root);
        }
        List<ResourceJson> resources = new ArrayList<>(nodes.size());
        String patientJson = null;
        int n = 0;
        for (JsonNode node : nodes) {
            String type = node.path("resourceType").asText("");
            if (type.isEmpty()) {
                throw new InvalidEventException("validated submission has a resource without a resourceType");
            }
            String id = node.path("id").isTextual() ? node.get("id").asText() : type + "-" + n;
            String json = node.toString();
            if (patientJson == null && "Patient".equals(type)) {
                patientJson = json;
            }
            resources.add(new ResourceJson(type, id, json));
            n++;
        }
        if (patientJson == null) {
            throw new InvalidEventException("validated submission without a Patient");
        }
        Patient patient;
        try {
            patient = fhir.newJsonParser().parseResource(Patient.class, patientJson);
        } catch (ca.uhn.fhir.parser.DataFormatException e) {
            throw new InvalidEventException("validated submission's Patient is not FHIR R4");
        }
        List<PatientIdentity.Identifier> identifiers = patient.getIdentifier().stream()
                .filter(i -> i.hasSystem() && i.hasValue())
                .map(i -> new PatientIdentity.Identifier(i.getSystem(), i.getValue())).distinct().toList();
        PatientIdentity identity = new PatientIdentity(in.sourceRecordKey(), identifiers);
        Demographics demographics = PatientDemographics.of(patient, nationalIdSystems);
        return new Parsed(in, patient, patientJson, resources, identity,
                new PersonMatcher.Incoming(identity, demographics, Blocking.keys(demographics)));
    }

    /** Files one submission (its locks are held already), adds its events to {@code out}; returns its person. */
    private String file(Parsed p, List<OutgoingEvent> out) {
        RecordValidated in = p.in();
        Instant now = Instant.now();
        MatchDecision decision = matcher.matchLocked(p.incoming());
        String personId = decision.newPerson() ? UUID.randomUUID().toString() : decision.enterprisePersonId();
        long sourceId = writePersonAndSource(personId, decision, p, now);
        matcher.storeBlockingKeys(sourceId, p.incoming().blockingKeys());
        if (!MatchDecision.SAME_SOURCE_RECORD.equals(decision.rule())) {
            matcher.recordDecision(sourceId, in.submissionId(), personId, decision, Timestamp.from(now));
        }

        List<RecordChanged.ResourceRef> refs = writeResources(personId, sourceId, in.submissionId(),
                p.identity().identifiers(), p.resources(), now);
        RecordChanged.ChangeType type = decision.newPerson()
                ? RecordChanged.ChangeType.PERSON_CREATED : RecordChanged.ChangeType.RECORDS_FILED;
        out.add(events.event(Topics.RECORD_CHANGES, personId, EventTypes.RECORD_CHANGED, in.submissionId(),
                new RecordChanged(in.submissionId(), personId, in.sourceRecordKey(), type, decision.rule(),
                        refs, now, in.fhir())));
        out.add(audit.event(AuditActions.RECORD_INDEXED, AuditActions.SUCCESS, "index-service", in.submissionId(),
                personId, "ingest", decision.rule() + " resources=" + refs.size()
                        + (decision.score() == null ? "" : String.format(java.util.Locale.ROOT, " score=%.2f",
                                decision.score()))
                        + (decision.candidates() > 0 ? " persons-compared=" + decision.candidates() : "")
                        + (decision.possiblePersonId() == null ? "" : " possible-match=" + decision.possiblePersonId())));
        LOG.debugf("submission %s filed under person %s (%s, %d resources)", in.submissionId(), personId,
                decision.rule(), refs.size());
        return personId;
    }

    /** Creates the person (or touches it) and upserts the source patient record; returns the source record's id. */
    private long writePersonAndSource(String personId, MatchDecision decision, Parsed p, Instant now) {
        Timestamp at = Timestamp.from(now);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(decision.newPerson() ? INSERT_PERSON : TOUCH_PERSON)) {
                if (decision.newPerson()) {
                    ps.setString(1, personId);
                    ps.setTimestamp(2, at);
                    ps.setTimestamp(3, at);
                } else {
                    ps.setTimestamp(1, at);
                    ps.setString(2, personId);
                }
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(UPSERT_SOURCE)) {
                ps.setString(1, p.in().sourceRecordKey());
                ps.setString(2, p.in().sourceSystem());
                ps.setString(3, personId);
                ps.setString(4, p.patientJson());
                ps.setString(5, p.in().submissionId());
                ps.setString(6, decision.rule());
                ps.setTimestamp(7, at);
                ps.setTimestamp(8, at);
                ps.setString(9, DEMOGRAPHICS.writeValueAsString(p.incoming().demographics()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DataAccessException("filing of the source record failed", e);
        }
    }

    /** Links the identifiers and upserts every resource in two JDBC batches. */
    private List<RecordChanged.ResourceRef> writeResources(String personId, long sourceRecordId, String submissionId,
                                                           List<PatientIdentity.Identifier> identifiers,
                                                           List<ResourceJson> resources, Instant now) {
        List<RecordChanged.ResourceRef> refs = new ArrayList<>(resources.size());
        try (Connection c = dataSource.getConnection()) {
            if (!identifiers.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(LINK_IDENTIFIER)) {
                    for (PatientIdentity.Identifier id : identifiers) {
                        ps.setString(1, id.system());
                        ps.setString(2, id.value());
                        ps.setString(3, personId);
                        ps.setLong(4, sourceRecordId);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            Timestamp at = Timestamp.from(now);
            try (PreparedStatement ps = c.prepareStatement(UPSERT_RESOURCE)) {
                int n = 0;
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (ResourceJson r : resources) {
                    if (!seen.add(r.type() + "/" + r.id())) {
                        continue; // one row per resource identity: a second copy in one bundle cannot upsert twice
                    }
                    ps.setString(1, personId);
                    ps.setLong(2, sourceRecordId);
                    ps.setString(3, submissionId);
                    ps.setString(4, r.type());
                    ps.setString(5, r.id());
                    ps.setString(6, r.json());
                    ps.setTimestamp(7, at);
                    ps.addBatch();
                    refs.add(new RecordChanged.ResourceRef(r.type(), r.id()));
                    if (++n % 500 == 0) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
        } catch (SQLException e) {
            throw new DataAccessException("filing of submission resources failed", e);
        }
        return refs;
    }
}
