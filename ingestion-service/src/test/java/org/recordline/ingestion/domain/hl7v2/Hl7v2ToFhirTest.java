package org.recordline.ingestion.domain.hl7v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.SharedData;

/** The HL7 v2 parsing, mapping and acknowledgements on the shared ADT messages, without a broker or database. */
class Hl7v2ToFhirTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private final Hl7v2Codec codec = new Hl7v2Codec(1 << 20, 2000);
    private final Hl7v2ToFhir mapper = new Hl7v2ToFhir();

    static List<Path> adtMessages() throws IOException {
        try (Stream<Path> files = Files.list(SharedData.root().resolve("hl7v2/messages"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("ADT")).sorted().toList();
        }
    }

    private Hl7v2ToFhir.Mapped map(byte[] message) {
        return mapper.map(codec.parse(message));
    }

    private static Patient patientOf(Bundle b) {
        return b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Patient.class::isInstance).map(Patient.class::cast).findFirst().orElseThrow();
    }

    @Test
    void everyAdtMessageParsesAndMapsToAPatientThatHapiReadsBackStrictly() throws IOException {
        List<Path> messages = adtMessages();
        assertTrue(messages.size() >= 25, "the shared data has its ADT messages: " + messages.size());
        for (Path file : messages) {
            Hl7v2ToFhir.Mapped mapped = map(Files.readAllBytes(file));
            Patient p = patientOf(mapped.bundle());
            assertFalse(p.getIdentifier().isEmpty(), file + " has identifiers");
            assertEquals(mapped.patientLocalId(), p.getIdElement().getIdPart(), file.toString());
            String json = FHIR.newJsonParser().encodeResourceToString(mapped.bundle());
            Bundle back = FHIR.newJsonParser().setParserErrorHandler(new StrictErrorHandler())
                    .parseResource(Bundle.class, json);
            assertEquals(mapped.bundle().getEntry().size(), back.getEntry().size(), file.toString());
        }
    }

    /**
     * Field by field against the FHIR R4 the Microsoft FHIR-Converter makes of the same messages: every identifier
     * value of the patient's own (those the converter took from the PID segment: it also copies the guarantor's,
     * insured's and disability ids from GT1, IN1/IN2 and DB1 into Patient.identifier, even when the insured is the
     * spouse, which this mapping does not), the first name's family and first given name, birth date, gender, and the
     * first address's first line, city, state, postal code and country. The share that agrees is printed (with the
     * identifiers from other segments counted too, for comparison); it must be at least 95%.
     */
    @Test
    void patientsAgreeWithTheReferenceConverterOnAtLeast95PercentOfFields() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path expectedDir = SharedData.root().resolve("hl7v2/expected-fhir-r4");
        int compared = 0;
        int agreed = 0;
        int otherSegmentIds = 0;
        int otherSegmentIdsAgreed = 0;
        List<String> disagreements = new ArrayList<>();
        List<Path> expectedFiles;
        try (Stream<Path> files = Files.list(expectedDir)) {
            expectedFiles = files.sorted().toList();
        }
        for (Path expectedFile : expectedFiles) {
            String name = expectedFile.getFileName().toString().replace("-expected.json", ".hl7");
            Path message = SharedData.root().resolve("hl7v2/messages").resolve(name);
            if (!Files.exists(message)) {
                continue;
            }
            JsonNode expected = null;
            for (JsonNode e : json.readTree(expectedFile.toFile()).path("entry")) {
                if ("Patient".equals(e.at("/resource/resourceType").asText())) {
                    expected = e.get("resource");
                    break;
                }
            }
            if (expected == null) {
                continue;
            }
            byte[] raw = Files.readAllBytes(message);
            String pidSegment = java.util.Arrays.stream(new String(raw, StandardCharsets.UTF_8).split("[\r\n]+"))
                    .filter(l -> l.startsWith("PID|")).findFirst().orElse("");
            Patient mine = patientOf(map(raw).bundle());
            List<String[]> fields = new ArrayList<>();
            Set<String> myIds = new HashSet<>();
            mine.getIdentifier().forEach(i -> myIds.add(i.getValue()));
            for (JsonNode id : expected.path("identifier")) {
                String v = id.path("value").asText().strip();
                if (!pidSegment.contains(v)) {
                    otherSegmentIds++;
                    otherSegmentIdsAgreed += myIds.contains(v) ? 1 : 0;
                    continue;
                }
                fields.add(new String[] {"identifier " + v, v, myIds.contains(v) ? v : null});
            }
            JsonNode name0 = expected.path("name").path(0);
            if (!name0.isMissingNode()) {
                HumanName n = mine.getNameFirstRep();
                fields.add(new String[] {"family", text(name0.path("family")), n.getFamily()});
                fields.add(new String[] {"given", text(name0.path("given").path(0)),
                        n.getGiven().isEmpty() ? null : n.getGiven().get(0).getValue()});
            }
            fields.add(new String[] {"birthDate", text(expected.path("birthDate")), mine.getBirthDateElement()
                    .getValueAsString()});
            fields.add(new String[] {"gender", text(expected.path("gender")),
                    mine.getGender() == null ? null : mine.getGender().toCode()});
            JsonNode addr = expected.path("address").path(0);
            if (!addr.isMissingNode()) {
                var a = mine.getAddressFirstRep();
                fields.add(new String[] {"line", text(addr.path("line").path(0)),
                        a.getLine().isEmpty() ? null : a.getLine().get(0).getValue()});
                fields.add(new String[] {"city", text(addr.path("city")), a.getCity()});
                fields.add(new String[] {"state", text(addr.path("state")), a.getState()});
                fields.add(new String[] {"postalCode", text(addr.path("postalCode")), a.getPostalCode()});
                fields.add(new String[] {"country", text(addr.path("country")), a.getCountry()});
            }
            for (String[] f : fields) {
                if (f[1] == null) {
                    continue;
                }
                compared++;
                if (f[1].equals(f[2] == null ? null : f[2].strip())) {
                    agreed++;
                } else {
                    disagreements.add(name + " " + f[0]);
                }
            }
        }
        double share = (double) agreed / compared;
        System.out.printf("HL7 v2 mapping: %d of %d Patient fields agree with the reference converter (%.1f%%);"
                + " disagreeing: %s; with the %d identifiers it takes from other segments: %d of %d (%.1f%%)%n",
                agreed, compared, 100 * share, disagreements, otherSegmentIds, agreed + otherSegmentIdsAgreed,
                compared + otherSegmentIds, 100.0 * (agreed + otherSegmentIdsAgreed) / (compared + otherSegmentIds));
        assertTrue(compared > 300, "compared " + compared);
        assertTrue(share >= 0.95, "agreement " + share + ": " + disagreements);
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText().strip();
    }

    @Test
    void knownAnswerForAVersion251Admission() {
        Hl7v2ToFhir.Mapped mapped = map(SharedData.read("hl7v2/messages/ADT04-251.hl7"));
        Patient p = patientOf(mapped.bundle());
        Identifier mrn = p.getIdentifierFirstRep();
        assertEquals("MRN12345", mrn.getValue());
        assertEquals("MR", mrn.getType().getCodingFirstRep().getCode());
        assertEquals("MRN12345", mapped.patientLocalId());
        assertEquals(Hl7v2ToFhir.AUTHORITY_PREFIX + "Special+Hospital", mrn.getSystem(),
                "without an assigning authority, the assigning facility (CX.6) stands for it");
        assertEquals("Doe", p.getNameFirstRep().getFamily());
        assertEquals("Jane", p.getNameFirstRep().getGivenAsSingleString().split(" ")[0]);
        assertEquals("1978-01-01", p.getBirthDateElement().getValueAsString());
        assertEquals("female", p.getGender().toCode());
        assertEquals("A04", mapped.bundle().getMeta().getTagFirstRep().getCode());
    }

    @Test
    void assigningAuthoritiesBecomeSystemsAndTheVisitAnEncounterAboutThePatient() {
        String msg = "MSH|^~\\&|APP|FAC|RL|RL|20240101120000+0000||ADT^A01^ADT_A01|C1|P|2.5.1\r"
                + "PID|1||4711^^^HOSP&1.2.840.99&ISO^MR~99^^^CITYLAB^PI||Muster^Erika^Maria^^Dr.^^L||19640812|F|||"
                + "Hauptstr. 1^Apt 2^Berlin^BE^10115^DE^H||^PRN^PH^^^030^1234567~^NET^Internet^erika@example.org\r"
                + "PV1|1|I|W1^101^A|E|||||||||||||||V123^^^HOSP&1.2.840.99&ISO^VN|||||||||||||||||||||||||"
                + "20240101113000+0100|20240103090000+0100\r";
        Hl7v2ToFhir.Mapped mapped = map(msg.getBytes(StandardCharsets.UTF_8));
        Patient p = patientOf(mapped.bundle());
        assertEquals("urn:oid:1.2.840.99", p.getIdentifier().get(0).getSystem());
        assertEquals(Hl7v2ToFhir.AUTHORITY_PREFIX + "CITYLAB", p.getIdentifier().get(1).getSystem());
        assertEquals("Erika Maria", p.getNameFirstRep().getGivenAsSingleString());
        assertEquals("Dr.", p.getNameFirstRep().getPrefixAsSingleString());
        assertEquals(HumanName.NameUse.OFFICIAL, p.getNameFirstRep().getUse());
        assertEquals(List.of("Hauptstr. 1", "Apt 2"), p.getAddressFirstRep().getLine().stream()
                .map(l -> l.getValue()).toList());
        assertEquals("10115", p.getAddressFirstRep().getPostalCode());
        assertEquals("(030)1234567", p.getTelecom().get(0).getValue());
        assertEquals("erika@example.org", p.getTelecom().get(1).getValue());
        Encounter e = (Encounter) mapped.bundle().getEntry().get(1).getResource();
        assertEquals(mapped.bundle().getEntry().get(0).getFullUrl(), e.getSubject().getReference());
        assertEquals("IMP", e.getClass_().getCode());
        assertEquals(Encounter.EncounterStatus.INPROGRESS, e.getStatus());
        assertEquals("V123", e.getIdentifierFirstRep().getValue());
        assertEquals("2024-01-01T11:30:00+01:00", e.getPeriod().getStartElement().getValueAsString());
    }

    @Test
    void aMergeLinksTheSurvivorToThePriorIdentifier() {
        Hl7v2ToFhir.Mapped mapped = map(SharedData.read("hl7v2/messages/ADT-A40-01.hl7"));
        Patient p = patientOf(mapped.bundle());
        assertEquals("12345", p.getIdentifierFirstRep().getValue());
        assertEquals(1, p.getLink().size());
        assertEquals(Patient.LinkType.REPLACES, p.getLinkFirstRep().getType());
        assertEquals("56789", p.getLinkFirstRep().getOther().getIdentifier().getValue());
        assertEquals(Hl7v2ToFhir.AUTHORITY_PREFIX + "BCBS", p.getLinkFirstRep().getOther().getIdentifier()
                .getSystem());
    }

    @Test
    void withoutAnAuthorityTheSendingFacilityNumbersTheIdentifierAndAnAdmissionStartsWhenItsEventOccurred() {
        String msg = "MSH|^~\\&|APP|NORTH|RL|RL|20240101||ADT^A01|C7|P|2.5\rEVN|A01|20240101083000+0100\r"
                + "PID|1||555^^^^MR||Roe^Ann||1990|F\rPV1|1|I\r";
        Hl7v2ToFhir.Mapped mapped = map(msg.getBytes(StandardCharsets.UTF_8));
        assertEquals(Hl7v2ToFhir.AUTHORITY_PREFIX + "NORTH", patientOf(mapped.bundle()).getIdentifierFirstRep()
                .getSystem());
        Encounter e = (Encounter) mapped.bundle().getEntry().get(1).getResource();
        assertEquals("2024-01-01T08:30:00+01:00", e.getPeriod().getStartElement().getValueAsString());
    }

    @Test
    void segmentsEndedByLineFeedsAndAByteOrderMarkAreRead() {
        String msg = "\uFEFFMSH|^~\\&|A|F|R|R|20240101||ADT^A08|C2|P|2.3\nPID|1||77^^^X^MR||Roe^Ann||1990|F\n\n";
        Patient p = patientOf(map(msg.getBytes(StandardCharsets.UTF_8)).bundle());
        assertEquals("77", p.getIdentifierFirstRep().getValue());
        assertEquals("1990", p.getBirthDateElement().getValueAsString());
    }

    @Test
    void otherMessageTypesAreRefusedWithUnsupportedMessageType() {
        var e = assertThrows(Hl7v2Refusal.Exception.class,
                () -> map(SharedData.read("hl7v2/messages/ORU-R01-01.hl7")));
        assertEquals(AcknowledgmentCode.AR, e.refusal().code());
        assertEquals(ErrorCode.UNSUPPORTED_MESSAGE_TYPE, e.refusal().error());
    }

    @Test
    void anInvalidBirthDateIsAnApplicationErrorNamingTheField() {
        String msg = "MSH|^~\\&|A|F|R|R|20240101||ADT^A04|C3|P|2.5\rPID|1||77^^^X^MR||Roe^Ann||19901345|F\r";
        Hl7v2Codec.Parsed parsed = codec.parse(msg.getBytes(StandardCharsets.UTF_8));
        var e = assertThrows(Hl7v2Refusal.Exception.class, () -> mapper.map(parsed));
        assertEquals(AcknowledgmentCode.AE, e.refusal().code());
        assertEquals(ErrorCode.DATA_TYPE_ERROR, e.refusal().error());
        String ack = codec.acknowledge(parsed, e.refusal());
        assertTrue(ack.contains("\rMSA|AE|C3"), ack);
        assertTrue(ack.contains("\rERR|"), ack);
        assertTrue(ack.contains("PID^1^7"), "the ERR segment names PID-7: " + ack);
        assertFalse(ack.contains("19901345"), "the value is not repeated");
    }

    @Test
    void aMessageWithoutAPatientIsRefused() {
        String msg = "MSH|^~\\&|A|F|R|R|20240101||ADT^A20|C4|P|2.5\rEVN|A20|20240101\r";
        var e = assertThrows(Hl7v2Refusal.Exception.class, () -> map(msg.getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.UNSUPPORTED_EVENT_CODE, e.refusal().error());
    }

    @Test
    void theAcknowledgementAnswersInTheSendersVersionWithItsControlId() {
        Hl7v2Codec.Parsed parsed = codec.parse(SharedData.read("hl7v2/messages/ADT01-23.hl7"));
        String ack = codec.acknowledge(parsed, null);
        String[] msh = ack.split("\r")[0].split("\\|", -1);
        assertEquals("ACK", msh[8].split("\\^")[0]);
        assertEquals(parsed.version(), msh[11]);
        assertEquals("2.3", parsed.version());
        assertEquals(parsed.sendingApplication(), msh[4].split("\\^")[0], "addressed back to the sender");
        assertTrue(ack.contains("\rMSA|AA|" + parsed.controlId()), ack);
    }

    @Test
    void unreadableInputIsRefusedAndStillAcknowledged() {
        var e = assertThrows(Hl7v2Refusal.Exception.class,
                () -> codec.parse("hello, not HL7".getBytes(StandardCharsets.UTF_8)));
        assertEquals(AcknowledgmentCode.AR, e.refusal().code());
        String ack = codec.acknowledge("hello".getBytes(StandardCharsets.UTF_8), e.refusal());
        assertTrue(ack.startsWith("MSH|^~\\&"), ack);
        assertTrue(ack.contains("\rMSA|AR"), ack);
    }

    @Test
    void limitsAreCheckedBeforeParsing() {
        Hl7v2Codec small = new Hl7v2Codec(100, 3);
        byte[] big = ("MSH|^~\\&|A|F|R|R|20240101||ADT^A01|C5|P|2.5\r" + "PID|1||1\r".repeat(20))
                .getBytes(StandardCharsets.UTF_8);
        var size = assertThrows(Hl7v2Refusal.Exception.class, () -> small.parse(big));
        assertEquals(413, size.refusal().status());
        Hl7v2Codec few = new Hl7v2Codec(1 << 20, 3);
        var segments = assertThrows(Hl7v2Refusal.Exception.class, () -> few.parse(big));
        assertEquals(413, segments.refusal().status());
        assertTrue(segments.refusal().reason().contains("3 segments"));
    }

    @Test
    void dateTimesKeepTheirTimeOnlyWithAnOffset() {
        assertEquals("2024-01-01T11:30:00+01:00", Hl7v2ToFhir.dateTime("202401011130+0100", "PV1", 44)
                .getValueAsString());
        assertEquals("2024-01-01", Hl7v2ToFhir.dateTime("202401011130", "PV1", 44).getValueAsString());
        assertEquals("1988-08-18", Hl7v2ToFhir.date("198808181126+0215", "PID", 7).getValueAsString());
        assertThrows(Hl7v2Refusal.Exception.class, () -> Hl7v2ToFhir.date("1988-08-18", "PID", 7));
        assertNull(Hl7v2ToFhir.system(null, null, null));
        assertEquals("urn:oid:2.16.840.1.113883.19", Hl7v2ToFhir.system("X", "2.16.840.1.113883.19", "ISO"));
        assertInstanceOf(String.class, Hl7v2ToFhir.system("Good Health", null, null));
        assertEquals(Hl7v2ToFhir.AUTHORITY_PREFIX + "Good+Health", Hl7v2ToFhir.system("Good Health", null, null));
    }
}
