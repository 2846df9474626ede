package org.recordline.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.recordline.testsupport.TokenIssuer;

/**
 * {@code ./recordline import PATH}: sends a file or every file under a folder to the ingestion-service: FHIR JSON
 * ({@code .json}) and XML ({@code .xml}) documents, FHIR NDJSON ({@code .ndjson}: every such file together as one
 * bulk import, {@code POST /fhir/$import}, streamed, so that a patient's records from a bulk export's files are filed
 * together; each line is an item, its refusal reported with its file and line), and HL7 v2 messages ({@code .hl7},
 * {@code .er7}, {@code .txt} beginning with {@code MSH}; several messages in a file are split at each MSH). Shows progress with rate and ETA, resends safely (each FHIR document under an
 * {@code Idempotency-Key} made of its content, each HL7 v2 message under its own sender and control id, so a rerun or
 * a retry after a lost answer creates nothing new), retries what the service could not take now ({@code 503},
 * {@code 429}, a lost connection) and prints a summary by outcome with the refusals' reasons.
 */
final class Importer {

    private static final int MAX_ATTEMPTS = 6;

    /**
     * One thing to send: where it came from, what it is, and its bytes; an NDJSON file is one item that stands for
     * its {@code lines} non-blank lines (streamed when sent, never held).
     */
    record Item(String origin, Kind kind, byte[] body, long lines) {
        Item(String origin, Kind kind, byte[] body) {
            this(origin, kind, body, 1);
        }
    }

    enum Kind { FHIR_JSON, FHIR_XML, HL7V2, NDJSON }

    /** An NDJSON file and how many lines (blank ones too) it adds to the import's body. */
    record NdjsonFile(Path path, long lines, boolean endsWithNewline) {
    }

    /** What became of one item. */
    enum Outcome { ACCEPTED, RESENT, REFUSED, FAILED }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String token;
    private final PrintStream out;
    private final Map<Outcome, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();

