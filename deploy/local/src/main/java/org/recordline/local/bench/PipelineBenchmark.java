package org.recordline.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.Topics;
import org.recordline.local.LocalStack;
import org.recordline.local.StackSettings;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.SharedData;

/**
 * {@code ./recordline bench}: starts a fresh stack on free ports and reports the figures of the throughput issue:
 * start-up time to all-ready, RSS of every process once idle, then three loads one after the other (small Patients
 * from parallel clients in a closed loop; small Patients at a fixed offered rate in an open loop; Synthea bundles,
 * each rewritten to a distinct patient, from parallel clients), each with acceptance latency of {@code POST /fhir},
 * end-to-end latency to the record-change event and throughput; then lost or doubled effects, RSS after the load,
 * and a summary as markdown table rows. Traffic goes to loopback only and every wait is bounded.
 */
public final class PipelineBenchmark {

    /** Requests of the fixed-rate phase in flight at most; beyond it the sender waits, and its lag shows that. */
    private static final int MAX_IN_FLIGHT = 1024;
    /** Submissions of the fixed-rate phase at most (rate × seconds): every one is tracked in memory. */
    private static final int MAX_RATE_SUBMISSIONS = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final ExecutorService httpExecutor = Executors.newFixedThreadPool(64, daemon("bench-http"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(httpExecutor).build();
    /** Submission id to the nanoTime its POST started. */
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    /** Submission id to the nanoTime its POST was due (fixed-rate phase only). */
    private final Map<String, Long> intendedAt = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> changedAt = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> changeEventIds = new ConcurrentHashMap<>();
    private final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch consumerAssigned = new CountDownLatch(1);
    private final SummaryTable table = new SummaryTable();

    private PipelineBenchmark(Options options) {
        this.options = options;
    }

    /**
     * The benchmark's options.
     *
     * @param patients      small Patients of the closed-loop phase (1 to 20000)
     * @param clients       parallel clients of the closed-loop phase (1 to 32)
     * @param rate          small Patients per second offered in the open-loop phase (0 skips it, up to 5000)
     * @param rateSeconds   duration of the open-loop phase in seconds (1 to 600)
     * @param bundleClients parallel clients of the bundle phase (1 to 64)
     * @param bundles       Synthea bundles sent in the bundle phase, each a distinct patient (0 skips it, up to 2000)
     * @param kill          a service to kill with SIGKILL half-way through the small Patients and start again, or null
     */
    public record Options(int patients, int clients, int rate, int rateSeconds, int bundleClients, int bundles,
                          String kill) {

        /** Services {@code --kill} may name. */
        static final List<String> KILLABLE = List.of("ingestion-service", "validation-service", "index-service",
                "audit-service");

        /**
         * Parses {@code [--patients N] [--clients C] [--rate R] [--rate-seconds S] [--bundle-clients B]
         * [--bundles K]}; anything else is an {@link IllegalArgumentException}.
         */
        public static Options parse(List<String> args) {
            Map<String, Integer> values = new LinkedHashMap<>();
            values.put("--patients", 400);
            values.put("--clients", 16);
            values.put("--rate", 200);
            values.put("--rate-seconds", 15);
            values.put("--bundle-clients", 8);
            values.put("--bundles", 40);
            String kill = null;
            for (int i = 0; i < args.size(); i += 2) {
                String option = args.get(i);
                if (option.equals("--kill")) {
                    if (i + 1 >= args.size() || !KILLABLE.contains(args.get(i + 1))) {
                        throw new UsageError("--kill takes one of " + String.join(", ", KILLABLE));
                    }
                    kill = args.get(i + 1);
                    continue;
                }
                if (!values.containsKey(option)) {
                    throw new UsageError("unknown option '" + option + "' for bench");
                }
                if (i + 1 >= args.size()) {
                    throw new UsageError(option + " needs a number");
                }
                try {
                    values.put(option, Integer.parseInt(args.get(i + 1)));
                } catch (NumberFormatException e) {
                    throw new UsageError(option + " takes a whole number, got '" + args.get(i + 1) + "'");
                }
            }
            Options o = new Options(values.get("--patients"), values.get("--clients"), values.get("--rate"),
                    values.get("--rate-seconds"), values.get("--bundle-clients"), values.get("--bundles"), kill);
            range("--patients", o.patients(), 1, 20_000);
            range("--clients", o.clients(), 1, 32);
            range("--rate", o.rate(), 0, 5_000);
            range("--rate-seconds", o.rateSeconds(), 1, 600);
            range("--bundle-clients", o.bundleClients(), 1, 64);
            range("--bundles", o.bundles(), 0, 2_000);
            if ((long) o.rate() * o.rateSeconds() > MAX_RATE_SUBMISSIONS) {
                throw new UsageError("--rate times --rate-seconds is at most " + MAX_RATE_SUBMISSIONS
                        + " submissions, got " + (long) o.rate() * o.rateSeconds());
            }
            return o;
        }

        private static void range(String option, int value, int min, int max) {
            if (value < min || value > max) {
                throw new UsageError(option + " takes " + min + " to " + max + ", got " + value);
            }
        }

        /** The command line that gives these options. */
        String commandLine() {
            return String.format("--patients %d --clients %d --rate %d --rate-seconds %d --bundle-clients %d"
                    + " --bundles %d", patients, clients, rate, rateSeconds, bundleClients, bundles)
                    + (kill == null ? "" : " --kill " + kill);
        }
    }

    /** A wrong command line for {@code bench}. */
    public static final class UsageError extends IllegalArgumentException {
        UsageError(String message) {
            super(message);
        }
    }

    /** Runs the benchmark. */
    public static void run(Path home, Options options) throws Exception {
        new PipelineBenchmark(options).execute(home);
    }

    private void execute(Path home) throws Exception {
        Path state = Files.createTempDirectory("recordline-bench-");
        try {
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf("Recordline benchmark: %d small Patients from %d clients; %s; %s; %d cores%n",
                    options.patients(), options.clients(),
                    options.rate() > 0 ? String.format("%d small Patients/s for %d s", options.rate(),
                            options.rateSeconds()) : "no fixed-rate phase",
                    options.bundles() > 0 ? String.format("%d Synthea bundles from %d clients", options.bundles(),
                            options.bundleClients()) : "no bundle phase",
                    cores);
            table.row("options", "`" + options.commandLine() + "`, " + cores + " cores");
            List<BundleCopy> bundles = prepareBundles(state.resolve("bench-bundles"));

            StackSettings settings = new StackSettings(home, state, KafkaBroker.freePort(), KafkaBroker.freePort(),
                    KafkaBroker.freePort(), List.of(
                    spec("ingestion-service"), spec("validation-service"), spec("index-service"),
                    spec("audit-service")),
                    System.getenv().getOrDefault("RECORDLINE_SERVICE_HEAP", "192m"));
            long t0 = System.nanoTime();
            try (LocalStack stack = new LocalStack(settings)) {
                stack.start(Duration.ofSeconds(240));
                double startup = (System.nanoTime() - t0) / 1e9;
                System.out.printf("start-up to all-ready: %.1f s (fresh data, broker + PostgreSQL + 4 services)%n",
                        startup);
                table.row("start-up to all-ready", String.format("%.1f s", startup));
                Thread.sleep(10_000);
                table.row("RSS once idle: ingestion / PostgreSQL / all", rssRow(
                        printRss("RSS once idle (10 s after ready)", stack)));

                String token = stack.tokens().token("bench-ehr", Duration.ofHours(2), "ehr-publisher");
                String url = "http://127.0.0.1:" + settings.services().get(0).port() + "/fhir";
                AtomicBoolean consuming = new AtomicBoolean(true);
                Thread consumer = new Thread(() -> consumeChanges(stack.broker().bootstrapServers(), consuming),
                        "bench-record-changes");
                consumer.setDaemon(true);
                consumer.start();
                try {
                    if (!consumerAssigned.await(60, TimeUnit.SECONDS)) {
                        System.out.println("  (the record-change consumer got no partitions in 60 s; continuing)");
                    }
                    smallPatients(url, token, stack);
                    if (options.rate() > 0) {
                        fixedRate(url, token);
                    } else {
                        table.row("fixed rate", "skipped (`--rate 0`)");
                    }
                    if (!bundles.isEmpty()) {
                        bundles(url, token, bundles);
                    } else {
                        table.row("Synthea bundles", "skipped (`--bundles 0`)");
                    }
                    lostAndDoubled();
                    table.row("RSS after the load: ingestion / PostgreSQL / all", rssRow(
                            printRss("RSS after the load", stack)));
                    printJvmMemory(settings);
                } finally {
                    consuming.set(false);
                    consumer.join(10_000);
                    httpExecutor.shutdownNow();
                }
            }
            table.print();
        } finally {
            LocalStack.deleteState(state);
        }
    }

    static StackSettings.ServiceSpec spec(String name) {
        return new StackSettings.ServiceSpec(name, KafkaBroker.freePort(), KafkaBroker.freePort());
    }

    // ---------------------------------------------------------------- phase 1: small Patients, closed loop

    private void smallPatients(String url, String token, LocalStack stack) throws Exception {
        int patients = options.patients();
        int clients = options.clients();
        String template = smallPatientTemplate();
        List<Long> accept = Collections.synchronizedList(new ArrayList<>());
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        Failures failures = new Failures();
        long loadStart = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients, daemon("bench-client"));
        Thread killer = options.kill() == null ? null : new Thread(() -> killAndRestart(stack, ids, patients / 2),
                "bench-killer");
        if (killer != null) {
            killer.setDaemon(true);
            killer.start();
        }
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    for (int i = client; i < patients; i += clients) {
                        String body = People.small(template, "bench-", i);
                        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                        // with --kill, each client acts as a careful EHR: one Idempotency-Key per document, resent
                        // until acknowledged, so a crash may cost time but never a second submission
                        String id = options.kill() == null
                                ? post(url, token, HttpRequest.BodyPublishers.ofByteArray(bytes), accept, failures)
                                : postUntilAcknowledged(url, token, bytes, "bench-" + i, accept, failures);
                        if (id != null) {
                            ids.add(id);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double acceptSecs = (System.nanoTime() - loadStart) / 1e9;
        if (killer != null) {
            killer.join(300_000);
        }
        awaitChanges(ids, Duration.ofSeconds(Math.max(600, ids.size() / 5)));
        int done = drained(ids);
        double drainSecs = (lastChange(ids, loadStart) - loadStart) / 1e9;
        System.out.printf("%nPatients (%d clients, closed loop): %d accepted in %.1f s = %.0f/s; %s indexed after"
                        + " %.1f s = %.0f/s%n", clients, ids.size(), acceptSecs, perSecond(ids.size(), acceptSecs),
                done == ids.size() ? "all" : done + " of them", drainSecs, perSecond(done, drainSecs));
        if (failures.total() > 0) {
            System.out.println("  answers other than 202, or none: " + failures);
        }
        if (options.kill() != null) {
            // a document recorded twice would show as a filed submission whose id no client was ever given
            java.util.Set<String> given = new java.util.HashSet<>(ids);
            long unasked = changedAt.keySet().stream().filter(id -> !given.contains(id)).count();
            System.out.printf("  %d documents, %d acknowledged; submissions filed that no answer named: %d%n",
                    patients, ids.size(), unasked);
            table.row("with --kill: documents / acknowledged / filed but never named in an answer", patients + " / "
                    + ids.size() + " / " + unasked);
        }
        List<Long> endToEnd = endToEnd(ids, sentAt);
        System.out.println("  POST /fhir until broker ack (ms): " + summary(accept));
        System.out.println("  end to end, POST to record-change event (ms): " + summary(endToEnd));
        table.row("small accepted/s", String.format("%.0f/s", perSecond(ids.size(), acceptSecs)));
        table.row("small drained end to end/s", String.format("%.0f/s", perSecond(done, drainSecs)));
        table.row("small `POST` until ack, p50 / p95 / p99", percentiles(accept, 50, 95, 99));
        table.row("small end to end, p50 / p95 / p99", percentiles(endToEnd, 50, 95, 99));
        table.row("small answers other than 202", String.valueOf(failures.total()));
    }

    /** Kills {@code --kill}'s service with SIGKILL once {@code after} submissions were accepted, then restarts it. */
    private void killAndRestart(LocalStack stack, List<String> accepted, int after) {
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (accepted.size() < after && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String name = options.kill();
            stack.kill(name);
            System.out.printf("  killed %s with SIGKILL after %d accepted submissions%n", name, accepted.size());
            long t = System.nanoTime();
            stack.restart(name, Duration.ofSeconds(180));
            System.out.printf("  %s started again, ready after %.1f s%n", name, (System.nanoTime() - t) / 1e9);
            table.row("killed mid-load (SIGKILL) and restarted", name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.out.println("  could not kill and restart " + options.kill() + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- phase 2: small Patients, fixed rate

    /**
     * Sends on a schedule (the i-th POST is due at start + i/rate) without waiting for answers, so a slow answer
     * delays no later send; latency counts from the due time as well, so a late send is not hidden (coordinated
     * omission).
     */
    private void fixedRate(String url, String token) throws Exception {
        int rate = options.rate();
        int total = rate * options.rateSeconds();
        String template = smallPatientTemplate();
        List<Long> fromIntended = Collections.synchronizedList(new ArrayList<>());
        List<Long> fromActual = Collections.synchronizedList(new ArrayList<>());
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        Failures failures = new Failures();
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        AtomicLong lastAnswer = new AtomicLong();
        List<CompletableFuture<?>> pending = new ArrayList<>(total);
        long maxLag = 0;
        long lastSend = 0;
        int sent = 0;
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long intended = start + i * 1_000_000_000L / rate;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while sending at a fixed rate");
                }
            }
            if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
                System.out.printf("  (sender stopped: %d requests unanswered for 60 s)%n", MAX_IN_FLIGHT);
                break;
            }
            byte[] body = People.small(template, "rate-", i).getBytes(StandardCharsets.UTF_8);
            long actual = System.nanoTime();
            maxLag = Math.max(maxLag, actual - intended);
            lastSend = actual;
            sent++;
            pending.add(http.sendAsync(request(url, token, HttpRequest.BodyPublishers.ofByteArray(body)),
                    HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
                        long now = System.nanoTime();
                        inFlight.release();
                        lastAnswer.accumulateAndGet(now, Math::max);
                        String id = e == null && r.statusCode() == 202 ? submissionId(r.body()) : null;
                        if (id == null) {
                            failures.add(e != null ? reason(e) : "HTTP " + r.statusCode());
                            return null;
                        }
                        fromIntended.add((now - intended) / 1_000_000);
                        fromActual.add((now - actual) / 1_000_000);
                        sentAt.put(id, actual);
                        intendedAt.put(id, intended);
                        acknowledged.add(id);
                        ids.add(id);
                        return null;
                    }));
        }
        try {
            CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(90, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            System.out.println("  (timed out waiting for answers to the fixed-rate POSTs)");
        } catch (ExecutionException e) {
            System.out.println("  (an answer could not be handled: " + e.getCause().getClass().getSimpleName() + ")");
        }
        double sendSecs = sent == 0 ? 0 : (lastSend - start) / 1e9 + 1.0 / rate;
        double answerSecs = (Math.max(lastAnswer.get(), start) - start) / 1e9;
        List<String> acked = new ArrayList<>(ids);
        awaitChanges(acked, Duration.ofSeconds(Math.max(600, acked.size() / 5)));
        int done = drained(acked);
        double drainSecs = (lastChange(acked, start) - start) / 1e9;
        List<Long> e2eIntended = endToEnd(acked, intendedAt);
        List<Long> e2eActual = endToEnd(acked, sentAt);
        System.out.printf("%nFixed rate, open loop: %d/s offered for %d s (%d due), %d sent = %.0f/s"
                        + " (sender at most %d ms behind schedule)%n", rate, options.rateSeconds(), total, sent,
                perSecond(sent, sendSecs), maxLag / 1_000_000);
        System.out.printf("  202 answers: %d = %.0f/s until the last answer; other answers or none: %s%n",
                acked.size(), perSecond(acked.size(), answerSecs), failures);
        System.out.println("  POST /fhir until broker ack, from the due time (ms): " + summary(fromIntended));
        System.out.println("  POST /fhir until broker ack, from the actual send (ms): " + summary(fromActual));
        System.out.printf("  %s indexed after %.1f s = %.0f/s%n",
                done == acked.size() ? "all" : done + " of " + acked.size(), drainSecs, perSecond(done, drainSecs));
        System.out.println("  end to end, due time to record-change event (ms): " + summary(e2eIntended));
        System.out.println("  end to end, actual send to record-change event (ms): " + summary(e2eActual));
        table.row("rate: offered / sent / acknowledged", String.format("%d / %.0f / %.0f per s", rate,
                perSecond(sent, sendSecs), perSecond(acked.size(), answerSecs)));
        table.row("rate: `POST` until ack from due time, p50 / p99", percentiles(fromIntended, 50, 99));
        table.row("rate: `POST` until ack from actual send, p50 / p99", percentiles(fromActual, 50, 99));
        table.row("rate: answers other than 202 (of " + sent + " sent)", String.valueOf(failures.total()));
        table.row("rate: drained end to end/s", String.format("%.0f/s", perSecond(done, drainSecs)));
        table.row("rate: end to end from due time, p50 / p99", percentiles(e2eIntended, 50, 99));
        table.row("rate: end to end from actual send, p50 / p99", percentiles(e2eActual, 50, 99));
    }

    // ---------------------------------------------------------------- phase 3: Synthea bundles

    /** One rewritten bundle on disk (kept off the heap: 2000 copies are 2 GB) and its number of entries. */
    private record BundleCopy(Path file, int resources) {
    }

    /**
     * A Synthea bundle and what makes its patient distinct: the Patient's id (also its fullUrl, its references and
     * two of its identifiers) and its other identifier values.
     */
    record BundleTemplate(String text, String patientId, List<String> identifierValues, int entries) {

        static BundleTemplate of(String text) throws IOException {
            JsonNode bundle = JSON.readTree(text);
            JsonNode patient = null;
            String fullUrl = "";
            for (JsonNode entry : bundle.path("entry")) {
                if ("Patient".equals(entry.path("resource").path("resourceType").asText())) {
                    patient = entry.path("resource");
                    fullUrl = entry.path("fullUrl").asText("");
                    break;
                }
            }
            if (patient == null) {
                throw new IllegalStateException("a Synthea patient bundle has no Patient entry");
            }
            String id = patient.path("id").asText("");
            if (id.isEmpty() && fullUrl.startsWith("urn:uuid:")) {
                id = fullUrl.substring("urn:uuid:".length());
            }
            if (id.length() < 8) {
                throw new IllegalStateException("a Synthea patient bundle's Patient has no id to make distinct");
            }
            List<String> values = new ArrayList<>();
            for (JsonNode identifier : patient.path("identifier")) {
                String v = identifier.path("value").asText("");
                if (!v.isEmpty() && !v.contains(id) && v.indexOf('"') < 0 && v.indexOf('\\') < 0) {
                    values.add(v);
                }
            }
            return new BundleTemplate(text, id, List.copyOf(values), bundle.path("entry").size());
        }

        /**
         * Copy {@code n}: a fresh UUID for the Patient's id everywhere, "-b{n}" appended to its identifiers, and a
         * name and birth date of its own, so that the index files each copy as the distinct person it stands for.
         */
        String copy(int n) {
            String out = People.renamed(text, n + 1_000_000);
            for (String v : identifierValues) {
                out = out.replace("\"" + v + "\"", "\"" + v + "-b" + n + "\"");
            }
            String fresh = UUID.nameUUIDFromBytes(("recordline-bench-" + patientId + "-b" + n)
                    .getBytes(StandardCharsets.UTF_8)).toString();
            return out.replace(patientId, fresh);
        }
    }

    /** Writes the bundle copies before the stack starts, so rewriting is no part of any measurement. */
    private List<BundleCopy> prepareBundles(Path dir) throws IOException {
        List<BundleCopy> copies = new ArrayList<>();
        if (options.bundles() == 0) {
            return copies;
        }
        long t0 = System.nanoTime();
        List<BundleTemplate> templates = new ArrayList<>();
        for (Path p : SharedData.syntheaPatientBundles()) {
            templates.add(BundleTemplate.of(Files.readString(p, StandardCharsets.UTF_8)));
        }
        if (templates.isEmpty()) {
            throw new IllegalStateException("no Synthea patient bundles under " + SharedData.root());
        }
        Files.createDirectories(dir);
        long bytes = 0;
        for (int n = 0; n < options.bundles(); n++) {
            BundleTemplate t = templates.get(n % templates.size());
            Path file = dir.resolve("bundle-" + n + ".json");
            Files.writeString(file, t.copy(n), StandardCharsets.UTF_8);
            bytes += Files.size(file);
            copies.add(new BundleCopy(file, t.entries()));
        }
        System.out.printf("prepared %d bundle copies of %d Synthea patient bundles, each a distinct patient"
                        + " (%.0f MB, %.1f s)%n", copies.size(), templates.size(), bytes / 1e6,
                (System.nanoTime() - t0) / 1e9);
        return copies;
    }

    private void bundles(String url, String token, List<BundleCopy> copies) throws Exception {
        int clients = Math.min(options.bundleClients(), copies.size());
        List<Long> accept = Collections.synchronizedList(new ArrayList<>());
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> resourcesOf = new ConcurrentHashMap<>();
        Failures failures = new Failures();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients, daemon("bench-bundle-client"));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    for (int n = next.getAndIncrement(); n < copies.size(); n = next.getAndIncrement()) {
                        BundleCopy b = copies.get(n);
                        String id = post(url, token, HttpRequest.BodyPublishers.ofFile(b.file()), accept, failures);
                        if (id != null) {
                            resourcesOf.put(id, b.resources());
                            ids.add(id);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double acceptSecs = (System.nanoTime() - start) / 1e9;
        List<String> acked = new ArrayList<>(ids);
        awaitChanges(acked, Duration.ofSeconds(Math.max(600, acked.size() * 10L)));
        int done = drained(acked);
        long resources = acked.stream().filter(changedAt::containsKey)
                .mapToLong(id -> resourcesOf.getOrDefault(id, 0)).sum();
        double drainSecs = (lastChange(acked, start) - start) / 1e9;
        List<Long> doneLatency = endToEnd(acked, sentAt);
        System.out.printf("%nSynthea bundles (%d, each a distinct patient, %d clients):%n", copies.size(), clients);
        System.out.printf("  %d accepted in %.1f s; %d done after %.1f s; other answers or none: %s%n",
                acked.size(), acceptSecs, done, drainSecs, failures);
        System.out.printf("  resources end to end: %d in %.1f s = %.0f/s (first POST to last record-change event)%n",
                resources, drainSecs, perSecond(resources, drainSecs));
        System.out.println("  POST /fhir until broker ack (ms): " + summary(accept));
        System.out.println("  done, POST to record-change event (ms): " + summary(doneLatency));
        table.row("bundles: resources/s end to end", String.format("%.0f/s", perSecond(resources, drainSecs)));
        table.row("bundles: accepted / done (of " + copies.size() + ")", acked.size() + " / " + done);
        table.row("bundles: done (`POST` to record change), p50 / p99 / max", percentiles(doneLatency, 50, 99, 100));
        table.row("bundles: `POST` until ack, p50 / p99", percentiles(accept, 50, 99));
    }

    // ---------------------------------------------------------------- after the load

    private void lostAndDoubled() {
        List<String> all = new ArrayList<>(acknowledged);
        long lost = all.stream().filter(id -> !changedAt.containsKey(id)).count();
        long doubled = all.stream().filter(id -> changeEventIds.getOrDefault(id, Set.of()).size() > 1).count();
        long redelivered = all.stream().filter(id -> changedAt.getOrDefault(id, List.of()).size() > 1).count();
        System.out.printf("%nacknowledged %d, lost %d, doubled effects %d (record-change copies redelivered: %d)%n",
                all.size(), lost, doubled, redelivered);
        table.row("lost / doubled effects (of " + all.size() + " acknowledged)", lost + " / " + doubled);
    }

    /** The services' own view of their memory, from their Prometheus metrics; best effort. */
    private void printJvmMemory(StackSettings settings) {
        System.out.println("JVM memory after the load (services: /q/metrics):");
        Runtime rt = Runtime.getRuntime();
        System.out.printf("  %-30s heap used %4d MB of %4d MB committed%n", "launcher (hosts Kafka)",
                (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20);
        for (StackSettings.ServiceSpec s : settings.services()) {
            System.out.printf("  %-30s %s%n", s.name(), jvmMemory(s.managementPort()));
        }
    }

    private String jvmMemory(int managementPort) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                .timeout(Duration.ofSeconds(5)).header("Accept", "text/plain").GET().build();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return "no metrics (HTTP " + r.statusCode() + ")";
            }
            double heapUsed = 0;
            double heapCommitted = 0;
            double nonHeapUsed = 0;
            for (String line : r.body().split("\n")) {
                boolean heap = line.contains("area=\"heap\"");
                boolean nonHeap = line.contains("area=\"nonheap\"");
                if (line.startsWith("#") || !heap && !nonHeap) {
                    continue;
                }
                if (line.startsWith("jvm_memory_used_bytes{")) {
                    if (heap) {
                        heapUsed += metricValue(line);
                    } else {
                        nonHeapUsed += metricValue(line);
                    }
                } else if (heap && line.startsWith("jvm_memory_committed_bytes{")) {
                    heapCommitted += metricValue(line);
                }
            }
            return String.format("heap used %4d MB of %4d MB committed, non-heap used %4d MB",
                    (long) heapUsed >> 20, (long) heapCommitted >> 20, (long) nonHeapUsed >> 20);
        } catch (IOException | RuntimeException e) {
            return "no metrics (" + e.getClass().getSimpleName() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no metrics (interrupted)";
        }
    }

    private static double metricValue(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+")[0]);
    }

    // ---------------------------------------------------------------- HTTP

    /**
     * Distinct people for the load: a name and a birth date of their own for each number, so that the master patient
     * index (which matches on demographics) files every generated patient as its own person, as the load means.
     */
    static final class People {

        private static final String[] SYLLABLES = {"ka", "lo", "mi", "ren", "tas", "vu", "bel", "dor", "fen", "gra",
            "hil", "jo", "ken", "lu", "mor", "nes", "pa", "quin", "ros", "sef", "tor", "ul", "var", "wen", "xi",
            "yar", "zo", "bri", "cal", "dru", "el", "fa"};

        private People() {
        }

        /** A name made of syllables, one per base-32 digit of a scrambled {@code n}: no two numbers share one. */
        static String name(long n) {
            long x = (n * 0x9E3779B1L + 12345) & 0xFFFFFFFFFFL;
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                b.append(SYLLABLES[(int) (x % SYLLABLES.length)]);
                x /= SYLLABLES.length;
            }
            return Character.toUpperCase(b.charAt(0)) + b.substring(1);
        }

        /** A birth date between 1925 and 2020 for {@code n}. */
        static String birthDate(long n) {
            return java.time.LocalDate.of(1925, 1, 1).plusDays(Math.floorMod(n * 7919L, 35_000L)).toString();
        }

        /** The small Patient fixture as patient {@code prefix + i}: its own id, MRN, names and birth date. */
        static String small(String template, String prefix, int i) {
            return template.replace("pat-complete-1", prefix + i).replace("MRN-100001", prefix.toUpperCase() + i)
                    .replace("\"Testperson\"", "\"" + name(2L * i + (prefix.startsWith("rate") ? 1 : 0)) + "\"")
                    .replace("\"Alex\"", "\"" + name(3_000_000L + i) + "\"")
                    .replace("\"1980-04-12\"", "\"" + birthDate(i) + "\"");
        }

        /** A Synthea bundle whose Patient carries the names and birth date of person {@code n}. */
        static String renamed(String bundle, long n) {
            try {
                JsonNode root = JSON.readTree(bundle);
                for (JsonNode entry : root.path("entry")) {
                    JsonNode p = entry.path("resource");
                    if (!"Patient".equals(p.path("resourceType").asText())) {
                        continue;
                    }
                    String out = bundle;
                    JsonNode name = p.path("name").path(0);
                    if (name.path("family").isTextual()) {
                        out = out.replace("\"" + name.get("family").asText() + "\"", "\"" + name(n) + "\"");
                    }
                    if (name.path("given").path(0).isTextual()) {
                        out = out.replace("\"" + name.get("given").get(0).asText() + "\"",
                                "\"" + name(n + 5_000_000L) + "\"");
                    }
                    if (p.path("birthDate").isTextual()) {
                        out = out.replace("\"" + p.get("birthDate").asText() + "\"", "\"" + birthDate(n) + "\"");
                    }
                    return out;
                }
                return bundle;
            } catch (IOException e) {
                throw new IllegalStateException("a Synthea bundle is not JSON", e);
            }
        }
    }

    private static String smallPatientTemplate() {
        return new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8);
    }

