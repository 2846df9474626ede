package org.recordline.local;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.testsupport.TopicClient;

/**
 * The records console in a real browser (Debian's Chromium, driven through chromedriver) over the running stack:
 * a technician signs in and works a quarantined record until it is indexed, accepts a possible duplicate, and an
 * auditor then finds the technician's reads in the accounting of disclosures; people without the role see neither
 * the pages nor the data. Screenshots of every page go to {@code target/console-screenshots} (the README's come from
 * there).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SystemStack.Shared.class)
class ConsoleBrowserIT {

    private static final String FHIR = "application/fhir+json";
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    private static SystemStack shared;
    private static ChromeDriver browser;
    private static Path profile;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    /** Every address the browser was at: none may carry more than ids. */
    private static final List<String> visited = new ArrayList<>();

    // what the earlier tests leave for the later ones
    private static String quarantinedSubmission;
    private static String candidatePerson;
    private static String westPerson;

    /** On a failure, the page as the browser had it: a screenshot and its HTML, beside the screenshots. */
    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.TestWatcher EVIDENCE = new org.junit.jupiter.api.extension.TestWatcher() {
        @Override
        public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
            if (browser == null) {
                return;
            }
            try {
                String name = "failed-" + context.getRequiredTestMethod().getName();
                shot(name);
                Files.writeString(SHOTS.resolve(name + ".html"), browser.getCurrentUrl() + "\n"
                        + browser.getPageSource());
            } catch (IOException | RuntimeException e) {
                // the failure itself is what matters
            }
        }
    };

    @BeforeAll
    static void openBrowser(SystemStack stack) throws IOException {
        shared = stack;
        profile = Files.createTempDirectory("recordline-chromium-");
        Files.createDirectories(SHOTS);
        browser = Chromium.start(profile);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            LocalStack.deleteState(profile);
        }
    }

    private static String console() {
        String url = shared.stack.consoleUrl();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static int port(String service) {
        return shared.settings.services().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow()
                .port();
    }

    private static RequestSpecification as(String service, String user, String role) {
        return given().baseUri("http://127.0.0.1").port(port(service))
                .auth().oauth2(shared.stack.tokens().token(user, role));
    }

    private static String submit(String publisher, String fhir) {
        return as("ingestion-service", publisher, "ehr-publisher").contentType(FHIR).body(fhir)
                .when().post("/fhir").then().statusCode(202).extract().path("submissionId");
    }

    private static String status(String publisher, String submission) {
        return as("ingestion-service", publisher, "ehr-publisher").when().get("/submissions/" + submission)
                .then().statusCode(200).extract().path("status");
    }

    /** Waits up to 30 s; an element replaced while it is looked at (htmx swaps the page) is looked for again. */
    private static org.openqa.selenium.support.ui.FluentWait<org.openqa.selenium.WebDriver> waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(30))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    }

    /** Opens a console page (signing in first when the console sends the browser to the sign-in page). */
    private static void open(String path) {
        browser.get(console() + path);
        waiting().until(d -> !d.findElements(By.id("page-title")).isEmpty()
                || !d.findElements(By.id("username")).isEmpty());
        visited.add(browser.getCurrentUrl());
        assertAccessible();
        // on a page just loaded, the Tab key's first stop is the skip link
        browser.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.TAB);
        assertEquals("Skip to content", browser.switchTo().activeElement().getText(),
                "the first Tab stop on " + browser.getCurrentUrl());
    }

    /**
     * What a page must have for people who use the keyboard or a screen reader: a language, one top heading, a
     * label for every field, text on every button, a caption on every data table, and the skip link first of all
     * that takes focus.
     */
    @SuppressWarnings("unchecked")
    private static void assertAccessible() {
        List<String> problems = (List<String>) browser.executeScript(
                "var p = [];"
                + "if (!document.documentElement.lang) { p.push('no lang'); }"
                + "if (document.querySelectorAll('h1').length !== 1) { p.push('h1 count '"
                + "  + document.querySelectorAll('h1').length); }"
                + "document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(function (e) {"
                + "  var l = (e.id && document.querySelector('label[for=\"' + e.id + '\"]')) || e.closest('label')"
                + "    || e.getAttribute('aria-label');"
                + "  if (!l) { p.push('unlabelled field ' + (e.name || e.id)); } });"
                + "document.querySelectorAll('button').forEach(function (b) {"
                + "  if (!b.textContent.trim() && !b.getAttribute('aria-label')) { p.push('button without text'); } });"
                + "document.querySelectorAll('main table').forEach(function (t) {"
                + "  if (!t.closest('.uplot') && !t.querySelector('caption')) { p.push('table without caption ' + t.id); } });"
                + "var f = document.querySelector('a[href], button, input:not([type=hidden]), select, textarea,"
                + " [tabindex]:not([tabindex=\"-1\"])');"
                + "if (!f || !f.classList.contains('skip')) { p.push('the skip link is not first'); }"
                + "return p;");
        assertEquals(List.of(), problems, browser.getCurrentUrl());
    }

    /** Signs out whoever was signed in, then signs {@code user} in on the local sign-in page, landing on {@code path}. */
    private static void signIn(String user, String path) {
        browser.get(console() + "/signed-out");
        browser.manage().deleteAllCookies();
        browser.get(console() + path);
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
        assertTrue(browser.getCurrentUrl().startsWith(shared.stack.loginUrl()),
                "the console sends a signed-out browser to the sign-in page, not " + browser.getCurrentUrl());
        browser.findElement(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(shared.stack.accounts().password(user));
        browser.findElement(By.id("sign-in")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("page-title")));
        assertTrue(browser.getCurrentUrl().startsWith(console() + path),
                "signed in, the browser is back where it was going: " + browser.getCurrentUrl());
        visited.add(browser.getCurrentUrl());
    }

    private static String title() {
        return browser.findElement(By.id("page-title")).getText();
    }

    private static void shot(String name) throws IOException {
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** The text of an element, whether or not it is scrolled into view. */
    private static String text(String id) {
        return browser.findElement(By.id(id)).getDomProperty("textContent");
    }

    private static void click(String id) {
        browser.findElement(By.id(id)).click();
    }

    private static void type(String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
    }

    @Test
    @Order(1)
    void aTechnicianClaimsCorrectsAndResubmitsAQuarantinedRecordUntilItIsIndexed() throws Exception {
        String publisher = "ehr-console-" + RUN;
        String incomplete = "{\"resourceType\":\"Patient\",\"id\":\"q-" + RUN + "\",\"name\":[{\"family\":"
                + "\"Nobirthdate\"}],\"gender\":\"male\"}";
        String id = submit(publisher, incomplete);
        quarantinedSubmission = id;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals("QUARANTINED", status(publisher, id)));

        signIn("technician", "/quarantine");
        assertEquals("Quarantine", title());
        waiting().until(d -> !d.findElements(By.cssSelector("tr[data-submission='" + id + "']")).isEmpty());
        shot("quarantine");
        browser.findElement(By.cssSelector("tr[data-submission='" + id + "'] a")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("entry-status")));
        visited.add(browser.getCurrentUrl());
        assertAccessible();
        assertEquals("OPEN", browser.findElement(By.id("entry-status")).getText());
        String findings = text("findings");
        assertTrue(findings.contains("patient-identifier") && findings.contains("patient-birthdate"), findings);
        // the editor marks where the findings are: both missing elements of the Patient, so its first line
        List<WebElement> marked = browser.findElements(By.cssSelector(".gutter span.marked"));
        assertFalse(marked.isEmpty(), "the failing rules' location is marked");
        assertEquals("1", marked.get(0).getText());
        assertEquals("true", browser.findElement(By.id("record-editor")).getDomAttribute("readonly"),
                "a record nobody claimed cannot be edited");

        click("claim");
        waiting().until(d -> d.findElement(By.id("claimed-by")).getText().startsWith("technician"));
        assertTrue(browser.findElement(By.id("notice")).getText().contains("claim"));

        String corrected = "{\"resourceType\":\"Patient\",\"id\":\"q-" + RUN + "\",\"identifier\":[{\"system\":"
                + "\"urn:oid:2.16.840.1.113883.19.5.99999.1\",\"value\":\"MRN-" + RUN + "\"}],\"name\":[{\"family\":"
                + "\"Nobirthdate\",\"given\":[\"Sam\"]}],\"gender\":\"male\",\"birthDate\":\"1971-02-03\"}";
        shot("quarantine-entry");
        type("record-editor", corrected);
        click("resubmit");
        waiting().until(d -> !d.findElements(By.id("notice")).isEmpty()
                && d.findElement(By.id("notice")).getText().contains("passed review"));

        // its path, step by step, until the index has filed it
        open("/pipeline/submission?id=" + id);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            browser.navigate().refresh();
            waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("submission-status")));
            return "INDEXED".equals(browser.findElement(By.id("submission-status")).getText());
        });
        String steps = text("steps");
        assertTrue(steps.contains("QUARANTINED") && steps.contains("INDEXED"), steps);
        shot("submission");
        assertEquals("INDEXED", status(publisher, id), "the API agrees");

        // quality by source: this publisher's one record, quarantined and then corrected
        open("/quarantine/quality");
        String quality = text("quality-table");
        assertTrue(quality.contains(publisher), quality);
        waiting().until(d -> !d.findElements(By.cssSelector("#quality-chart .u-over")).isEmpty());
        shot("quality");
    }

    @Test
    @Order(2)
    void aTechnicianAcceptsAPossibleDuplicateAndTheTwoPersonsAreOne() throws Exception {
        String east = "ehr-east-" + RUN;
        String west = "ehr-west-" + RUN;
        String first = submit(east, patient("e-" + RUN, "Jonathan", "Pemberton", "1960-01-01", "1 Rose Street",
                "Springfield", "4000", "urn:oid:1.2.3.4.1", "E-" + RUN));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals("INDEXED", status(east, first)));
        // same name, same sex, born the same year, living elsewhere: neither clearly the same man nor clearly not
        String second = submit(west, patient("w-" + RUN, "Jonathan", "Pemberton", "1960-07-23", "99 Oak Avenue",
                "Shelbyville", "7350", "urn:oid:1.2.3.4.2", "W-" + RUN));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals("INDEXED", status(west, second)));
        String westKey = west + "|w-" + RUN;
        List<Map<String, Object>> open = as("index-service", "api-check", "records-technician")
                .when().get("/possible-matches?size=200").then().statusCode(200).extract().jsonPath().getList("$");
        Map<String, Object> item = open.stream().filter(m -> westKey.equals(m.get("sourceRecordKey"))).findFirst()
                .orElseThrow(() -> new AssertionError("no possible match for " + westKey + " in " + open));
        long matchId = ((Number) item.get("id")).longValue();
        westPerson = (String) item.get("personId");
        candidatePerson = (String) item.get("candidatePersonId");
        assertNotEquals(westPerson, candidatePerson);

        signIn("technician", "/duplicates");
        browser.findElement(By.cssSelector("tr[data-match='" + matchId + "'] a")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("comparison")));
        visited.add(browser.getCurrentUrl());
        assertAccessible();
        String comparison = text("comparison");
        // the demographics as the index compared them (normalised): both birth dates, side by side
        assertTrue(comparison.contains("jonathan") && comparison.contains("19600723")
                && comparison.contains("19600101"), "both records side by side: " + comparison);
        assertTrue(comparison.contains("birth-date") && comparison.contains("same-year")
                && comparison.contains("given") && comparison.contains("exact"), comparison);
        shot("duplicate");
        type("accept-reason", "same man: confirmed with both clinics");
        click("accept");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("person-id")));
        visited.add(browser.getCurrentUrl());
        assertAccessible();
        assertEquals(candidatePerson, browser.findElement(By.id("person-id")).getText());
        assertTrue(text("source-records").contains(westKey),
                "the west record is filed under the candidate now");
        assertTrue(text("golden").contains("Jonathan"));
        assertTrue(text("chart-records").contains(westKey) && text("chart-records").contains("Patient"),
                "the chart lists every source's resources: " + text("chart-records"));
        assertTrue(text("person-history").contains("technician"), "the link is in the person's history, by whom: "
                + text("person-history"));
        shot("chart");

        // the record change says so: the west record moved from its own person to the candidate
        TopicClient topics = new TopicClient(shared.stack.broker().bootstrapServers());
        await().atMost(Duration.ofSeconds(30)).until(() -> !linked(topics, westKey).isEmpty());
        JsonNode change = linked(topics, westKey).get(0);
        assertEquals(candidatePerson, change.get("enterprisePersonId").asText());
        assertEquals(westPerson, change.get("previousEnterprisePersonId").asText());
        // and the person the record came from is no more than a pointer to the candidate
        assertEquals(candidatePerson, as("index-service", "api-check", "records-technician")
                .when().get("/persons/" + westPerson).then().statusCode(200).extract().path("mergedInto"));
    }

    private static List<JsonNode> linked(TopicClient topics, String sourceRecordKey) {
        List<JsonNode> out = new ArrayList<>();
        for (var r : topics.readAll(Topics.RECORD_CHANGES)) {
            try {
                JsonNode e = EventCodec.mapper().readTree(r.value());
                if (sourceRecordKey.equals(e.path("sourceRecordKey").asText())
                        && "LINKED".equals(e.path("changeType").asText())) {
                    out.add(e);
                }
            } catch (IOException notAnEvent) {
                // other records on the topic
            }
        }
        return out;
    }

    @Test
    @Order(3)
    void anAuditorSeesTheTechniciansReadsInTheAccountingOfDisclosures() throws Exception {
        signIn("auditor", "/audit");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("verify-status")));
        assertTrue(browser.findElement(By.id("verify-status")).getText().startsWith("Verified"),
                browser.findElement(By.id("verify-status")).getText());
        shot("audit");
        // the chart the technician opened after accepting is a disclosure of the candidate's records
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            open("/audit/disclosures?patient=" + candidatePerson);
            return browser.findElements(By.cssSelector("#disclosures td.recipient")).stream()
                    .anyMatch(td -> td.getDomProperty("textContent").strip().startsWith("technician"));
        });
        browser.executeScript("var c = document.querySelectorAll('#disclosures td.recipient');"
                + "for (var i = 0; i < c.length; i++) { if (c[i].textContent.trim().indexOf('technician') === 0) {"
                + " c[i].scrollIntoView({block: 'center'}); break; } }");
        shot("disclosures");
        // and the technician's reads of the quarantined record, by submission, are in the access log
        open("/audit/access?actor=technician");
        List<WebElement> rows = browser.findElements(By.cssSelector("#access-log tbody tr"));
        assertTrue(rows.size() > 1 && rows.get(0).getDomProperty("textContent").contains("technician"),
                text("access-log"));
        List<String> reads = as("audit-service", "api-check", "auditor").queryParam("submission",
                quarantinedSubmission).queryParam("actor", "technician").queryParam("action", "record.read")
                .when().get("/audit/events").then().statusCode(200).extract().jsonPath().getList("actor");
        assertFalse(reads.isEmpty(), "the console's view of the quarantined record is an audited read");
    }

    @Test
    @Order(4)
    void aPersonWithoutTheRoleSeesNeitherThePageNorTheData() throws Exception {
        signIn("visitor", "/");
        for (String path : List.of("/", "/quarantine", "/quarantine/" + quarantinedSubmission, "/duplicates",
                "/persons/" + candidatePerson, "/audit", "/audit/disclosures?patient=" + candidatePerson)) {
            open(path);
            assertEquals("Not for your role", title(), path);
            String html = browser.getPageSource();
            assertFalse(html.contains("Pemberton") || html.contains("Nobirthdate") || html.contains("technician"),
                    "no patient data and no one's reads on " + path);
            assertTrue(browser.findElements(By.cssSelector("nav a")).isEmpty(), "no section is offered: " + path);
        }
        shot("forbidden");
        // each role sees only its own pages
        signIn("technician", "/quarantine");
        open("/audit/disclosures?patient=" + candidatePerson);
        assertEquals("Not for your role", title());
        assertTrue(browser.findElements(By.id("disclosures")).isEmpty());
        signIn("auditor", "/audit");
        open("/persons/" + candidatePerson);
        assertEquals("Not for your role", title());
        assertFalse(browser.getPageSource().contains("Pemberton"));
    }

    @Test
    @Order(5)
    void thePipelinePageChartsTheServicesFiguresAndNothingIsKeptInTheBrowser() throws Exception {
        signIn("admin", "/");
        assertEquals("Pipeline", title());
        // the chart fills from two readings of the metrics, 5 s apart
        waiting().until(d ->
                !d.findElements(By.cssSelector("#throughput-chart .u-over")).isEmpty()
                        && !d.findElements(By.cssSelector("#backlog-chart .u-over")).isEmpty()
                        && d.findElements(By.cssSelector("#throughput-table tbody tr")).size() > 2);
        String table = browser.findElement(By.id("throughput-table")).getDomProperty("textContent");
        // the stages the earlier tests' records went through, with the audit log's appends
        assertTrue(table.contains("ingested: quarantined") && table.contains("ingested: validated")
                && table.contains("audit: appended"), table);
        shot("pipeline");
        // the quarantine card is the queue's size (the validation-service's gauge, refreshed every 5 s by htmx)
        int open = as("validation-service", "api-check", "records-technician").when().get("/quarantine?size=500")
                .then().statusCode(200).extract().jsonPath().getList("$").size();
        waiting().until(d ->
                String.valueOf(open).equals(d.findElement(By.id("quarantine-open")).getText()));
        // the lag cards read the Kafka consumers' own lag metric, which every consuming service exposes
        for (String service : List.of("validation-service", "index-service", "audit-service")) {
            int management = shared.settings.services().stream().filter(x -> x.name().equals(service)).findFirst()
                    .orElseThrow().managementPort();
            String metrics = given().baseUri("http://127.0.0.1").port(management).when().get("/q/metrics").then()
                    .statusCode(200).extract().asString();
            assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_lag"), service + " has no lag metric");
        }
        JavascriptExecutor js = browser;
        assertEquals(0L, js.executeScript("return window.localStorage.length + window.sessionStorage.length"));
        for (String url : visited) {
            String query = url.contains("?") ? url.substring(url.indexOf('?') + 1) : "";
            assertFalse(query.contains("Pemberton") || query.contains("Nobirthdate"), url);
        }
    }

    @Test
    @Order(6)
    void formsNeedTheirCsrfTokenAndNothingAnswersWithoutASignIn() {
        signIn("technician", "/quarantine");
        // the browser's own session, replayed without the form's token: refused before any page code runs
        io.restassured.http.Cookies session = new io.restassured.http.Cookies(browser.manage().getCookies().stream()
                .map(c -> new io.restassured.http.Cookie.Builder(c.getName(), c.getValue()).build()).toList());
        given().cookies(session).redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("reason", "forged").when()
                .post(console() + "/quarantine/" + quarantinedSubmission + "/dismiss").then().statusCode(400);
        // the same session reads pages (so the refusal above was the token's, not the session's)
        given().cookies(session).redirects().follow(false).when().get(console() + "/quarantine").then()
                .statusCode(200);
        // no session: the sign-in page, never data
        for (String path : List.of("/", "/pipeline/figures", "/quarantine", "/audit/disclosures?patient=x")) {
            String location = given().redirects().follow(false).when().get(console() + path).then().statusCode(302)
                    .extract().header("Location");
            assertTrue(location.startsWith(shared.stack.loginUrl()), path + " -> " + location);
        }
    }

    @Test
    @Order(7)
    void aTechnicianFindsAPersonReadsVersionsAndUnlinksMergesAndUnmergesWithTheirHistory() throws Exception {
        String westKey = "ehr-west-" + RUN + "|w-" + RUN;
        signIn("technician", "/persons");
        type("family", "Pemberton");
        type("given", "Jonathan");
        click("search");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.id("persons-found")));
        assertTrue(text("persons-found").contains(candidatePerson), text("persons-found"));
        assertFalse(browser.getCurrentUrl().contains("Pemberton"), "a search names no one in the address");
        shot("persons");

        // every version of one filed resource
        open("/persons/" + candidatePerson);
        browser.findElement(By.cssSelector("#chart-records td a")).click();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("ol.versions h2")));
        assertTrue(text("page-title").startsWith("Every version of Patient/"), text("page-title"));
        assertTrue(browser.findElement(By.cssSelector("pre.json")).getDomProperty("textContent")
                .contains("\"resourceType\" : \"Patient\""));

        // unlink the west record: it goes to a new person, and the browser with it
        open("/persons/" + candidatePerson);
        WebElement item = browser.findElements(By.cssSelector("#source-records li")).stream()
                .filter(li -> li.getDomProperty("textContent").contains(westKey)).findFirst().orElseThrow();
        item.findElement(By.cssSelector("input[name=reason]")).sendKeys("two men after all: different fathers' names");
        item.findElement(By.cssSelector("button")).click();
        waiting().until(d -> d.getCurrentUrl().contains("done=unlinked"));
        String split = text("person-id");
        assertNotEquals(candidatePerson, split);
        assertTrue(text("source-records").contains(westKey));

        // merge that person back into the candidate, then undo it
        open("/persons/" + candidatePerson);
        type("merge-from", split);
        type("merge-reason", "the same man: the clinic confirmed by phone");
        click("merge-submit");
        waiting().until(d -> d.getCurrentUrl().contains("done=merged"));
        assertTrue(text("source-records").contains(westKey));
        type("unmerge-from", split);
        type("unmerge-reason", "merged too early");
        click("unmerge-submit");
        waiting().until(d -> d.getCurrentUrl().contains("done=unmerged"));
        assertFalse(text("source-records").contains(westKey));
        String history = text("person-history");
        assertTrue(history.contains("unlink") && history.contains("merge") && history.contains("unmerge"), history);
        browser.executeScript("document.getElementById('person-history').scrollIntoView({block: 'start'})");
        shot("person-history");

        // and each is a record change subscribers see, in order, for the west record
        TopicClient topics = new TopicClient(shared.stack.broker().bootstrapServers());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(
                List.of("LINKED", "UNLINKED", "MERGED", "UNMERGED"), changes(topics, westKey).stream()
                        .filter(t -> !t.equals("PERSON_CREATED") && !t.equals("RECORDS_FILED")).toList()));
    }

    private static List<String> changes(TopicClient topics, String sourceRecordKey) {
        List<String> out = new ArrayList<>();
        for (var r : topics.readAll(Topics.RECORD_CHANGES)) {
            try {
                JsonNode e = EventCodec.mapper().readTree(r.value());
                if (sourceRecordKey.equals(e.path("sourceRecordKey").asText())) {
                    out.add(e.path("changeType").asText() + "@" + e.path("changedAt").asText());
                }
            } catch (IOException notAnEvent) {
                // other records on the topic
            }
        }
        // in the order they happened (they may be on two partitions: a move is keyed by the person moved to)
        return out.stream().sorted(java.util.Comparator.comparing(
                        (String x) -> java.time.Instant.parse(x.substring(x.indexOf('@') + 1))))
                .map(x -> x.substring(0, x.indexOf('@'))).toList();
    }

    @Test
    @Order(8)
    void aTechnicianNotesAndDismissesARecordAndTheSenderSeesWhy() throws Exception {
        String publisher = "ehr-console-" + RUN;
        String id = submit(publisher, "{\"resourceType\":\"Patient\",\"id\":\"d-" + RUN + "\",\"gender\":\"female\"}");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals("QUARANTINED", status(publisher, id)));
        signIn("technician", "/quarantine/" + id);
        click("claim");
        waiting().until(d -> d.findElement(By.id("claimed-by")).getText().startsWith("technician"));
        type("note-text", "called the sender: a test record");
        click("add-note");
        waiting().until(d -> d.getCurrentUrl().contains("done=noted"));
        assertTrue(text("history").contains("called the sender: a test record"), text("history"));
        type("dismiss-reason", "test record sent by mistake");
        click("dismiss");
        waiting().until(d -> d.getCurrentUrl().contains("done=dismissed"));
        assertEquals("DISMISSED", browser.findElement(By.id("entry-status")).getText());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals("DISMISSED", status(publisher, id)));
    }

    private static String patient(String id, String given, String family, String birthDate, String line, String city,
                                  String postcode, String mrnSystem, String mrn) {
        return "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"identifier\":[{\"system\":\"" + mrnSystem
                + "\",\"value\":\"" + mrn + "\"}],\"name\":[{\"family\":\"" + family + "\",\"given\":[\"" + given
                + "\"]}],\"gender\":\"male\",\"birthDate\":\"" + birthDate + "\",\"address\":[{\"line\":[\"" + line
                + "\"],\"city\":\"" + city + "\",\"postalCode\":\"" + postcode + "\"}]}";
    }
}
