package org.recordline.ingestion.domain.hl7v2;

import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.util.Terser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

/**
 * Maps an HL7 v2 ADT message (read into the v2.8 structures) to a FHIR R4 collection Bundle: the Patient from PID
 * (identifiers with their assigning authorities, names, birth date, sex, addresses, telecom, death), the Encounter
 * from PV1 when the message has one, and for a merge (MRG) a {@code replaces} link from the surviving Patient to each
 * prior identifier. The mapping follows the HL7 v2-to-FHIR mapping's choices where they are simple; what it cannot
 * read it refuses with {@code AE} and the segment and field, never with the value.
 */
public final class Hl7v2ToFhir {

    /** Code systems of the v2 tables the mapping writes codes from. */
    static final String V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    static final String V2_0007 = "http://terminology.hl7.org/CodeSystem/v2-0007";
    static final String V2_0003 = "http://terminology.hl7.org/CodeSystem/v2-0003";
    static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    static final String US_SSN = "http://hl7.org/fhir/sid/us-ssn";
    /** The system of an identifier whose assigning authority has a namespace id only. */
    static final String AUTHORITY_PREFIX = "urn:recordline:hl7v2:assigning-authority:";

    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");
    private static final Pattern DTM = Pattern.compile("(\\d{4})(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?(\\d{2})?"
            + "(\\.\\d{1,4})?([+-]\\d{4})?");

    /** The mapped Bundle and what the intake needs of it. */
    public record Mapped(Bundle bundle, String patientLocalId) {
    }

    /** Maps {@code message}; throws {@link Hl7v2Refusal.Exception} when it is not an ADT message about a patient. */
    public Mapped map(Hl7v2Codec.Parsed message) {
        if (!"ADT".equals(message.type())) {
            throw Hl7v2Refusal.reject(ErrorCode.UNSUPPORTED_MESSAGE_TYPE, "message type "
                    + printable(message.type()) + " is not accepted here: only ADT").asException();
        }
        Group root = message.message();
        Segment pid = segment(root, "PID");
        if (pid == null || blank(get(pid, 3, 0, 1, 1)) && blank(get(pid, 2, 0, 1, 1))) {
            throw Hl7v2Refusal.reject(ErrorCode.UNSUPPORTED_EVENT_CODE, "ADT event " + printable(message.trigger())
                    + " names no patient (no PID segment with an identifier)").asException();
        }
        Patient patient = patient(pid, message.sendingFacility());
        String localId = localId(patient);
        patient.setId(localId);
        Segment mrg = segment(root, "MRG");
        if (mrg != null) {
            for (int rep = 0; rep < reps(mrg, 1); rep++) {
                Identifier prior = identifier(mrg, 1, rep, message.sendingFacility());
                if (prior != null) {
                    patient.addLink().setType(Patient.LinkType.REPLACES)
                            .setOther(new Reference().setIdentifier(prior));
                }
            }
        }
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
        bundle.getMeta().addTag(new Coding(V2_0003, message.trigger(), null));
        String patientUrl = "urn:uuid:" + UUID.randomUUID();
        bundle.addEntry().setFullUrl(patientUrl).setResource(patient);
        Segment pv1 = segment(root, "PV1");
        if (pv1 != null) {
            Encounter encounter = encounter(pv1, segment(root, "PV2"), segment(root, "EVN"), message.trigger(),
                    message.sendingFacility());
            encounter.setSubject(new Reference(patientUrl));
            bundle.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(encounter);
        }
        return new Mapped(bundle, localId);
    }

