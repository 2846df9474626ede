package org.recordline.index.domain;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.commons.persistence.ProcessedEvents;
import org.recordline.events.AuditActions;
import org.recordline.events.EventTypes;
import org.recordline.events.InvalidEventException;
import org.recordline.events.RecordChanged;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.index.domain.matching.ExactIdentifierMatcher;
import org.recordline.index.domain.matching.MatchDecision;
import org.recordline.index.domain.matching.PatientIdentity;
import org.recordline.index.persistence.EnterprisePerson;
import org.recordline.index.persistence.SourceRecord;

/**
 * Files a validated submission: finds or creates the enterprise person of its patient, stores the source patient
 * record and every resource under that person, and emits {@code ehr.record-changes.v1} and the audit event, all in
 * one transaction with the idempotency record.
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
    private static final String LINK_IDENTIFIER = "INSERT INTO person_identifier (system, value,"
            + " enterprise_person_id, source_record_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private final FhirContext fhir;
    private final ProcessedEvents processed;
    private final ExactIdentifierMatcher matcher;
    private final OutboxWriter outbox;
    private final AuditTrail audit;
    private final AgroalDataSource dataSource;
    private final EntityManager em;
    private final EventFactory events;

    public RecordFiling(FhirContext fhir, ProcessedEvents processed, ExactIdentifierMatcher matcher,
                        OutboxWriter outbox, AuditTrail audit, AgroalDataSource dataSource, EntityManager em,
                        @ConfigProperty(name = "quarkus.application.name") String service) {
        this.fhir = fhir;
        this.processed = processed;
        this.matcher = matcher;
        this.outbox = outbox;
        this.audit = audit;
        this.dataSource = dataSource;
        this.em = em;
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

    /** Files one validated submission, once per event id. */
    @Transactional
    public Filed file(String eventId, RecordValidated in) {
        if (!processed.firstDelivery(CONSUMER, eventId)) {
            return new Filed(null, 0, null);
        }
        IParser parser = fhir.newJsonParser();
        Resource root = (Resource) parser.parseResource(in.fhir());
        List<Resource> resources = new ArrayList<>();
        if (root instanceof Bundle b) {
            b.getEntry().forEach(e -> {
                if (e.getResource() != null) {
                    resources.add(e.getResource());
                }
            });
        } else {
            resources.add(root);
        }
        Patient patient = resources.stream().filter(Patient.class::isInstance).map(Patient.class::cast).findFirst()
                .orElseThrow(() -> new InvalidEventException("validated submission without a Patient"));
        List<PatientIdentity.Identifier> identifiers = patient.getIdentifier().stream()
                .filter(i -> i.hasSystem() && i.hasValue())
                .map(i -> new PatientIdentity.Identifier(i.getSystem(), i.getValue())).distinct().toList();

        Instant now = Instant.now();
        MatchDecision decision = matcher.match(new PatientIdentity(in.sourceRecordKey(), identifiers));
        String personId = decision.enterprisePersonId();
        if (decision.newPerson()) {
            EnterprisePerson p = new EnterprisePerson();
            p.id = UUID.randomUUID().toString();
            p.createdAt = now;
            p.updatedAt = now;
            p.persist();
            personId = p.id;
        } else {
            EnterprisePerson p = EnterprisePerson.findById(personId);
            p.updatedAt = now;
        }
        String patientJson = parser.encodeResourceToString(patient);
        SourceRecord source = SourceRecord.findByKey(in.sourceRecordKey()).orElse(null);
        if (source == null) {
            source = new SourceRecord();
            source.sourceRecordKey = in.sourceRecordKey();
            source.sourceSystem = in.sourceSystem();
            source.createdAt = now;
        }
        source.enterprisePersonId = personId;
        source.patient = patientJson;
        source.lastSubmissionId = in.submissionId();
        source.matchRule = decision.rule();
        source.updatedAt = now;
        source.persist();
        em.flush();

        List<RecordChanged.ResourceRef> refs = writeResources(personId, source.id, in.submissionId(), identifiers,
                resources, parser, now);
        RecordChanged.ChangeType type = decision.newPerson()
                ? RecordChanged.ChangeType.PERSON_CREATED : RecordChanged.ChangeType.RECORDS_FILED;
        outbox.add(List.of(
                events.event(Topics.RECORD_CHANGES, personId, EventTypes.RECORD_CHANGED, in.submissionId(),
                        new RecordChanged(in.submissionId(), personId, in.sourceRecordKey(), type, decision.rule(),
                                refs, now, in.fhir())),
                audit.event(AuditActions.RECORD_INDEXED, AuditActions.SUCCESS, "index-service", in.submissionId(),
                        personId, "ingest", decision.rule() + " resources=" + refs.size()
                                + (decision.candidates() > 1 ? " candidates=" + decision.candidates() : ""))));
        LOG.infof("submission %s filed under person %s (%s, %d resources)", in.submissionId(), personId,
                decision.rule(), refs.size());
        return new Filed(personId, refs.size(), decision);
    }

    /** Links the identifiers and upserts every resource in two JDBC batches. */
    private List<RecordChanged.ResourceRef> writeResources(String personId, long sourceRecordId, String submissionId,
                                                           List<PatientIdentity.Identifier> identifiers,
                                                           List<Resource> resources, IParser parser, Instant now) {
        List<RecordChanged.ResourceRef> refs = new ArrayList<>(resources.size());
        try (Connection c = dataSource.getConnection()) {
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
            Timestamp at = Timestamp.from(now);
            try (PreparedStatement ps = c.prepareStatement(UPSERT_RESOURCE)) {
                int n = 0;
                for (Resource r : resources) {
                    String id = r.getIdElement().getIdPart() != null ? r.getIdElement().getIdPart()
                            : r.fhirType() + "-" + n;
                    ps.setString(1, personId);
                    ps.setLong(2, sourceRecordId);
                    ps.setString(3, submissionId);
                    ps.setString(4, r.fhirType());
                    ps.setString(5, id);
                    ps.setString(6, parser.encodeResourceToString(r));
                    ps.setTimestamp(7, at);
                    ps.addBatch();
                    refs.add(new RecordChanged.ResourceRef(r.fhirType(), id));
                    if (++n % 200 == 0) {
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
