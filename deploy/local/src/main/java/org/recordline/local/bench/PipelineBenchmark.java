package org.recordline.local.bench;

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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * {@code ./recordline bench}: starts a fresh stack on free ports and reports the figures of the foundation issue:
 * start-up time to all-ready, RSS of every process once idle, acceptance latency of {@code POST /fhir}, end-to-end
 * latency to the record-change event, throughput, and lost or doubled effects. Traffic goes to loopback only and
 * every loop is bounded.
 */
public final class PipelineBenchmark {

    private final int patients;
    private final int clients;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> changedAt = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> changeEventIds = new ConcurrentHashMap<>();

    private PipelineBenchmark(int patients, int clients) {
        this.patients = patients;
        this.clients = clients;
    }

    /**
     * The benchmark's options.
     *
     * @param patients small Patients to send (1 to 20000)
     * @param clients  parallel clients (1 to 32)
     */
    public record Options(int patients, int clients) {

        /** Parses {@code [--patients N] [--clients C]}; anything else is an {@link IllegalArgumentException}. */
        public static Options parse(List<String> args) {
            int patients = 400;
            int clients = 4;
            for (int i = 0; i < args.size(); i += 2) {
                String option = args.get(i);
                if (!option.equals("--patients") && !option.equals("--clients")) {
                    throw new UsageError("unknown option '" + option + "' for bench");
                }
                if (i + 1 >= args.size()) {
                    throw new UsageError(option + " needs a number");
                }
                int value;
                try {
                    value = Integer.parseInt(args.get(i + 1));
                } catch (NumberFormatException e) {
                    throw new UsageError(option + " takes a whole number, got '" + args.get(i + 1) + "'");
                }
                if (option.equals("--patients")) {
                    patients = value;
                } else {
                    clients = value;
                }
            }
            if (patients < 1 || patients > 20_000 || clients < 1 || clients > 32) {
                throw new UsageError("--patients takes 1 to 20000 and --clients 1 to 32");
            }
            return new Options(patients, clients);
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
        new PipelineBenchmark(options.patients(), options.clients()).execute(home);
    }