    private static Patient patient(Segment pid, String sendingFacility) {
        Patient p = new Patient();
        // PID-2 (external id, withdrawn since 2.7 but still sent), PID-3 (the identifier list), PID-4 (alternate)
        for (int field : new int[] {3, 2, 4}) {
            for (int rep = 0; rep < reps(pid, field); rep++) {
                Identifier id = identifier(pid, field, rep, sendingFacility);
                if (id != null) {
                    p.addIdentifier(id);
                }
            }
        }
        String ssn = get(pid, 19, 0, 1, 1);
        if (!blank(ssn)) {
            p.addIdentifier().setSystem(US_SSN).setValue(ssn.strip())
                    .setType(new CodeableConcept(new Coding(V2_0203, "SS", "Social Security number")));
        }
        String licence = get(pid, 20, 0, 1, 1);
        if (!blank(licence)) {
            Identifier dl = p.addIdentifier().setValue(licence.strip())
                    .setType(new CodeableConcept(new Coding(V2_0203, "DL", "Driver's license number")));
            String issuer = get(pid, 20, 0, 2, 1);
            if (!blank(issuer)) {
                dl.setSystem(AUTHORITY_PREFIX + urnPart(issuer));
            }
        }
        for (int rep = 0; rep < reps(pid, 5); rep++) {
            HumanName name = name(pid, 5, rep);
            if (name != null) {
                p.addName(name);
            }
        }
        String birth = get(pid, 7, 0, 1, 1);
        if (!blank(birth)) {
            p.setBirthDateElement(date(birth, "PID", 7));
        }
        String sex = get(pid, 8, 0, 1, 1);
        if (!blank(sex)) {
            p.setGender(gender(sex));
        }
        for (int rep = 0; rep < reps(pid, 11); rep++) {
            Address a = address(pid, 11, rep);
            if (a != null) {
                p.addAddress(a);
            }
        }
        telecom(p, pid, 13, ContactPoint.ContactPointUse.HOME);
        telecom(p, pid, 14, ContactPoint.ContactPointUse.WORK);
        String deathTime = get(pid, 29, 0, 1, 1);
        String deathIndicator = get(pid, 30, 0, 1, 1);
        if (!blank(deathTime)) {
            p.setDeceased(dateTime(deathTime, "PID", 29));
        } else if (!blank(deathIndicator)) {
            p.setDeceased(new org.hl7.fhir.r4.model.BooleanType("Y".equalsIgnoreCase(deathIndicator.strip())));
        }
        return p;
    }

    /**
     * CX: value, assigning authority (system), identifier type, effective and expiry dates. Without an assigning
     * authority (CX.4) the assigning facility (CX.6) stands for it, and without either the sending facility (MSH-4,
     * {@code defaultAuthority}, null for none), which issued the identifier in the sender's own numbering: an
     * identifier without a system cannot be matched across sources.
     */
    private static Identifier identifier(Segment s, int field, int rep, String defaultAuthority) {
        String value = get(s, field, rep, 1, 1);
        if (blank(value)) {
            return null;
        }
        Identifier id = new Identifier().setValue(value.strip());
        int authority = !blank(get(s, field, rep, 4, 1)) || !blank(get(s, field, rep, 4, 2)) ? 4
                : !blank(get(s, field, rep, 6, 1)) || !blank(get(s, field, rep, 6, 2)) ? 6 : 0;
        String namespace = authority == 0 ? defaultAuthority : get(s, field, rep, authority, 1);
        String universal = authority == 0 ? null : get(s, field, rep, authority, 2);
        String universalType = authority == 0 ? null : get(s, field, rep, authority, 3);
        String system = system(namespace, universal, universalType);
        if (system != null) {
            id.setSystem(system);
        }
        if (!blank(namespace)) {
            id.setAssigner(new Reference().setDisplay(namespace.strip()));
        }
        String type = get(s, field, rep, 5, 1);
        if (!blank(type)) {
            id.setType(new CodeableConcept(new Coding(V2_0203, type.strip(), null)));
        }
        String from = get(s, field, rep, 7, 1);
        String to = get(s, field, rep, 8, 1);
        if (!blank(from) || !blank(to)) {
            Period period = new Period();
            if (!blank(from)) {
                period.setStartElement(dateTime(from, s.getName(), field));
            }
            if (!blank(to)) {
                period.setEndElement(dateTime(to, s.getName(), field));
            }
            id.setPeriod(period);
        }
        return id;
    }

    /** An assigning authority's system: its OID or UUID when it has one, else a URN of its namespace id. */
    static String system(String namespace, String universal, String universalType) {
        if (!blank(universal)) {
            String u = universal.strip();
            String type = universalType == null ? "" : universalType.strip().toUpperCase(Locale.ROOT);
            if ((type.equals("ISO") || type.isEmpty()) && u.matches("[0-2](\\.(0|[1-9][0-9]*))+")) {
                return "urn:oid:" + u;
            }
            if (type.equals("UUID") || u.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
                return "urn:uuid:" + u.toLowerCase(Locale.ROOT);
            }
            if (u.startsWith("http://") || u.startsWith("https://")) {
                return u;
            }
        }
        if (!blank(namespace)) {
            return AUTHORITY_PREFIX + urnPart(namespace);
        }
        return null;
    }