    Importer(String base, String token, PrintStream out) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
        this.out = out;
        for (Outcome o : Outcome.values()) {
            counts.put(o, new AtomicInteger());
        }
    }

    /**
     * {@code import PATH [--url URL] [--token TOKEN] [--clients N]}: by default to the local stack's
     * ingestion-service, as its local EHR ({@code local-ehr}, role {@code ehr-publisher}). Returns whether every
     * item was taken (accepted now or before).
     */
    static boolean run(StackSettings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            throw new RecordlineLauncher.UsageException("import needs a PATH (a file or a folder)");
        }
        Path path = Path.of(args.get(0));
        String url = "http://127.0.0.1:" + settings.services().get(0).port();
        String token = null;
        int clients = 4;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (!List.of("--url", "--token", "--clients").contains(a)) {
                throw new RecordlineLauncher.UsageException("unknown option " + a + " for import");
            }
            if (i + 1 >= args.size()) {
                throw new RecordlineLauncher.UsageException(a + " needs a value");
            }
            String v = args.get(++i);
            switch (a) {
                case "--url" -> url = v;
                case "--token" -> token = v;
                default -> {
                    try {
                        clients = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        clients = 0;
                    }
                    if (clients < 1 || clients > 32) {
                        throw new RecordlineLauncher.UsageException("--clients takes 1 to 32, got " + v);
                    }
                }
            }
        }
        if (!Files.exists(path)) {
            throw new RecordlineLauncher.UsageException("no file or folder " + path);
        }
        if (token == null) {
            token = TokenIssuer.loadOrCreate(settings.stateDir().resolve("keys"))
                    .token("local-ehr", Duration.ofHours(8), "ehr-publisher");
        }
        return new Importer(url, token, out).send(path, clients);
    }

    boolean send(Path path, int clients) throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(path)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        List<Item> items = new ArrayList<>();
        int skipped = 0;
        for (Path f : files) {
            int before = items.size();
            collect(f, items);
            if (items.size() == before) {
                skipped++;
            }
        }
        out.printf("importing %d item(s) from %d file(s) to %s (%d file(s) of no kind it sends skipped)%n",
                items.stream().mapToLong(Item::lines).sum(), files.size() - skipped, base, skipped);
        List<Item> ndjson = items.stream().filter(i -> i.kind() == Kind.NDJSON).toList();
        List<Item> documents = items.stream().filter(i -> i.kind() != Kind.NDJSON).toList();
        long start = System.nanoTime();
        if (!ndjson.isEmpty()) {
            sendImport(ndjson.stream().map(i -> Path.of(i.origin())).toList(),
                    (int) ndjson.stream().mapToLong(Item::lines).sum());
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(clients, documents.size())));
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < Math.max(1, Math.min(clients, documents.size())); c++) {
            running.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < documents.size()) {
                    counts.get(sendOne(documents.get(i))).incrementAndGet();
                    progress(done.incrementAndGet(), documents.size(), start);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        double secs = (System.nanoTime() - start) / 1e9;
        out.printf("%ndone in %.1f s: %d accepted, %d already there (resent), %d refused, %d failed, %d file(s)"
                        + " skipped%n", secs, counts.get(Outcome.ACCEPTED).get(), counts.get(Outcome.RESENT).get(),
                counts.get(Outcome.REFUSED).get(), counts.get(Outcome.FAILED).get(), skipped);
        refusals.stream().sorted().limit(20).forEach(r -> out.println("  " + r));
        if (refusals.size() > 20) {
            out.printf("  ... and %d more%n", refusals.size() - 20);
        }
        out.flush();
        return counts.get(Outcome.REFUSED).get() == 0 && counts.get(Outcome.FAILED).get() == 0;
    }

    /** The items of one file, by its name and first bytes. */
    static void collect(Path f, List<Item> items) throws IOException {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".ndjson")) {
            long lines = 0;
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) {
                        lines++;
                    }
                }
            }
            if (lines > 0) {
                items.add(new Item(f.toString(), Kind.NDJSON, null, lines));
            }
        } else if (name.endsWith(".json")) {
            items.add(new Item(f.toString(), Kind.FHIR_JSON, Files.readAllBytes(f)));
        } else if (name.endsWith(".xml")) {
            items.add(new Item(f.toString(), Kind.FHIR_XML, Files.readAllBytes(f)));
        } else if (name.endsWith(".hl7") || name.endsWith(".er7") || name.endsWith(".txt")) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).replace("\uFEFF", "");
            String[] messages = text.split("(?=(^|[\\r\\n])MSH\\|)");
            int n = 0;
            for (String m : messages) {
                String message = m.strip();
                if (message.startsWith("MSH|")) {
                    n++;
                    items.add(new Item(f + (messages.length > 1 ? " message " + n : ""), Kind.HL7V2,
                            message.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }

    /**
     * Sends every NDJSON file as one bulk import, streamed (a newline added after a file that lacks one), then follows
     * its status endpoint to its outcome: each line taken counts as accepted (resent, when the import was sent before),
     * each line not taken as refused, named by its file and line.
     */
    void sendImport(List<Path> ndjson, int lineItems) throws Exception {
        List<NdjsonFile> parts = new ArrayList<>();
        for (Path f : ndjson) {
            long lines = 0;
            int last = '\n';
            try (var in = new java.io.BufferedInputStream(Files.newInputStream(f))) {
                int b;
                while ((b = in.read()) >= 0) {
                    if (b == '\n') {
                        lines++;
                    }
                    last = b;
                }
            }
            boolean endsWithNewline = last == '\n';
            parts.add(new NdjsonFile(f, lines + (endsWithNewline ? 0 : 1), endsWithNewline));
        }
        out.printf("sending %d NDJSON file(s) as one bulk import (%d line(s))%n", parts.size(), lineItems);
        HttpResponse<String> r = null;
        String reason = "";
        for (int attempt = 1; attempt <= MAX_ATTEMPTS && r == null; attempt++) {
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/fhir/$import"))
                        .timeout(Duration.ofMinutes(30)).header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/fhir+ndjson")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body(parts))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 503 || answer.statusCode() == 429) {
                    reason = "HTTP " + answer.statusCode();
                    pause(answer.headers().firstValue("Retry-After").orElse(null), attempt);
                    continue;
                }
                r = answer;
            } catch (IOException e) {
                reason = e.getClass().getSimpleName();
                pause(null, attempt);
            }
        }
        if (r == null || r.statusCode() != 202) {
            String why = r == null ? "gave up after " + MAX_ATTEMPTS + " attempts (" + reason + ")"
                    : "HTTP " + r.statusCode() + " " + why(new Item("import", Kind.FHIR_JSON, null), r.body());
            refusals.add("the bulk import: " + why);
            counts.get(r == null ? Outcome.FAILED : Outcome.REFUSED).addAndGet(lineItems);
            return;
        }
        boolean replay = "true".equals(r.headers().firstValue("Recordline-Replay").orElse(""));
        String status = r.headers().firstValue("Content-Location").orElseThrow();
        HttpResponse<String> s;
        String shown = "";
        while (true) {
            s = http.send(HttpRequest.newBuilder(URI.create(status)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (s.statusCode() != 202) {
                break;
            }
            String progress = s.headers().firstValue("X-Progress").orElse("");
            if (!progress.equals(shown)) {
                out.println("  " + progress);
                shown = progress;
            }
            Thread.sleep(1000);
        }
        if (s.statusCode() != 200) {
            refusals.add("the bulk import: HTTP " + s.statusCode() + " " + why(new Item("import", Kind.FHIR_JSON,
                    null), s.body()));
            counts.get(Outcome.FAILED).addAndGet(lineItems);
            return;
        }
        var issues = org.recordline.events.EventCodec.mapper().readTree(s.body()).path("issue");
        out.println("  " + issues.path(0).path("diagnostics").asText());
        int refused = 0;
        for (var issue : issues) {
            if (!"error".equals(issue.path("severity").asText())) {
                continue;
            }
            refused++;
            refusals.add(where(parts, issue.path("diagnostics").asText()));
        }
        for (var issue : issues) {
            String d = issue.path("diagnostics").asText();
            if (d.endsWith("more line(s) not taken, not listed")) {
                refused += Integer.parseInt(d.substring(0, d.indexOf(' ')));
            }
        }
        counts.get(replay ? Outcome.RESENT : Outcome.ACCEPTED).addAndGet(Math.max(0, lineItems - refused));
        counts.get(Outcome.REFUSED).addAndGet(refused);
    }

    /** The import's body: the files one after the other, each ending with a newline. */
    private static java.io.InputStream body(List<NdjsonFile> parts) {
        List<java.io.InputStream> streams = new ArrayList<>();
        for (NdjsonFile p : parts) {
            try {
                streams.add(new java.io.BufferedInputStream(Files.newInputStream(p.path())));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            if (!p.endsWithNewline()) {
                streams.add(new java.io.ByteArrayInputStream(new byte[] {'\n'}));
            }
        }
        return new java.io.SequenceInputStream(java.util.Collections.enumeration(streams));
    }

    /** {@code body line N: reason} as {@code file:line: reason}. */
    static String where(List<NdjsonFile> parts, String diagnostics) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("body line (\\d+): (.*)",
                java.util.regex.Pattern.DOTALL).matcher(diagnostics);
        if (!m.matches()) {
            return diagnostics;
        }
        long line = Long.parseLong(m.group(1));
        for (NdjsonFile p : parts) {
            if (line <= p.lines()) {
                return p.path() + ":" + line + ": " + m.group(2);
            }
            line -= p.lines();
        }
        return diagnostics;
    }

    private Outcome sendOne(Item item) {
        String reason = "";
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> r = http.send(request(item), HttpResponse.BodyHandlers.ofString());
                int s = r.statusCode();
                if (s == 202 || s == 200) {
                    boolean resent = item.kind() == Kind.HL7V2
                            ? "true".equals(r.headers().firstValue("Recordline-Replay").orElse(""))
                            : r.body().replace(" ", "").contains("\"replay\":true");
                    return resent ? Outcome.RESENT : Outcome.ACCEPTED;
                }
                if (s == 503 || s == 429 || s == 502 || s == 504) {
                    reason = "HTTP " + s;
                    pause(r.headers().firstValue("Retry-After").orElse(null), attempt);
                    continue;
                }
                refusals.add(item.origin() + ": HTTP " + s + " " + why(item, r.body()));
                return Outcome.REFUSED;
            } catch (IOException e) {
                reason = e.getClass().getSimpleName();
                pause(null, attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Outcome.FAILED;
            }
        }
        refusals.add(item.origin() + ": gave up after " + MAX_ATTEMPTS + " attempts (" + reason + ")");
        return Outcome.FAILED;
    }

    private HttpRequest request(Item item) {
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(item.body()));
        switch (item.kind()) {
            case HL7V2 -> b.uri(URI.create(base + "/hl7v2")).header("Content-Type", "x-application/hl7-v2+er7");
            case FHIR_XML -> b.uri(URI.create(base + "/fhir")).header("Content-Type", "application/fhir+xml")
                    .header("Idempotency-Key", key(item.body()));
            default -> b.uri(URI.create(base + "/fhir")).header("Content-Type", "application/fhir+json")
                    .header("Idempotency-Key", key(item.body()));
        }
        return b.build();
    }

    /** A document's idempotency key: its content, so a rerun of the same files resends, never doubles. */
    static String key(byte[] body) {
        try {
            return "import-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The refusal's reason: the OperationOutcome's diagnostics, or the acknowledgement's ERR text. */
    static String why(Item item, String body) {
        if (item.kind() == Kind.HL7V2) {
            for (String seg : body.split("\r")) {
                if (seg.startsWith("ERR|")) {
                    String[] f = seg.split("\\|", -1);
                    return f.length > 3 ? f[3].replaceAll("\\^+", " ").strip() : seg;
                }
            }
            return body.length() > 120 ? body.substring(0, 120) : body;
        }
        try {
            String d = org.recordline.events.EventCodec.mapper().readTree(body).at("/issue/0/diagnostics").asText("");
            if (!d.isEmpty()) {
                return d;
            }
        } catch (IOException | RuntimeException notJson) {
            // an answer that is not an OperationOutcome: shown as it came
        }
        return body.length() > 120 ? body.substring(0, 120) : body;
    }

    private static void pause(String retryAfter, int attempt) {
        long ms = Math.min(30_000, 500L << Math.min(attempt, 6));
        if (retryAfter != null && retryAfter.matches("[0-9]{1,4}")) {
            ms = Math.max(ms, Long.parseLong(retryAfter) * 1000);
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final Map<Integer, Boolean> printedTenths = new TreeMap<>();

    private synchronized void progress(int done, int total, long start) {
        double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        double rate = done / secs;
        long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        String line = String.format("[%s%s] %d/%d  %.1f/s  ETA %d s", "#".repeat(filled), ".".repeat(width - filled),
                done, total, rate, eta);
        if (System.console() != null) {
            out.print("\r" + line);
        } else {
            int tenth = total == 0 ? 10 : (int) ((long) done * 10 / total);
            if (printedTenths.putIfAbsent(tenth, Boolean.TRUE) == null) {
                out.println(line);
            }
        }
        out.flush();
    }
}
