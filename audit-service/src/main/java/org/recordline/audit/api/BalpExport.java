package org.recordline.audit.api;

import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.recordline.audit.domain.AuditQueries;
import org.recordline.events.AuditActions;

/**
 * The audit log's entries as FHIR R4 {@code AuditEvent} resources following IHE Basic Audit Log Patterns (BALP):
 * the RESTful event type with the interaction as subtype, the user agent (requestor, with roles and network address)
 * and the person it acted for, the service as observer, the patient as an entity with role Patient, the source
 * records and resources concerned as entities, and the purpose of use. Reads and searches of patient data carry the
 * BALP profile they follow ({@code PatientRead}, {@code PatientQuery}).
 */
final class BalpExport {

    static final String BALP = "https://profiles.ihe.net/ITI/BALP/StructureDefinition/";
    static final String RECORDLINE_ACTIONS = "https://recordline.org/fhir/CodeSystem/audit-action";
    static final String RECORDLINE_ROLES = "https://recordline.org/fhir/CodeSystem/role";
    static final String SOURCE_SYSTEMS = "https://recordline.org/fhir/NamingSystem/source-system/";
    static final String ENTRY_HASH = "https://recordline.org/fhir/StructureDefinition/audit-entry-hash";
    private static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    private static final String INTERACTION = "http://hl7.org/fhir/restful-interaction";
    private static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    private static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
    private static final String PURPOSE = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    private static final String DICOM = "http://dicom.nema.org/resources/ontology/DCM";
    private static final String SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type";
    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    private static final Pattern PURPOSE_CODE = Pattern.compile("[A-Z]{2,20}");

    /** Each action's FHIR interaction and AuditEvent action code. */
    private static final Map<String, String[]> INTERACTIONS = Map.ofEntries(
            Map.entry(AuditActions.RECORD_READ, new String[] {"read", "R"}),
            Map.entry(AuditActions.SUBMISSION_READ, new String[] {"read", "R"}),
            Map.entry(AuditActions.AUDIT_READ, new String[] {"search-type", "E"}),
            Map.entry(AuditActions.SUBMISSION_RECEIVED, new String[] {"create", "C"}),
            Map.entry(AuditActions.SUBMISSION_REJECTED, new String[] {"create", "C"}),
            Map.entry(AuditActions.RECORD_INDEXED, new String[] {"create", "C"}),
            Map.entry(AuditActions.PERSON_LINKED, new String[] {"update", "U"}),
            Map.entry(AuditActions.PERSON_UNLINKED, new String[] {"update", "U"}),
            Map.entry(AuditActions.PERSONS_MERGED, new String[] {"update", "U"}),
            Map.entry(AuditActions.PERSONS_UNMERGED, new String[] {"update", "U"}),
            Map.entry(AuditActions.MATCH_ACCEPTED, new String[] {"update", "U"}),
            Map.entry(AuditActions.QUARANTINE_CORRECTED, new String[] {"update", "U"}),
            Map.entry(AuditActions.QUARANTINE_DISMISSED, new String[] {"delete", "D"}));

    private BalpExport() {
    }

    /** A collection Bundle of the entries as AuditEvents, in log order. */
    static Bundle bundle(List<AuditQueries.Entry> entries) {
        Bundle b = new Bundle().setType(Bundle.BundleType.COLLECTION);
        b.setTimestamp(new Date());
        for (AuditQueries.Entry e : entries) {
            AuditEvent ae = of(e);
            b.addEntry().setFullUrl("urn:uuid:" + e.eventId()).setResource(ae);
        }
        return b;
    }