    /** XPN: family (FN.1), given and middle names, suffix, prefix, degree, name type. */
    private static HumanName name(Segment s, int field, int rep) {
        String family = get(s, field, rep, 1, 1);
        String given = get(s, field, rep, 2, 1);
        String middle = get(s, field, rep, 3, 1);
        if (blank(family) && blank(given)) {
            return null;
        }
        HumanName n = new HumanName();
        if (!blank(family)) {
            n.setFamily(family.strip());
        }
        if (!blank(given)) {
            n.addGiven(given.strip());
        }
        if (!blank(middle)) {
            for (String m : middle.strip().split("\\s+")) {
                n.addGiven(m);
            }
        }
        String suffix = get(s, field, rep, 4, 1);
        if (!blank(suffix)) {
            n.addSuffix(suffix.strip());
        }
        String prefix = get(s, field, rep, 5, 1);
        if (!blank(prefix)) {
            n.addPrefix(prefix.strip());
        }
        String degree = get(s, field, rep, 6, 1);
        if (!blank(degree)) {
            n.addSuffix(degree.strip());
        }
        String type = get(s, field, rep, 7, 1);
        if (!blank(type)) {
            switch (type.strip().toUpperCase(Locale.ROOT)) {
                case "L" -> n.setUse(HumanName.NameUse.OFFICIAL);
                case "D", "C" -> n.setUse(HumanName.NameUse.USUAL);
                case "M", "B" -> n.setUse(HumanName.NameUse.MAIDEN);
                case "N" -> n.setUse(HumanName.NameUse.NICKNAME);
                case "S", "T" -> n.setUse(HumanName.NameUse.TEMP);
                case "A", "I" -> n.setUse(HumanName.NameUse.ANONYMOUS);
                default -> { }
            }
        }
        return n;
    }

    /** XAD: street address (its parts as lines), other designation, city, state, postal code, country, type. */
    private static Address address(Segment s, int field, int rep) {
        Address a = new Address();
        for (int sub = 1; sub <= 3; sub++) {
            String part = get(s, field, rep, 1, sub);
            if (!blank(part)) {
                a.addLine(part.strip());
            }
        }
        String other = get(s, field, rep, 2, 1);
        if (!blank(other)) {
            a.addLine(other.strip());
        }
        set(get(s, field, rep, 3, 1), a::setCity);
        set(get(s, field, rep, 4, 1), a::setState);
        set(get(s, field, rep, 5, 1), a::setPostalCode);
        set(get(s, field, rep, 6, 1), a::setCountry);
        if (a.getLine().isEmpty() && !a.hasCity() && !a.hasState() && !a.hasPostalCode() && !a.hasCountry()) {
            return null;
        }
        String type = get(s, field, rep, 7, 1);
        if (!blank(type)) {
            switch (type.strip().toUpperCase(Locale.ROOT)) {
                case "H", "P" -> a.setUse(Address.AddressUse.HOME);
                case "B", "O" -> a.setUse(Address.AddressUse.WORK);
                case "C" -> a.setUse(Address.AddressUse.TEMP);
                case "M" -> a.setType(Address.AddressType.POSTAL);
                case "BA" -> a.setUse(Address.AddressUse.BILLING);
                default -> { }
            }
        }
        return a;
    }

    /** XTN: the number (XTN.1, or area code and local number), or the e-mail address; equipment type as system. */
    private static void telecom(Patient p, Segment s, int field, ContactPoint.ContactPointUse use) {
        for (int rep = 0; rep < reps(s, field); rep++) {
            String equipment = upper(get(s, field, rep, 3, 1));
            String email = get(s, field, rep, 4, 1);
            String value;
            ContactPoint.ContactPointSystem system;
            if (!blank(email) || equipment.equals("INTERNET") || equipment.equals("X.400")) {
                value = blank(email) ? get(s, field, rep, 1, 1) : email;
                system = ContactPoint.ContactPointSystem.EMAIL;
            } else {
                String area = get(s, field, rep, 6, 1);
                String local = get(s, field, rep, 7, 1);
                value = !blank(local) ? (blank(area) ? "" : "(" + area.strip() + ")") + local.strip()
                        : get(s, field, rep, 1, 1);
                system = switch (equipment) {
                    case "FX" -> ContactPoint.ContactPointSystem.FAX;
                    case "BP" -> ContactPoint.ContactPointSystem.PAGER;
                    default -> ContactPoint.ContactPointSystem.PHONE;
                };
            }
            if (blank(value)) {
                continue;
            }
            ContactPoint cp = p.addTelecom().setSystem(system).setValue(value.strip());
            cp.setUse(equipment.equals("CP") ? ContactPoint.ContactPointUse.MOBILE : use);
        }
    }

