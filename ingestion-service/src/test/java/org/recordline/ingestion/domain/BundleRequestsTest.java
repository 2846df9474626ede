package org.recordline.ingestion.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.SharedData;

/** Pure logic: ids and references of transaction and batch Bundles. */
class BundleRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Known answers computed outside Java (Python: MD5 of the name, version 3 and IETF variant bits set). */
    @Test
    void identifierIdsAreNameBasedUuidsOfTypeSystemAndValue() {
        assertEquals("3ce940fd-7d7c-344d-bbec-38d716a0be00", BundleRequests.identifierId("Organization",
                "https://github.com/synthetichealth/synthea", "ef58ea08-d883-3957-8300-150554edc8fb"));
        assertEquals("37c5bf4b-c892-38ae-81ec-5093ec738144", BundleRequests.identifierId("Practitioner", "", "12345"));
    }

    /**
     * Every Synthea patient bundle resolves to plain {@code Type/id} references, each naming an entry of the bundle or a
     * resource of the hospital and practitioner bundles (conditional references resolve to their conditional creates).
     */
    @Test
    void syntheaReferencesResolveToEntriesOrToTheHospitalsConditionalCreates() throws Exception {
        Set<String> shared = new HashSet<>();
        try (Stream<Path> files = Files.list(SharedData.root().resolve("synthea/bundles"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("(hospital|practitioner)Information.*\\.json"))
                    .toList()) {
                BundleRequests.Resolution r = BundleRequests.resolve(Files.readString(p));
                assertTrue(r.accepted() > 0);
                for (BundleRequests.EntryOutcome e : r.entries()) {
                    assertEquals(201, e.status(), e.diagnostics());
                    shared.add(e.location());
                }
            }
        }
        assertTrue(shared.stream().anyMatch(k -> k.startsWith("Organization/")), "the hospital bundle was read");
        List<Path> bundles = SharedData.syntheaPatientBundles();
        assertTrue(bundles.size() >= 3);
        for (Path p : bundles) {
            String original = Files.readString(p);
            BundleRequests.Resolution r = BundleRequests.resolve(original);
            JsonNode root = JSON.readTree(r.json());
            int entries = root.path("entry").size();
            assertEquals(JSON.readTree(original).path("entry").size(), entries);
            assertEquals(entries, r.accepted());
            Set<String> own = new HashSet<>();
            for (JsonNode e : root.path("entry")) {
                own.add(e.at("/resource/resourceType").asText() + "/" + e.at("/resource/id").asText());
            }
            assertEquals(entries, own.size(), "every entry has its own id");
            Set<String> sharedTypes = new HashSet<>();
            shared.forEach(k -> sharedTypes.add(k.substring(0, k.indexOf('/'))));
            List<String> before = references(JSON.readTree(original));
            List<String> after = references(root);
            assertEquals(before.size(), after.size());
            int checked = 0;
            for (int i = 0; i < after.size(); i++) {
                String was = before.get(i);
                String ref = after.get(i);
                if (ref.startsWith("#")) {
                    assertEquals(was, ref);
                    continue;
                }
                assertTrue(ref.matches("[A-Z][A-Za-z]+/[A-Za-z0-9\\-.]{1,64}"), p.getFileName() + ": " + ref);
                String type = ref.substring(0, ref.indexOf('/'));
                if (was.startsWith("urn:uuid:")) {
                    assertTrue(own.contains(ref), p.getFileName() + ": unresolved " + was);
                } else {
                    // Type?identifier=system|value: the conditional create's id, in the hospital bundle when it is there
                    String token = was.substring(was.indexOf("?identifier=") + "?identifier=".length());
                    assertEquals(type + "/" + BundleRequests.identifierId(type,
                            token.substring(0, token.indexOf('|')), token.substring(token.indexOf('|') + 1)), ref);
                    if (sharedTypes.contains(type)) {
                        assertTrue(shared.contains(ref), p.getFileName() + ": not in the hospital bundle " + was);
                    }
                }
                checked++;
            }
            assertTrue(checked > entries, "references were checked");
            // the Patient keeps the id Synthea gave it
            String patientId = JSON.readTree(original).at("/entry/0/resource/id").asText();
            assertEquals(patientId, r.patientLocalId());
            // resolving is stable: the same bundle resolves to the same document
            assertEquals(r.json(), BundleRequests.resolve(original).json());
        }
    }

    /**
     * The streaming splice and the JSON tree are two ways to the same result: compared on every shared Synthea bundle
     * and on bundles that need ids set, replaced and inserted, and references of every kind rewritten.
     */
    @Test
    void theSplicedDocumentIsTheTreesDocument() throws Exception {
        List<String> docs = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(SharedData.root().resolve("synthea/bundles"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                docs.add(Files.readString(p));
            }
        }
        docs.add("""
                {"resourceType":"Bundle","type":"transaction","entry":[
                 {"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":{"resourceType":"Patient",
                  "id":"other","managingOrganization":{"reference":"Organization?identifier=urn:x%7C7"}},
                  "request":{"method":"POST","url":"Patient"}},
                 {"resource":{"resourceType":"Organization"},
                  "request":{"method":"POST","url":"Organization","ifNoneExist":"identifier=urn:x|7"}},
                 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"a \\"quoted\\" é"},
                  "subject":{"reference":"urn:uuid:11111111-1111-1111-1111-111111111111","display":"x"},
                  "performer":[{"reference":"Organization?identifier=urn:x|7"},{"reference":"#c"}],
                  "contained":[{"resourceType":"Practitioner","id":"c"}]},
                  "request":{"method":"PUT","url":"Observation/o-1"}},
                 {"fullUrl":"http://example.org/fhir/Encounter/e1","resource":{"resourceType":"Encounter",
                  "status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/kept"}},
                  "request":{"method":"POST","url":"Encounter"}},
                 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"b"},
                  "encounter":{"reference":"http://example.org/fhir/Encounter/e1"}},
                  "request":{"method":"POST","url":"Observation"}}]}""");
        for (String doc : docs) {
            BundleRequests.Resolution spliced = BundleRequests.resolve(doc);
            BundleRequests.Resolution tree = BundleRequests.resolveTree(doc);
            assertEquals(JSON.readTree(tree.json()), JSON.readTree(spliced.json()));
            assertEquals(tree.entries(), spliced.entries());
            assertEquals(tree.patientLocalId(), spliced.patientLocalId());
            assertEquals(tree.accepted(), spliced.accepted());
        }
        // and what the last one became
        JsonNode last = JSON.readTree(BundleRequests.resolve(docs.get(docs.size() - 1)).json());
        assertEquals("11111111-1111-1111-1111-111111111111", last.at("/entry/0/resource/id").asText());
        assertEquals("Patient/11111111-1111-1111-1111-111111111111",
                last.at("/entry/2/resource/subject/reference").asText());
        assertEquals("#c", last.at("/entry/2/resource/performer/1/reference").asText());
        assertEquals("o-1", last.at("/entry/2/resource/id").asText());
        assertEquals("a \"quoted\" é", last.at("/entry/2/resource/code/text").asText());
        assertEquals("Patient/kept", last.at("/entry/3/resource/subject/reference").asText());
        assertEquals("Encounter/" + last.at("/entry/3/resource/id").asText(),
                last.at("/entry/4/resource/encounter/reference").asText());
    }

    @Test
    void aTransactionWithAnUnresolvableReferenceIsRefusedAsAWholeNamingTheEntry() {
        String bundle = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                 {"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":{"resourceType":"Patient"},
                  "request":{"method":"POST","url":"Patient"}},
                 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
                  "subject":{"reference":"urn:uuid:22222222-2222-2222-2222-222222222222"}},
                  "request":{"method":"POST","url":"Observation"}}]}""";
        RejectedSubmissionException e = assertThrows(RejectedSubmissionException.class,
                () -> BundleRequests.resolve(bundle));
        assertEquals(400, e.status());
        assertEquals("Bundle.entry[1]", e.expression());
        assertTrue(e.diagnostics().contains("urn:uuid reference matching no entry"), e.diagnostics());
        assertTrue(e.diagnostics().contains("resource.subject.reference"), e.diagnostics());
    }

    @Test
    void aBatchKeepsItsGoodEntriesAndReportsEachBadOne() throws Exception {
        String bundle = """
                {"resourceType":"Bundle","type":"batch","entry":[
                 {"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":{"resourceType":"Patient"},
                  "request":{"method":"POST","url":"Patient"}},
                 {"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"DELETE","url":"Patient/a"}},
                 {"resource":{"resourceType":"Patient","id":"b"},"request":{"method":"PUT","url":"Patient/c"}},
                 {"resource":{"resourceType":"Organization"},
                  "request":{"method":"POST","url":"Organization","ifNoneExist":"name=General"}},
                 {"resource":{"resourceType":"Organization"},
                  "request":{"method":"PUT","url":"Organization?identifier=urn:oid:1.2.3%7C42"}}]}""";
        BundleRequests.Resolution r = BundleRequests.resolve(bundle);
        assertEquals(2, r.accepted());
        List<BundleRequests.EntryOutcome> o = r.entries();
        assertEquals(5, o.size());
        assertEquals(new BundleRequests.EntryOutcome(201, "Patient/11111111-1111-1111-1111-111111111111", null),
                o.get(0));
        assertEquals(400, o.get(1).status());
        assertTrue(o.get(1).diagnostics().startsWith("Bundle.entry[1] has method DELETE"), o.get(1).diagnostics());
        assertTrue(o.get(2).diagnostics().contains("differs from the id in request.url"));
        assertTrue(o.get(3).diagnostics().contains("other than identifier=system|value"));
        assertEquals("Organization/" + BundleRequests.identifierId("Organization", "urn:oid:1.2.3", "42"),
                o.get(4).location());
        JsonNode root = JSON.readTree(r.json());
        assertEquals(2, root.path("entry").size(), "the refused entries do not pass on");
        assertEquals("11111111-1111-1111-1111-111111111111", r.patientLocalId());
        // the outcomes survive their storage
        assertEquals(o, BundleRequests.decode(BundleRequests.encode("batch", o)));
        assertEquals("batch", BundleRequests.bundleType(BundleRequests.encode("batch", o)));
        assertEquals("batch", r.type());
    }

    @Test
    void aBatchWithNothingGoodIsRefused() {
        String bundle = """
                {"resourceType":"Bundle","type":"batch","entry":[
                 {"resource":{"resourceType":"Patient"},"request":{"method":"GET","url":"Patient/1"}}]}""";
        assertEquals(400, assertThrows(RejectedSubmissionException.class, () -> BundleRequests.resolve(bundle))
                .status());
    }

    @Test
    void transactionRulesSameResourceTwiceWrongTypeAndMissingRequest() {
        String twice = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                 {"resource":{"resourceType":"Patient","id":"p"},"request":{"method":"PUT","url":"Patient/p"}},
                 {"resource":{"resourceType":"Patient"},"request":{"method":"PUT","url":"Patient/p"}}]}""";
        assertTrue(assertThrows(RejectedSubmissionException.class, () -> BundleRequests.resolve(twice))
                .diagnostics().contains("same resource as entry 0"));
        String wrongType = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                 {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Observation"}}]}""";
        assertTrue(assertThrows(RejectedSubmissionException.class, () -> BundleRequests.resolve(wrongType))
                .diagnostics().contains("posts a Patient to Observation"));
        String noRequest = """
                {"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}""";
        assertTrue(assertThrows(RejectedSubmissionException.class, () -> BundleRequests.resolve(noRequest))
                .diagnostics().contains("has no request"));
        String otherCriteria = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                 {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
                  "subject":{"reference":"Patient?name=smith"}},"request":{"method":"POST","url":"Observation"}}]}""";
        assertTrue(assertThrows(RejectedSubmissionException.class, () -> BundleRequests.resolve(otherCriteria))
                .diagnostics().contains("other than identifier=system|value"));
    }

    @Test
    void aPostWithoutFullUrlOrIdGetsAnIdStableForTheSameContentAndDistinctByPosition() throws Exception {
        String bundle = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                 {"resource":{"resourceType":"Patient","gender":"female"},"request":{"method":"POST","url":"Patient"}},
                 {"resource":{"resourceType":"Patient","gender":"female"},"request":{"method":"POST","url":"Patient"}}]}""";
        BundleRequests.Resolution a = BundleRequests.resolve(bundle);
        BundleRequests.Resolution b = BundleRequests.resolve(bundle);
        assertEquals(a.entries(), b.entries());
        assertNotEquals(a.entries().get(0).location(), a.entries().get(1).location());
        BundleRequests.Resolution other = BundleRequests.resolve(bundle.replace("\"female\"}", "\"male\"}"));
        assertNotEquals(a.entries().get(0).location(), other.entries().get(0).location());
        assertNull(a.entries().get(0).diagnostics());
        // conditional references resolve whether or not the resource is in the bundle, to the conditional create's id
        String refs = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                 {"resource":{"resourceType":"Organization"},
                  "request":{"method":"POST","url":"Organization","ifNoneExist":"identifier=urn:x|7"}},
                 {"resource":{"resourceType":"Patient","managingOrganization":{"reference":"Organization?identifier=urn:x|7"},
                  "generalPractitioner":[{"reference":"Practitioner?identifier=urn:npi|9"}]},
                  "request":{"method":"POST","url":"Patient"}}]}""";
        JsonNode root = JSON.readTree(BundleRequests.resolve(refs).json());
        String org = "Organization/" + BundleRequests.identifierId("Organization", "urn:x", "7");
        assertEquals(org, "Organization/" + root.at("/entry/0/resource/id").asText());
        assertEquals(org, root.at("/entry/1/resource/managingOrganization/reference").asText());
        assertEquals("Practitioner/" + BundleRequests.identifierId("Practitioner", "urn:npi", "9"),
                root.at("/entry/1/resource/generalPractitioner/0/reference").asText());
    }

    private static List<String> references(JsonNode node) {
        List<String> out = new java.util.ArrayList<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getKey().equals("reference") && f.getValue().isTextual()) {
                    out.add(f.getValue().asText());
                } else {
                    collect(f.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        }
    }
}
