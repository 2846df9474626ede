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
import java.util.HashMap;
import java.util.HashSet;
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
    /** A resource changed in content becomes a new version (V5's trigger keeps the one it replaces). */
    private static final String UPSERT_RESOURCE = "INSERT INTO record_resource (enterprise_person_id, source_record_id,"
            + " submission_id, resource_type, resource_id, resource, filed_at, clinical_date)"
            + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?)"
            + " ON CONFLICT ON CONSTRAINT record_resource_identity DO UPDATE SET resource = EXCLUDED.resource,"
            + " submission_id = EXCLUDED.submission_id, filed_at = EXCLUDED.filed_at,"
            + " enterprise_person_id = EXCLUDED.enterprise_person_id, clinical_date = EXCLUDED.clinical_date";
    private static final String INSERT_PERSONS = "INSERT INTO enterprise_person (id, created_at, updated_at)"
            + " SELECT id, ?, ? FROM unnest(?::varchar[]) AS p (id)";
    /**
     * Waits for a move that holds a person's row, and names the persons merged meanwhile; the rows are locked in id
     * order, as moves lock them, so that a filing and a move never wait on each other in a cycle.
     */
    private static final String TOUCH_PERSONS = "UPDATE enterprise_person SET updated_at = ? WHERE id IN (SELECT id"
            + " FROM enterprise_person WHERE id = ANY (?) ORDER BY id FOR UPDATE) RETURNING id, merged_into";
    private static final String UPSERT_SOURCES = "INSERT INTO source_record (source_record_key, source_system,"
            + " enterprise_person_id, patient, last_submission_id, match_rule, created_at, updated_at, demographics)"
            + " SELECT k, sys, p, pat::jsonb, sub, r, ?, ?, d FROM unnest(?::varchar[], ?::varchar[],"
            + " ?::varchar[], ?::text[], ?::varchar[], ?::varchar[], ?::text[]) AS s (k, sys, p, pat, sub, r, d)"
            + " ON CONFLICT (source_record_key) DO UPDATE SET"
            + " enterprise_person_id = EXCLUDED.enterprise_person_id, patient = EXCLUDED.patient,"
            + " last_submission_id = EXCLUDED.last_submission_id, match_rule = EXCLUDED.match_rule,"
            + " updated_at = EXCLUDED.updated_at, demographics = EXCLUDED.demographics"
            + " RETURNING id, source_record_key";
    private static final com.fasterxml.jackson.databind.ObjectMapper DEMOGRAPHICS =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final String LINK_IDENTIFIERS = "INSERT INTO person_identifier (system, value,"
            + " enterprise_person_id, source_record_id) SELECT * FROM unnest(?::varchar[], ?::varchar[],"
            + " ?::varchar[], ?::bigint[]) ON CONFLICT DO NOTHING";

    private final FhirContext fhir;
    private final ProcessedEvents processed;
    private final PersonMatcher matcher;
    private final GoldenRecords golden;
    private final Set<String> nationalIdSystems;
    private final OutboxWriter outbox;
    private final AuditTrail audit;
    private final AgroalDataSource dataSource;
    private final EventFactory events;
    private final jakarta.enterprise.inject.Instance<PersonLinks> links;

    public RecordFiling(FhirContext fhir, ProcessedEvents processed, PersonMatcher matcher, GoldenRecords golden,
                        OutboxWriter outbox, AuditTrail audit, AgroalDataSource dataSource,
                        @ConfigProperty(name = "quarkus.application.name") String service,
                        @ConfigProperty(name = "recordline.index.match.national-id-systems",
                                defaultValue = "http://hl7.org/fhir/sid/us-ssn,urn:oid:2.16.840.1.113883.4.1")
                        List<String> nationalIdSystems, jakarta.enterprise.inject.Instance<PersonLinks> links) {
        this.links = links;
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
        if (parsed.isEmpty()) {
            return Map.of("filed", 0, "duplicate", duplicates);
        }
        List<PersonMatcher.Incoming> incoming = parsed.stream().map(Parsed::incoming).toList();
        matcher.lock(incoming);
        Instant now = Instant.now();
        Timestamp at = Timestamp.from(now);
        List<PersonMatcher.Matched> matched = touchFollowingMerges(matcher.matchAll(incoming), at);
        Map<String, Long> sourceIds = writePersonsAndSources(parsed, matched, at);

        Map<Long, Set<String>> keys = new HashMap<>();
        Set<Long> replaced = new HashSet<>();
        List<PersonMatcher.Decided> decided = new ArrayList<>();
        List<Demographics> newRecords = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            Parsed p = parsed.get(i);
            PersonMatcher.Matched m = matched.get(i);
            long sourceId = sourceIds.get(p.in().sourceRecordKey());
            keys.put(sourceId, p.incoming().blockingKeys().stored());
            if (m.sourceRecordId() != null) {
                replaced.add(sourceId);
            }
            if (!MatchDecision.SAME_SOURCE_RECORD.equals(m.decision().rule())) {
                decided.add(new PersonMatcher.Decided(sourceId, p.in().submissionId(), m.personId(),
                        m.decision()));
                newRecords.add(p.incoming().demographics());
            }
        }
        matcher.storeBlockingKeys(keys, replaced);
        matcher.recordDecisions(decided, at);
        List<List<RecordChanged.ResourceRef>> refs = writeIdentifiersAndResources(parsed, matched, sourceIds, at);

        List<OutgoingEvent> out = new ArrayList<>(parsed.size() * 2);
        Set<String> persons = new HashSet<>();
        Map<String, Map<String, GoldenRecords.Source>> created = new HashMap<>();
        for (int i = 0; i < parsed.size(); i++) {
            Parsed p = parsed.get(i);
            PersonMatcher.Matched m = matched.get(i);
            if (m.decision().newPerson() || created.containsKey(m.personId())) {
                // a person created by this batch: its sources are this batch's records filed under it (the last
                // copy of each source record), so its golden record needs nothing read back
                created.computeIfAbsent(m.personId(), k -> new java.util.LinkedHashMap<>()).put(
                        p.in().sourceRecordKey(), new GoldenRecords.Source(p.in().sourceRecordKey(),
                                p.in().sourceSystem(), now, p.patientNode()));
            } else {
                persons.add(m.personId());
            }
            events(p, m, refs.get(i), now, out);
        }
        Map<String, List<GoldenRecords.Source>> createdSources = new HashMap<>();
        created.forEach((person, sources) -> createdSources.put(person, new ArrayList<>(sources.values())));
        golden.recompute(persons, createdSources);
        outbox.add(out);
        applyReplacesLinks(parsed, matched);
        // last: the name counts' field totals are rows every filing updates, so they are held only until the commit
        matcher.countNames(newRecords);
        return Map.of("filed", parsed.size(), "duplicate", duplicates);
    }

    /** Actor of the merges a source system asks for with {@code replaces} links. */
    static final String SOURCE_MERGE_ACTOR_PREFIX = "source-merge:";

    /**
     * A filed Patient with a {@code replaces} link to a prior identifier (HL7 v2 A40/MRG, or any FHIR Patient.link of
     * type replaces) is the source system saying "these were one patient": the person holding that identifier from the
     * same source system is merged into the person the Patient was filed under, in this transaction, with the record
     * changes and audit event of any merge. A link to an identifier this index does not hold from that source, or to
     * the same person, changes nothing; a merge the index refuses (a person already merged) is logged, never fatal.
     */
    private void applyReplacesLinks(List<Parsed> parsed, List<PersonMatcher.Matched> matched) {
        for (int i = 0; i < parsed.size(); i++) {
            Parsed p = parsed.get(i);
            for (Patient.PatientLinkComponent link : p.patient().getLink()) {
                if (link.getType() != Patient.LinkType.REPLACES || !link.getOther().hasIdentifier()) {
                    continue;
                }
                org.hl7.fhir.r4.model.Identifier prior = link.getOther().getIdentifier();
                if (!prior.hasSystem() || !prior.hasValue()) {
                    continue;
                }
                String from = priorPerson(prior.getSystem(), prior.getValue(), p.in().sourceSystem());
                String into = matched.get(i).personId();
                if (from == null || from.equals(into)) {
                    continue;
                }
                try {
                    links.get().merge(into, from, SOURCE_MERGE_ACTOR_PREFIX + p.in().sourceSystem(),
                            "the source system merged its patient records (a replaces link, e.g. HL7 v2 A40)");
                } catch (PersonLinks.Refused r) {
                    LOG.infof("the replaces link of submission %s was not applied: %s", p.in().submissionId(),
                            r.getMessage());
                }
            }
        }
    }

    /** The person holding identifier {@code system|value} from a source record of {@code source}, or null. */
    private String priorPerson(String system, String value, String source) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT pi.enterprise_person_id FROM person_identifier pi JOIN source_record sr"
                        + " ON sr.id = pi.source_record_id"
                        + " WHERE pi.system = ? AND pi.value = ? AND sr.source_system = ?")) {
            ps.setString(1, system);
            ps.setString(2, value);
            ps.setString(3, source);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new DataAccessException("looking up a prior identifier failed", e);
        }
    }

    /**
     * A submission taken apart once: each resource's JSON as it arrived (no FHIR round trip), and the Patient parsed
     * with HAPI for its identifiers.
     */
    private record Parsed(RecordValidated in, Patient patient, JsonNode patientNode, String patientJson,
                          List<ResourceJson> resources,
                          PatientIdentity identity, PersonMatcher.Incoming incoming) {
    }

    private record ResourceJson(String type, String id, String json, Instant clinicalDate) {
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
        JsonNode patientNode = null;
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
                patientNode = node;
            }
            resources.add(new ResourceJson(type, id, json, ClinicalDate.of(node)));
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
        return new Parsed(in, patient, patientNode, patientJson, resources, identity,
                new PersonMatcher.Incoming(identity, demographics, Blocking.of(demographics)));
    }

    /** Adds the record change and the audit event of one filed submission to {@code out}. */
    private void events(Parsed p, PersonMatcher.Matched m, List<RecordChanged.ResourceRef> refs, Instant now,
                        List<OutgoingEvent> out) {
        RecordValidated in = p.in();
        MatchDecision decision = m.decision();
        String personId = m.personId();
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
                        + (decision.possiblePersonId() == null ? "" : " possible-match=" + decision.possiblePersonId()),
                personId, null, List.of(in.sourceRecordKey()), null));
        LOG.debugf("submission %s filed under person %s (%s, %d resources)", in.submissionId(), personId,
                decision.rule(), refs.size());
    }

    /**
     * Touches the existing persons the batch files under, in one statement that waits for any move holding one of
     * them; a person a technician merged meanwhile (after matching read its records) is replaced by the person it
     * was merged into, so that nothing is filed under a merged person.
     */
    private List<PersonMatcher.Matched> touchFollowingMerges(List<PersonMatcher.Matched> matched, Timestamp at) {
        Set<String> existing = new java.util.LinkedHashSet<>();
        for (PersonMatcher.Matched m : matched) {
            if (!m.decision().newPerson()) {
                existing.add(m.personId());
            }
        }
        Map<String, String> mergedInto = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            while (!existing.isEmpty()) {
                Set<String> next = new java.util.LinkedHashSet<>();
                try (PreparedStatement ps = c.prepareStatement(TOUCH_PERSONS)) {
                    ps.setTimestamp(1, at);
                    ps.setArray(2, c.createArrayOf("varchar", existing.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getString(2) != null && mergedInto.putIfAbsent(rs.getString(1),
                                    rs.getString(2)) == null) {
                                next.add(rs.getString(2));
                            }
                        }
                    }
                }
                existing = next;
            }
        } catch (SQLException e) {
            throw new DataAccessException("touching the matched persons failed", e);
        }
        if (mergedInto.isEmpty()) {
            return matched;
        }
        List<PersonMatcher.Matched> out = new ArrayList<>(matched.size());
        for (PersonMatcher.Matched m : matched) {
            String person = m.personId();
            while (mergedInto.containsKey(person)) {
                person = mergedInto.get(person);
            }
            out.add(person.equals(m.personId()) ? m : new PersonMatcher.Matched(person, m.decision()
                    .withPerson(person), m.sourceRecordId()));
        }
        return out;
    }

    /**
     * Creates the batch's new persons in one statement, and upserts its source records in a
     * second (the last submission of a source record in the batch wins); returns each source record's id by key.
     */
    private Map<String, Long> writePersonsAndSources(List<Parsed> parsed, List<PersonMatcher.Matched> matched,
                                                     Timestamp at) {
        Set<String> created = new java.util.LinkedHashSet<>();
        Map<String, Integer> lastOfKey = new java.util.LinkedHashMap<>();
        for (int i = 0; i < parsed.size(); i++) {
            PersonMatcher.Matched m = matched.get(i);
            if (m.decision().newPerson()) {
                created.add(m.personId());
            }
            lastOfKey.put(parsed.get(i).in().sourceRecordKey(), i);
        }
        int n = lastOfKey.size();
        Object[] keys = new Object[n];
        Object[] systems = new Object[n];
        Object[] persons = new Object[n];
        Object[] patients = new Object[n];
        Object[] submissions = new Object[n];
        Object[] rules = new Object[n];
        Object[] demographics = new Object[n];
        int j = 0;
        try {
            for (int i : lastOfKey.values()) {
                Parsed p = parsed.get(i);
                keys[j] = p.in().sourceRecordKey();
                systems[j] = p.in().sourceSystem();
                persons[j] = matched.get(i).personId();
                patients[j] = p.patientJson();
                submissions[j] = p.in().submissionId();
                rules[j] = matched.get(i).decision().rule();
                demographics[j] = DEMOGRAPHICS.writeValueAsString(p.incoming().demographics());
                j++;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DataAccessException("demographics cannot be written", e);
        }
        Map<String, Long> ids = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            if (!created.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(INSERT_PERSONS)) {
                    ps.setTimestamp(1, at);
                    ps.setTimestamp(2, at);
                    ps.setArray(3, c.createArrayOf("varchar", created.toArray()));
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(UPSERT_SOURCES)) {
                ps.setTimestamp(1, at);
                ps.setTimestamp(2, at);
                ps.setArray(3, c.createArrayOf("varchar", keys));
                ps.setArray(4, c.createArrayOf("varchar", systems));
                ps.setArray(5, c.createArrayOf("varchar", persons));
                ps.setArray(6, c.createArrayOf("text", patients));
                ps.setArray(7, c.createArrayOf("varchar", submissions));
                ps.setArray(8, c.createArrayOf("varchar", rules));
                ps.setArray(9, c.createArrayOf("text", demographics));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.put(rs.getString(2), rs.getLong(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("filing of the source records failed", e);
        }
        return ids;
    }

    /**
     * Links the batch's identifiers to their persons in one statement (an identifier stays with the first person it
     * was seen with) and upserts every resource of every submission in one multi-row batch, in rounds when one
     * resource comes twice in the batch (each round sees the one before: the later copy is the newer version).
     */
    private List<List<RecordChanged.ResourceRef>> writeIdentifiersAndResources(
            List<Parsed> parsed, List<PersonMatcher.Matched> matched, Map<String, Long> sourceIds, Timestamp at) {
        List<List<RecordChanged.ResourceRef>> refs = new ArrayList<>(parsed.size());
        List<Object> idSystems = new ArrayList<>();
        List<Object> idValues = new ArrayList<>();
        List<Object> idPersons = new ArrayList<>();
        List<Object> idSources = new ArrayList<>();
        List<List<Object[]>> rounds = new ArrayList<>();
        Map<String, Integer> copies = new HashMap<>();
        for (int i = 0; i < parsed.size(); i++) {
            Parsed p = parsed.get(i);
            String personId = matched.get(i).personId();
            long sourceId = sourceIds.get(p.in().sourceRecordKey());
            for (PatientIdentity.Identifier id : p.identity().identifiers()) {
                idSystems.add(id.system());
                idValues.add(id.value());
                idPersons.add(personId);
                idSources.add(sourceId);
            }
            List<RecordChanged.ResourceRef> mine = new ArrayList<>(p.resources().size());
            Set<String> seen = new HashSet<>();
            for (ResourceJson r : p.resources()) {
                if (!seen.add(r.type() + "/" + r.id())) {
                    continue; // one row per resource identity: a second copy in one submission is skipped
                }
                int round = copies.merge(sourceId + "/" + r.type() + "/" + r.id(), 1, Integer::sum) - 1;
                while (rounds.size() <= round) {
                    rounds.add(new ArrayList<>());
                }
                rounds.get(round).add(new Object[] {personId, sourceId, p.in().submissionId(), r});
                mine.add(new RecordChanged.ResourceRef(r.type(), r.id()));
            }
            refs.add(mine);
        }
        try (Connection c = dataSource.getConnection()) {
            if (!idSystems.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(LINK_IDENTIFIERS)) {
                    ps.setArray(1, c.createArrayOf("varchar", idSystems.toArray()));
                    ps.setArray(2, c.createArrayOf("varchar", idValues.toArray()));
                    ps.setArray(3, c.createArrayOf("varchar", idPersons.toArray()));
                    ps.setArray(4, c.createArrayOf("bigint", idSources.toArray()));
                    ps.executeUpdate();
                }
            }
            for (List<Object[]> round : rounds) {
                try (PreparedStatement ps = c.prepareStatement(UPSERT_RESOURCE)) {
                    int n = 0;
                    for (Object[] row : round) {
                        ResourceJson r = (ResourceJson) row[3];
                        ps.setString(1, (String) row[0]);
                        ps.setLong(2, (Long) row[1]);
                        ps.setString(3, (String) row[2]);
                        ps.setString(4, r.type());
                        ps.setString(5, r.id());
                        ps.setString(6, r.json());
                        ps.setTimestamp(7, at);
                        ps.setTimestamp(8, r.clinicalDate() == null ? null : Timestamp.from(r.clinicalDate()));
                        ps.addBatch();
                        if (++n % 512 == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("filing of submission resources failed", e);
        }
        return refs;
    }
}