    private static Encounter encounter(Segment pv1, Segment pv2, Segment evn, String trigger,
                                       String sendingFacility) {
        Encounter e = new Encounter();
        e.setStatus(switch (trigger == null ? "" : trigger) {
            case "A03" -> Encounter.EncounterStatus.FINISHED;
            case "A05", "A14", "A38" -> Encounter.EncounterStatus.PLANNED;
            case "A11", "A27" -> Encounter.EncounterStatus.CANCELLED;
            case "A01", "A02", "A04", "A06", "A07", "A08", "A12", "A13", "A15", "A16", "A17", "A21", "A22", "A25",
                 "A26", "A32", "A33", "A53", "A54", "A55" -> Encounter.EncounterStatus.INPROGRESS;
            default -> Encounter.EncounterStatus.UNKNOWN;
        });
        String patientClass = upper(get(pv1, 2, 0, 1, 1));
        e.setClass_(switch (patientClass) {
            case "I" -> new Coding(ACT_CODE, "IMP", "inpatient encounter");
            case "O", "R" -> new Coding(ACT_CODE, "AMB", "ambulatory");
            case "E" -> new Coding(ACT_CODE, "EMER", "emergency");
            case "P" -> new Coding(ACT_CODE, "PRENC", "pre-admission");
            case "B" -> new Coding(ACT_CODE, "OBSENC", "observation encounter");
            default -> new Coding("http://terminology.hl7.org/CodeSystem/v3-NullFlavor", "UNK", "unknown");
        });
        String admissionType = get(pv1, 4, 0, 1, 1);
        if (!blank(admissionType)) {
            e.addType(new CodeableConcept(new Coding(V2_0007, admissionType.strip(), null)));
        }
        Identifier visit = identifier(pv1, 19, 0, sendingFacility);
        if (visit != null) {
            if (!visit.hasType()) {
                visit.setType(new CodeableConcept(new Coding(V2_0203, "VN", "Visit number")));
            }
            e.addIdentifier(visit);
        }
        // the admission's time: PV1-44; for an admission or registration without it, when the event occurred (EVN-6,
        // else EVN-2); for a pre-admission, the expected admission (PV2-8)
        String admit = get(pv1, 44, 0, 1, 1);
        String admitSegment = "PV1";
        int admitField = 44;
        if (blank(admit) && evn != null && Set.of("A01", "A04", "A06", "A07").contains(trigger)) {
            admit = get(evn, 6, 0, 1, 1);
            admitSegment = "EVN";
            admitField = 6;
            if (blank(admit)) {
                admit = get(evn, 2, 0, 1, 1);
                admitField = 2;
            }
        } else if (blank(admit) && pv2 != null && Set.of("A05", "A14").contains(trigger)) {
            admit = get(pv2, 8, 0, 1, 1);
            admitSegment = "PV2";
            admitField = 8;
        }
        String discharge = get(pv1, 45, 0, 1, 1);
        if (!blank(admit) || !blank(discharge)) {
            Period period = new Period();
            if (!blank(admit)) {
                period.setStartElement(dateTime(admit, admitSegment, admitField));
            }
            if (!blank(discharge)) {
                period.setEndElement(dateTime(discharge, "PV1", 45));
            }
            e.setPeriod(period);
        }
        return e;
    }

    /** A DTM's date part: YYYY, YYYY-MM or YYYY-MM-DD. */
    static DateType date(String dtm, String segment, int field) {
        var m = DTM.matcher(dtm.strip());
        if (!m.matches()) {
            throw invalidDate(segment, field);
        }
        String value = m.group(1) + (m.group(2) == null ? "" : "-" + m.group(2))
                + (m.group(3) == null ? "" : "-" + m.group(3));
        try {
            return new DateType(value);
        } catch (RuntimeException e) {
            throw invalidDate(segment, field);
        }
    }

    /**
     * A DTM as a FHIR dateTime: with its time only when it has an offset (FHIR requires a zone with a time), else
     * its date part.
     */
    static DateTimeType dateTime(String dtm, String segment, int field) {
        var m = DTM.matcher(dtm.strip());
        if (!m.matches()) {
            throw invalidDate(segment, field);
        }
        String date = m.group(1) + (m.group(2) == null ? "" : "-" + m.group(2))
                + (m.group(3) == null ? "" : "-" + m.group(3));
        String value = date;
        if (m.group(3) != null && m.group(4) != null && m.group(8) != null) {
            String offset = m.group(8);
            value = date + "T" + m.group(4) + ":" + (m.group(5) == null ? "00" : m.group(5)) + ":"
                    + (m.group(6) == null ? "00" : m.group(6)) + offset.substring(0, 3) + ":" + offset.substring(3);
        }
        try {
            return new DateTimeType(value);
        } catch (RuntimeException e) {
            throw invalidDate(segment, field);
        }
    }

