package org.recordline.ingestion.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/**
 * {@code POST /fhir/$import}: a bulk export's NDJSON, in the body or named by a manifest, becomes one submission per
 * patient with every line about that patient; lines that cannot be filed are reported with their line number and
 * reason, and the rest goes on.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class ImportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NDJSON = "application/fhir+ndjson";
    private static final Path EXPORT = SharedData.root().resolve("synthea/ndjson/10-patients");

    private static String token(String user) {
        return RecordlineStackResource.tokens().token(user, "ehr-publisher");
    }

    /** What an import of {@code files} must file: lines per patient (the Patient included), and lines not filed. */
    private record Expected(Map<String, Integer> perPatient, int notFiled) {
    }

    private static Expected expected(List<Path> files) throws Exception {
        Map<String, Integer> patients = new HashMap<>();
        Map<String, Integer> about = new HashMap<>();
        int notFiled = 0;
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode r = JSON.readTree(line);
                if ("Patient".equals(r.path("resourceType").asText())) {
                    patients.put(r.path("id").asText(), 1);
                    continue;
                }
                String ref = null;
                for (String e : List.of("subject", "patient", "beneficiary")) {
                    if (ref == null && r.path(e).path("reference").asText("").startsWith("Patient/")) {
                        ref = r.path(e).path("reference").asText().substring("Patient/".length());
                    }
                }
                if (ref == null || !r.has("resourceType")) {
                    notFiled++;
                } else {
                    about.merge(ref, 1, Integer::sum);
                }
            }
        }
        Map<String, Integer> per = new HashMap<>();
        for (String p : patients.keySet()) {
            per.put(p, 1 + about.getOrDefault(p, 0));
        }
        for (String p : about.keySet()) {
            if (!patients.containsKey(p)) {
                notFiled += about.get(p);
            }
        }
        return new Expected(per, notFiled);
    }

    private static List<Path> exportFiles() throws Exception {
        try (Stream<Path> s = Files.list(EXPORT)) {
            return s.filter(p -> p.toString().endsWith(".ndjson")).sorted().toList();
        }
    }

    /** Waits for the import's outcome (200) and returns it. */
    private static ExtractableResponse<Response> outcome(String status, String token) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> given().auth()
                .oauth2(token).when().get(status).then().extract().statusCode() != 202);
        return given().auth().oauth2(token).when().get(status).then().statusCode(200)
                .body("resourceType", equalTo("OperationOutcome")).extract();
    }

    /** Every record the import put on ehr.ingested.v1 for {@code source}: resources per patient. */
    private static Map<String, Integer> filed(String source) throws Exception {
        Map<String, Integer> per = new HashMap<>();
        java.util.Set<String> patients = new java.util.HashSet<>();
        for (ConsumerRecord<String, byte[]> r : new TopicClient(RecordlineStackResource.broker().bootstrapServers())
                .find(Topics.INGESTED, r -> r.key() != null && r.key().startsWith(source + "|"))) {
            JsonNode fhir = EventCodec.mapper().readTree(r.value()).get("fhir");
            assertEquals("Patient", fhir.at("/entry/0/resource/resourceType").asText(), "the Patient comes first");
            // a patient with more than one submission has its Patient in each: counted once
            String patient = r.key().substring(source.length() + 1);
            per.merge(patient, fhir.get("entry").size() - 1, Integer::sum);
            per.putIfAbsent(patient, 0);
            patients.add(patient);
        }
        patients.forEach(p -> per.merge(p, 1, Integer::sum));
        return per;
    }

    @Test
    void aBulkExportInTheBodyIsFiledOneSubmissionPerPatientWithEveryLineAboutThemAndTheRestReportedByLine()
            throws Exception {
        List<Path> files = exportFiles();
        Expected expected = expected(files);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Path f : files) {
            body.write(Files.readAllBytes(f));
        }
        String source = "ehr-import-" + UUID.randomUUID().toString().substring(0, 8);
        String token = token(source);
        var accepted = given().auth().oauth2(token).contentType(NDJSON).body(body.toByteArray()).when()
                .post("/fhir/$import").then().statusCode(202).header("Recordline-Replay", "false").extract();
        String status = accepted.header("Content-Location");
        assertTrue(status.contains("/fhir/_async/"), status);

        var done = outcome(status, token);
        String summary = done.path("issue[0].diagnostics");
        assertTrue(summary.contains(expected.perPatient().size() + " patient(s)"), summary);
        assertTrue(summary.contains(expected.notFiled() + " not taken"), summary);
        List<String> errors = done.path("issue.findAll { it.severity == 'error' }.diagnostics");
        assertEquals(expected.notFiled(), errors.size());
        // each names its line and why, never its content
        assertTrue(errors.stream().allMatch(e -> e.matches("body line \\d+: .+")), errors.get(0));
        assertTrue(errors.stream().anyMatch(e -> e.contains("Organization names no patient")), errors.toString());
        assertEquals(expected.perPatient(), filed(source));

        // the same body again is the same import: nothing new
        var again = given().auth().oauth2(token).contentType(NDJSON).body(body.toByteArray()).when()
                .post("/fhir/$import").then().statusCode(202).header("Recordline-Replay", "true").extract();
        assertEquals(status, again.header("Content-Location"));
        assertEquals(expected.perPatient(), filed(source));
        // another publisher cannot see it
        given().auth().oauth2(token("ehr-someone-else")).when().get(status).then().statusCode(404);
    }

    @Test
    void aManifestNamesFilesUnderTheImportDirectoryAndNothingElse() throws Exception {
        List<Path> files = List.of(EXPORT.resolve("Patient.000.ndjson"), EXPORT.resolve("AllergyIntolerance.000.ndjson"),
                EXPORT.resolve("Device.000.ndjson"));
        Expected expected = expected(files);
        String source = "ehr-import-" + UUID.randomUUID().toString().substring(0, 8);
        String token = token(source);
        String manifest = "{\"output\":[" + String.join(",", files.stream().map(f -> "{\"type\":\""
                + f.getFileName().toString().replace(".000.ndjson", "") + "\",\"url\":\"10-patients/"
                + f.getFileName() + "\"}").toList()) + "]}";
        String status = given().auth().oauth2(token).contentType("application/fhir+json").body(manifest).when()
                .post("/fhir/$import").then().statusCode(202).extract().header("Content-Location");
        var done = outcome(status, token);
        List<String> errors = done.path("issue.findAll { it.severity == 'error' }.diagnostics");
        assertEquals(expected.notFiled(), errors.size());
        assertEquals(expected.perPatient(), filed(source));

        given().auth().oauth2(token).contentType("application/fhir+json")
                .body("{\"output\":[{\"type\":\"Patient\",\"url\":\"file:///etc/passwd\"}]}").when()
                .post("/fhir/$import").then().statusCode(400).body("resourceType", equalTo("OperationOutcome"))
                .body("issue[0].diagnostics", containsString("not a file inside the import directory"));
        given().auth().oauth2(token).contentType("application/fhir+json")
                .body("{\"output\":[{\"type\":\"Patient\",\"url\":\"http://169.254.169.254/latest\"}]}").when()
                .post("/fhir/$import").then().statusCode(400)
                .body("issue[0].diagnostics", containsString("only files under the import directory"));
        // a records technician cannot import; a publisher needs a token
        given().auth().oauth2(RecordlineStackResource.tokens().token("terry", "records-technician"))
                .contentType(NDJSON).body(new byte[] {'{', '}'}).when().post("/fhir/$import").then().statusCode(403);
        given().contentType(NDJSON).body(new byte[] {'{', '}'}).when().post("/fhir/$import").then().statusCode(401);
    }

    /** NDJSON to $import is streamed, so it may exceed the limit every other body keeps (20 MB, 413 unread). */
    @Test
    void anNdjsonBodyLargerThanAnyOtherBodyMayBeIsStreamed() throws Exception {
        String source = "ehr-import-" + UUID.randomUUID().toString().substring(0, 8);
        String token = token(source);
        byte[] padding = new byte[24 * 1024 * 1024];
        java.util.Arrays.fill(padding, (byte) '\n');
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write("{\"resourceType\":\"Patient\",\"id\":\"big-1\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        body.write(padding);
        body.write(("{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                + "\"subject\":{\"reference\":\"Patient/big-1\"}}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] bytes = body.toByteArray();
        // sent with the JDK's client: REST Assured's logging would print a body this large
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> post = (path, type) -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                                + io.restassured.RestAssured.port + path)).header("Authorization", "Bearer " + token)
                        .header("Content-Type", type).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        var accepted = post.apply("/fhir/$import", NDJSON);
        assertEquals(202, accepted.statusCode(), accepted.body());
        String status = accepted.headers().firstValue("Content-Location").orElseThrow();
        var done = outcome(status, token);
        assertTrue(done.path("issue[0].diagnostics").toString().contains("2 line(s) read"),
                done.path("issue[0].diagnostics").toString());
        assertEquals(Map.of("big-1", 2), filed(source));
        // the same size elsewhere is refused before it is read
        var refused = post.apply("/fhir", "application/fhir+json");
        assertEquals(413, refused.statusCode());
        assertTrue(refused.body().contains("too-costly"), refused.body());
    }

    @Test
    void badLinesAreReportedWithTheirNumberAndTheGoodOnesFiled() throws Exception {
        String source = "ehr-import-" + UUID.randomUUID().toString().substring(0, 8);
        String token = token(source);
        String body = "{\"resourceType\":\"Patient\",\"id\":\"imp-1\",\"gender\":\"female\"}\n"
                + "not json\n"
                + "\n"
                + "{\"resourceType\":\"Observation\",\"id\":\"o1\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                + "\"subject\":{\"reference\":\"Patient/imp-1\"}}\n"
                + "{\"resourceType\":\"Observation\",\"id\":\"o2\",\"status\":\"bogus\",\"code\":{\"text\":\"x\"},"
                + "\"subject\":{\"reference\":\"Patient/imp-1\"}}\n"
                + "{\"resourceType\":\"Observation\",\"id\":\"o3\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                + "\"subject\":{\"reference\":\"Patient/absent\"}}\n"
                + "{\"resourceType\":\"Bundle\",\"id\":\"b\",\"type\":\"collection\"}\n"
                + "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}\n";
        String status = given().auth().oauth2(token).contentType(NDJSON)
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)).when().post("/fhir/$import")
                .then().statusCode(202).extract().header("Content-Location");
        var done = outcome(status, token);
        List<String> errors = done.path("issue.findAll { it.severity == 'error' }.diagnostics");
        assertEquals(5, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("body line 2: "), errors.get(0));
        assertTrue(errors.get(1).startsWith("body line 5: "), errors.get(1));
        assertTrue(errors.get(2).startsWith("body line 7: ") && errors.get(2).contains("not a Bundle"), errors.get(2));
        assertTrue(errors.get(3).startsWith("body line 8: ") && errors.get(3).contains("has no id"), errors.get(3));
        assertTrue(errors.get(4).startsWith("body line 6: ") && errors.get(4).contains("not in this import"),
                errors.get(4));
        assertEquals(Map.of("imp-1", 2), filed(source));
    }
}