    private void execute(Path home) throws Exception {
        Path state = Files.createTempDirectory("recordline-bench-");
        StackSettings settings = new StackSettings(home, state, KafkaBroker.freePort(), KafkaBroker.freePort(),
                KafkaBroker.freePort(), List.of(
                spec("ingestion-service"), spec("validation-service"), spec("index-service"), spec("audit-service")),
                System.getenv().getOrDefault("RECORDLINE_SERVICE_HEAP", "320m"));
        System.out.printf("Recordline benchmark: %d Patients with %d clients, then %d Synthea bundles; %d cores%n",
                patients, clients, SharedData.syntheaPatientBundles().size(),
                Runtime.getRuntime().availableProcessors());
        long t0 = System.nanoTime();
        try (LocalStack stack = new LocalStack(settings)) {
            stack.start(Duration.ofSeconds(240));
            System.out.printf("start-up to all-ready: %.1f s (fresh data, broker + PostgreSQL + 4 services)%n",
                    (System.nanoTime() - t0) / 1e9);
            Thread.sleep(10_000);
            printRss("RSS once idle (10 s after ready)", stack);

            String token = stack.tokens().token("bench-ehr", Duration.ofHours(2), "ehr-publisher");
            String url = "http://127.0.0.1:" + settings.services().get(0).port() + "/fhir";
            AtomicBoolean consuming = new AtomicBoolean(true);
            Thread consumer = new Thread(() -> consumeChanges(stack.broker().bootstrapServers(), consuming));
            consumer.start();

            // small Patients: acceptance latency and sustained throughput
            String template = new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8);
            List<Long> accept = Collections.synchronizedList(new ArrayList<>());
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            long loadStart = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    for (int i = client; i < patients; i += clients) {
                        String body = template.replace("pat-complete-1", "bench-" + i)
                                .replace("MRN-100001", "BENCH-" + i);
                        ids.add(post(url, token, body.getBytes(StandardCharsets.UTF_8), accept));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            double acceptSecs = (System.nanoTime() - loadStart) / 1e9;
            awaitChanges(ids, Duration.ofMinutes(10));
            double drainSecs = (System.nanoTime() - loadStart) / 1e9;
            System.out.printf("%nPatients: %d accepted in %.1f s = %.0f/s; all indexed after %.1f s = %.0f/s%n",
                    ids.size(), acceptSecs, ids.size() / acceptSecs, drainSecs, ids.size() / drainSecs);
            System.out.println("  POST /fhir until broker ack (ms): " + summary(accept));
            System.out.println("  end to end, POST to record-change event (ms): " + summary(endToEnd(ids)));

            // Synthea bundles, one at a time
            List<Long> bundleAccept = new ArrayList<>();
            List<String> bundleIds = new ArrayList<>();
            for (Path b : SharedData.syntheaPatientBundles()) {
                String id = post(url, token, Files.readAllBytes(b), bundleAccept);
                bundleIds.add(id);
                awaitChanges(List.of(id), Duration.ofMinutes(5));
            }
            System.out.printf("%nSynthea bundles (0.9-1.4 MB, 300-500 resources), sequential:%n");
            System.out.println("  POST /fhir until broker ack (ms): " + summary(bundleAccept));
            System.out.println("  end to end, POST to record-change event (ms): " + summary(endToEnd(bundleIds)));

            List<String> all = new ArrayList<>(ids);
            all.addAll(bundleIds);
            long lost = all.stream().filter(id -> !changedAt.containsKey(id)).count();
            long doubled = all.stream().filter(id -> changeEventIds.getOrDefault(id, Set.of()).size() > 1).count();
            long redelivered = all.stream().filter(id -> changedAt.getOrDefault(id, List.of()).size() > 1).count();
            System.out.printf("%nacknowledged %d, lost %d, doubled effects %d (record-change copies redelivered: %d)%n",
                    all.size(), lost, doubled, redelivered);
            printRss("RSS after the load", stack);
            consuming.set(false);
            consumer.join(10_000);
        } finally {
            LocalStack.deleteState(state);
        }
    }

    private static StackSettings.ServiceSpec spec(String name) {
        return new StackSettings.ServiceSpec(name, KafkaBroker.freePort(), KafkaBroker.freePort());
    }

    private String post(String url, String token, byte[] body, List<Long> latencies) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (r.statusCode() != 202) {
                throw new IllegalStateException("POST /fhir answered " + r.statusCode());
            }
            latencies.add(ms);
            String b = r.body();
            int i = b.indexOf("\"submissionId\":\"") + 16;
            String id = b.substring(i, b.indexOf('"', i));
            sentAt.put(id, start);
            return id;
        } catch (IOException e) {
            throw new IllegalStateException("POST /fhir failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

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
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private void awaitChanges(List<String> ids, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ids.stream().allMatch(changedAt::containsKey)) {
            if (System.nanoTime() > deadline) {
                System.out.println("  (timed out waiting for record-change events)");
                return;
            }
            Thread.sleep(50);
        }
    }

    private List<Long> endToEnd(List<String> ids) {
        List<Long> out = new ArrayList<>();
        for (String id : ids) {
            List<Long> at = changedAt.get(id);
            if (at != null && sentAt.containsKey(id)) {
                out.add((at.get(0) - sentAt.get(id)) / 1_000_000);
            }
        }
        return out;
    }

    private static String summary(List<Long> values) {
        if (values.isEmpty()) {
            return "no samples";
        }
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        return String.format("n=%d p50=%d p95=%d p99=%d max=%d", v.size(), pct(v, 50), pct(v, 95), pct(v, 99),
                v.get(v.size() - 1));
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void printRss(String title, LocalStack stack) {
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
    }

    private static long rssKb(long pid) {
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