    /** One entry as a BALP AuditEvent. */
    static AuditEvent of(AuditQueries.Entry e) {
        AuditEvent ae = new AuditEvent();
        ae.setId(FHIR_ID.matcher(e.eventId()).matches() ? e.eventId() : "entry-" + e.seq());
        String[] interaction = INTERACTIONS.getOrDefault(e.action(), new String[] {null, "E"});
        boolean search = e.detail() != null && e.detail().contains("search");
        if (AuditActions.RECORD_READ.equals(e.action()) && search) {
            interaction = new String[] {"search-type", "E"};
        }
        ae.setType(new Coding(EVENT_TYPE, "rest", "Restful Operation"));
        if (interaction[0] != null) {
            ae.addSubtype(new Coding(INTERACTION, interaction[0], null));
        }
        ae.addSubtype(new Coding(RECORDLINE_ACTIONS, e.action(), null));
        ae.setAction(AuditEventAction.fromCode(interaction[1]));
        ae.setPeriod(new Period().setStart(Date.from(e.occurredAt())));
        ae.setRecorded(Date.from(e.recordedAt()));
        ae.setOutcome(switch (e.outcome()) {
            case AuditActions.SUCCESS -> AuditEventOutcome._0;
            case AuditActions.DENIED -> AuditEventOutcome._4;
            default -> AuditEventOutcome._8;
        });
        if (e.detail() != null && !e.detail().isEmpty()) {
            ae.setOutcomeDesc(e.detail());
        }
        if (e.purpose() != null && PURPOSE_CODE.matcher(e.purpose()).matches()) {
            ae.addPurposeOfEvent(new CodeableConcept(new Coding(PURPOSE, e.purpose(), null)));
        }
        var ctx = e.context();
        // the caller: the requestor, unless it acted for someone
        AuditEvent.AuditEventAgentComponent agent = ae.addAgent();
        agent.setType(new CodeableConcept(new Coding(DICOM, "110153", "Source Role ID")));
        agent.setWho(new Reference().setIdentifier(new Identifier().setValue(e.actor())).setDisplay(e.actor()));
        agent.setRequestor(ctx == null || ctx.onBehalfOf() == null);
        if (ctx != null && ctx.roles() != null) {
            for (String role : ctx.roles()) {
                agent.addRole(new CodeableConcept(new Coding(RECORDLINE_ROLES, role, null)));
            }
        }
        if (ctx != null && ctx.clientAddress() != null) {
            agent.getNetwork().setAddress(ctx.clientAddress())
                    .setType(ctx.clientAddress().matches("[0-9a-fA-F:.]+")
                            ? AuditEvent.AuditEventAgentNetworkType._2 : AuditEvent.AuditEventAgentNetworkType._1);
        }
        if (ctx != null && ctx.onBehalfOf() != null) {
            AuditEvent.AuditEventAgentComponent person = ae.addAgent();
            person.setType(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleClass",
                    "PROV", "healthcare provider")));
            person.setWho(new Reference().setIdentifier(new Identifier().setValue(ctx.onBehalfOf())));
            person.setRequestor(true);
        }
        ae.getSource().setSite("recordline").setObserver(new Reference().setDisplay(e.service()))
                .addType(new Coding(SOURCE_TYPE, "4", "Application Server"));
        // the patient
        String personId = ctx != null && ctx.personId() != null ? ctx.personId()
                : e.patientRef() != null && !e.patientRef().contains("|") ? e.patientRef() : null;
        if (personId != null) {
            ae.addEntity().setWhat(new Reference("Patient/" + personId))
                    .setType(new Coding(ENTITY_TYPE, "1", "Person"))
                    .setRole(new Coding(OBJECT_ROLE, "1", "Patient"));
        }
        List<String> sources = ctx != null && ctx.sourceIds() != null ? ctx.sourceIds()
                : e.patientRef() != null && e.patientRef().contains("|") ? List.of(e.patientRef()) : List.of();
        for (String source : sources) {
            int bar = source.indexOf('|');
            Identifier id = bar < 0 ? new Identifier().setValue(source)
                    : new Identifier().setSystem(SOURCE_SYSTEMS + source.substring(0, bar))
                            .setValue(source.substring(bar + 1));
            ae.addEntity().setWhat(new Reference().setIdentifier(id).setType("Patient"))
                    .setType(new Coding(ENTITY_TYPE, "1", "Person"))
                    .setRole(new Coding(OBJECT_ROLE, "1", "Patient"));
        }
        if (ctx != null && ctx.resources() != null) {
            for (String r : ctx.resources()) {
                ae.addEntity().setWhat(new Reference(r)).setType(new Coding(ENTITY_TYPE, "2", "System Object"));
            }
        }
        if (e.submissionId() != null) {
            ae.addEntity().setWhat(new Reference().setIdentifier(new Identifier()
                            .setSystem("https://recordline.org/fhir/NamingSystem/submission").setValue(e.submissionId())))
                    .setType(new Coding(ENTITY_TYPE, "2", "System Object"))
                    .setRole(new Coding(OBJECT_ROLE, "20", "Job"));
        }
        if (ctx != null && ctx.correlationId() != null) {
            // BALP's entity for the request's id (X-Request-Id); ours is X-Correlation-Id
            ae.addEntity().setWhat(new Reference().setIdentifier(new Identifier().setValue(ctx.correlationId())))
                    .setType(new Coding("https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType",
                            "XrequestId", "X-Request-Id"));
        }
        if (personId != null || !sources.isEmpty()) {
            String profile = AuditActions.RECORD_READ.equals(e.action()) || AuditActions.SUBMISSION_READ
                    .equals(e.action()) ? (search ? "IHE.BasicAudit.PatientQuery" : "IHE.BasicAudit.PatientRead")
                    : null;
            if (profile != null) {
                ae.getMeta().addProfile(BALP + profile);
            }
        }
        // where it sits in the tamper-evident log: its position and chain hash
        ae.addExtension(new Extension(ENTRY_HASH, new StringType(e.seq() + ":"
                + HexFormat.of().formatHex(e.entryHash()))));
        return ae;
    }
}