    private static Hl7v2Refusal.Exception invalidDate(String segment, int field) {
        return Hl7v2Refusal.contentError(ErrorCode.DATA_TYPE_ERROR, segment + "-" + field
                + " is not a valid HL7 v2 date/time (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ])", segment, field)
                .asException();
    }

    static AdministrativeGender gender(String sex) {
        return switch (sex.strip().toUpperCase(Locale.ROOT)) {
            case "M" -> AdministrativeGender.MALE;
            case "F" -> AdministrativeGender.FEMALE;
            case "O", "A", "N", "X" -> AdministrativeGender.OTHER;
            default -> AdministrativeGender.UNKNOWN;
        };
    }

    /**
     * The Patient's id in the source: its first identifier's value when that is a valid FHIR id, else a name-based
     * id of the identifier's system and value (stable across messages about the same patient).
     */
    static String localId(Patient p) {
        Identifier first = p.getIdentifierFirstRep();
        String value = first.getValue();
        if (value != null && FHIR_ID.matcher(value).matches()) {
            return value;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((first.getSystem() + "|" + value)
                    .getBytes(StandardCharsets.UTF_8));
            return "v2-" + HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first segment called {@code name} in the message, depth first through the groups it has. Walks only the
     * structures the message holds (Terser's {@code /.NAME} search instantiates every empty segment it passes,
     * which was a tenth of the intake's time).
     */
    private static Segment segment(Group group, String name) {
        try {
            for (String child : group.getNames()) {
                for (Structure s : group.getAll(child)) {
                    if (s instanceof Segment seg && seg.getName().equals(name) && !empty(seg)) {
                        return seg;
                    }
                    if (s instanceof Group g) {
                        Segment found = segment(g, name);
                        if (found != null) {
                            return found;
                        }
                    }
                }
            }
        } catch (HL7Exception | RuntimeException e) {
            return null;
        }
        return null;
    }

    /**
     * Whether a segment holds at most one character of content (none, or a lone set id: {@code PV1|1}). Field by
     * field, stopping at the second character: encoding the whole segment for the test was a sixth of a message's
     * time.
     */
    private static boolean empty(Segment s) {
        try {
            if (s.isEmpty()) {
                return true;
            }
            int chars = 0;
            for (int f = 1; f <= s.numFields(); f++) {
                for (ca.uhn.hl7v2.model.Type t : s.getField(f)) {
                    String e = t.encode();
                    for (int i = 0; i < e.length(); i++) {
                        char c = e.charAt(i);
                        if (c != '|' && c != '^' && c != '~' && c != '\\' && c != '&' && ++chars > 1) {
                            return false;
                        }
                    }
                }
            }
            return true;
        } catch (HL7Exception e) {
            return true;
        }
    }

    private static int reps(Segment s, int field) {
        try {
            return field <= s.numFields() ? s.getField(field).length : 0;
        } catch (HL7Exception | RuntimeException e) {
            return 0;
        }
    }

    /** The value at field/repetition (from 0)/component/subcomponent, or null. */
    static String get(Segment s, int field, int rep, int component, int sub) {
        try {
            if (field > s.numFields() || rep >= s.getField(field).length) {
                return null;
            }
            return Terser.get(s, field, rep, component, sub);
        } catch (HL7Exception | RuntimeException e) {
            return null;
        }
    }

    private static void set(String value, java.util.function.Consumer<String> setter) {
        if (!blank(value)) {
            setter.accept(value.strip());
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank() || s.strip().equals("\"\"");
    }

    private static String upper(String s) {
        return s == null ? "" : s.strip().toUpperCase(Locale.ROOT);
    }

    private static String urnPart(String s) {
        return java.net.URLEncoder.encode(s.strip(), StandardCharsets.UTF_8);
    }

    /** A header value fit to be quoted in a refusal: letters, digits, '_' and '^' only, at most 20. */
    private static String printable(String s) {
        if (s == null) {
            return "(none)";
        }
        String p = s.replaceAll("[^A-Za-z0-9_^]", "");
        return p.length() > 20 ? p.substring(0, 20) : p;
    }
}