    private static HttpRequest request(String url, String token, HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/fhir+json")
                .POST(body).build();
    }

    /**
     * POSTs with an {@code Idempotency-Key} and resends (every 250 ms, for up to 3 minutes) while the answer is
     * missing or a 5xx; the submission id of the 202, or null. Every resend is counted in {@code failures}.
     */
    private String postUntilAcknowledged(String url, String token, byte[] body, String key, List<Long> latencies,
                                         Failures failures) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/fhir+json")
                    .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                String id = r.statusCode() == 202 ? submissionId(r.body()) : null;
                if (id != null) {
                    latencies.add((System.nanoTime() - start) / 1_000_000);
                    sentAt.putIfAbsent(id, start);
                    acknowledged.add(id);
                    return id;
                }
                failures.add("HTTP " + r.statusCode() + " (resent)");
                if (r.statusCode() < 500) {
                    return null;
                }
            } catch (IOException e) {
                failures.add(e.getClass().getSimpleName() + " (resent)");
            }
            Thread.sleep(250);
        }
        return null;
    }

    /** POSTs and waits for the answer; the submission id of a 202, or null (counted in {@code failures}). */
    private String post(String url, String token, HttpRequest.BodyPublisher body, List<Long> latencies,
                        Failures failures) {
        HttpRequest req = request(url, token, body);
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - start) / 1_000_000;
            String id = r.statusCode() == 202 ? submissionId(r.body()) : null;
            if (id == null) {
                failures.add("HTTP " + r.statusCode());
                return null;
            }
            latencies.add(ms);
            sentAt.put(id, start);
            acknowledged.add(id);
            return id;
        } catch (IOException e) {
            failures.add(e.getClass().getSimpleName());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The submission id of a 202 answer, or null if it has none. */
    private static String submissionId(String body) {
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode id = root == null ? null : root.get("submissionId");
            return id != null && id.isTextual() && !id.asText().isEmpty() ? id.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String reason(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName();
    }

    /** Answers other than 202, and requests that got none, by status or exception; never a body. */
    private static final class Failures {
        private final Map<String, AtomicInteger> byReason = new ConcurrentHashMap<>();

        void add(String reason) {
            byReason.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
        }

        int total() {
            return byReason.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        /** The total, then the count by reason: "0", or "3 {HTTP 503=2, HttpTimeoutException=1}". */
        @Override
        public String toString() {
            return byReason.isEmpty() ? "0" : total() + " " + new TreeMap<>(byReason);
        }
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- record changes

    private void consumeChanges(String bootstrap, AtomicBoolean running) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES));
        try (KafkaConsumer<String, byte[]> c =
                     new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.RECORD_CHANGES));
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    String id = header(r, CloudEventHeaders.CORRELATION_ID);
                    if (id != null) {
                        changedAt.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>())).add(now);
                        changeEventIds.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet())
                                .add(header(r, CloudEventHeaders.CE_ID));
                    }
                }
                if (consumerAssigned.getCount() > 0 && !c.assignment().isEmpty()) {
                    consumerAssigned.countDown();
                }
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Waits until every id has a record-change event; on timeout says how many did and returns. */
    private void awaitChanges(Collection<String> ids, Duration timeout) throws InterruptedException {
        List<String> waiting = new ArrayList<>(ids);
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            while (seen < waiting.size() && changedAt.containsKey(waiting.get(seen))) {
                seen++;
            }
            if (seen == waiting.size()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                System.out.printf("  (timed out after %d s waiting for record-change events: %d of %d arrived)%n",
                        timeout.toSeconds(), drained(waiting), waiting.size());
                return;
            }
            Thread.sleep(50);
        }
    }

    /** How many of the ids have a record-change event. */
    private int drained(Collection<String> ids) {
        return (int) new ArrayList<>(ids).stream().filter(changedAt::containsKey).count();
    }

    /** The nanoTime of the last first record-change event of the ids, or {@code otherwise} if none arrived. */
    private long lastChange(Collection<String> ids, long otherwise) {
        long last = otherwise;
        for (String id : new ArrayList<>(ids)) {
            List<Long> at = changedAt.get(id);
            if (at != null) {
                last = Math.max(last, at.get(0));
            }
        }
        return last;
    }

    /** Milliseconds from {@code from} (sent or due time) to the first record-change event, per id. */
    private List<Long> endToEnd(Collection<String> ids, Map<String, Long> from) {
        List<Long> out = new ArrayList<>();
        for (String id : new ArrayList<>(ids)) {
            List<Long> at = changedAt.get(id);
            Long start = from.get(id);
            if (at != null && start != null) {
                out.add((at.get(0) - start) / 1_000_000);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- figures


    private static double perSecond(long count, double seconds) {
        return seconds > 0 ? count / seconds : 0;
    }

    static String summary(List<Long> values) {
        if (values.isEmpty()) {
            return "no samples";
        }
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        return String.format("n=%d p50=%d p95=%d p99=%d max=%d", v.size(), pct(v, 50), pct(v, 95), pct(v, 99),
                v.get(v.size() - 1));
    }

    /** "p1 / p2 / ... ms" for a table row; percentile 100 is the maximum. */
    static String percentiles(List<Long> values, int... ps) {
        if (values.isEmpty()) {
            return "no samples";
        }
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        StringJoiner j = new StringJoiner(" / ", "", " ms");
        for (int p : ps) {
            j.add(String.valueOf(pct(v, p)));
        }
        return j.toString();
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)));
    }

    /** "ingestion / PostgreSQL / all" in MB, from a {@link #printRss} result. */
    private static String rssRow(Map<String, Long> rssKb) {
        long ingestion = rssKb.getOrDefault("ingestion-service", 0L);
        long pg = rssKb.entrySet().stream().filter(e -> e.getKey().startsWith("postgresql"))
                .mapToLong(Map.Entry::getValue).sum();
        long all = rssKb.values().stream().mapToLong(Long::longValue).sum();
        return String.format("%d / %d / %d MB", ingestion / 1024, pg / 1024, all / 1024);
    }

    /** Prints the RSS of every process of the stack and returns it in kB, by process. */
    private static Map<String, Long> printRss(String title, LocalStack stack) {
        Map<String, Long> rss = new LinkedHashMap<>();
        rss.put("launcher (hosts Kafka)", rssKb(ProcessHandle.current().pid()));
        stack.pids().forEach((name, pid) -> rss.put(name, rssKb(pid)));
        long pg = 0;
        Map<Long, Long> seen = new HashMap<>();
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            String cmd = h.info().command().orElse("");
            if (cmd.endsWith("/bin/postgres") && h.info().arguments().map(a -> String.join(" ", a))
                    .orElse("").contains(stack.settings().stateDir().toString())) {
                seen.put(h.pid(), rssKb(h.pid()));
                for (ProcessHandle child : h.children().toList()) {
                    seen.put(child.pid(), rssKb(child.pid()));
                }
            }
        }
        for (long v : seen.values()) {
            pg += v;
        }
        rss.put("postgresql (" + seen.size() + " processes)", pg);
        System.out.println(title + ":");
        rss.forEach((k, v) -> System.out.printf("  %-30s %5d MB%n", k, v / 1024));
        return rss;
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
