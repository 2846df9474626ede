package org.recordline.local.bench;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.recordline.local.LocalStack;
import org.recordline.local.StackSettings;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.SharedData;

/**
 * The ingestion edge alone (the ingestion-service with its broker and database, nothing downstream): HL7 v2 ADT
 * messages over MLLP from parallel connections (messages acknowledged {@code AA} per second, each only once on the
 * broker), and Synthea bundles through {@code POST /fhir} from parallel clients (resources accepted per second).
 */
public final class IntakeBenchmark {

    /**
     * @param messages    HL7 v2 messages sent over MLLP (0 skips the phase)
     * @param connections parallel MLLP connections, each sending its next message when the last was acknowledged
     * @param bundles     Synthea bundle copies posted (0 skips the phase)
     * @param clients     parallel HTTP clients posting them
     */
    public record Options(int messages, int connections, int bundles, int clients) {

        /** Parses {@code --messages N --connections C --bundles K --clients B}. */
        public static Options parse(List<String> args) {
            int messages = 20_000;
            int connections = 8;
            int bundles = 200;
            int clients = 4;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                int v = Integer.parseInt(args.get(++i));
                switch (a) {
                    case "--messages" -> messages = v;
                    case "--connections" -> connections = v;
                    case "--bundles" -> bundles = v;
                    case "--clients" -> clients = v;
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (messages < 0 || connections < 1 || connections > 64 || bundles < 0 || clients < 1 || clients > 64) {
                throw new IllegalArgumentException("--messages and --bundles from 0, --connections and --clients"
                        + " from 1 to 64");
            }
            return new Options(messages, connections, bundles, clients);
        }
    }

    private final Options options;
    private final SummaryTable table = new SummaryTable();

    private IntakeBenchmark(Options options) {
        this.options = options;
    }

    /** Runs the benchmark. */
    public static void run(Path home, Options options) throws Exception {
        new IntakeBenchmark(options).execute(home);
    }

    private void execute(Path home) throws Exception {
        Path state = Files.createTempDirectory("recordline-bench-intake-");
        try {
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf("Recordline intake benchmark: %d HL7 v2 messages over %d MLLP connections, %d Synthea"
                    + " bundles from %d clients; %d cores%n", options.messages(), options.connections(),
                    options.bundles(), options.clients(), cores);
            table.row("options", String.format("`bench intake --messages %d --connections %d --bundles %d --clients %d`,"
                    + " %d cores", options.messages(), options.connections(), options.bundles(), options.clients(),
                    cores));
            List<Path> bundleBodies = prepareBundles(state.resolve("bench-bundles"));
            StackSettings settings = new StackSettings(home, state, KafkaBroker.freePort(), KafkaBroker.freePort(),
                    KafkaBroker.freePort(), List.of(PipelineBenchmark.spec("ingestion-service")),
                    System.getenv().getOrDefault("RECORDLINE_SERVICE_HEAP", "192m"));
            try (LocalStack stack = new LocalStack(settings)) {
                stack.start(Duration.ofSeconds(240));
                if (options.messages() > 0) {
                    mllp(settings.mllpPort());
                }
                if (!bundleBodies.isEmpty()) {
                    String token = stack.tokens().token("bench-ehr", Duration.ofHours(6), "ehr-publisher");
                    bundles("http://127.0.0.1:" + settings.services().get(0).port() + "/fhir", token, bundleBodies);
                }
            }
            table.print();
        } finally {
            LocalStack.deleteState(state);
        }
    }


    /** An A04 registration of patient {@code n} from the local stack's MLLP facility. */
    static String admission(long n) {
        return "MSH|^~\\&|BENCH|" + StackSettings.LOCAL_MLLP_FACILITY + "|RECORDLINE|RL|20260101120000+0000||"
                + "ADT^A04^ADT_A01|B" + n + "|P|2.5.1\rEVN|A04|20260101120000+0000\rPID|1||BMRN" + n
                + "^^^BENCHHOSP&1.2.3.4.5&ISO^MR||" + PipelineBenchmark.People.name(n) + "^"
                + PipelineBenchmark.People.name(n + 7_000_000L) + "||"
                + PipelineBenchmark.People.birthDate(n).replace("-", "") + "|F|||1 Bench St^^Springfield^IL^62701^US"
                + "||^PRN^PH^^^217^5550" + (1000 + n % 9000) + "\rPV1|1|O|||||||||||||||||V" + n
                + "|||||||||||||||||||||||||20260101113000+0000\r";
    }

    private void mllp(int port) throws Exception {
        int warm = Math.min(500, options.messages());
        runMllp(port, 0, warm, Math.min(options.connections(), 2));
        System.out.printf("MLLP warm-up: %d messages%n", warm);
        Result r = runMllp(port, 1_000_000, options.messages(), options.connections());
        double secs = r.nanos() / 1e9;
        System.out.printf("MLLP: %d messages acknowledged AA over %d connections in %.1f s: %.0f/s; latency %s%n",
                r.acked(), options.connections(), secs, r.acked() / secs, PipelineBenchmark.percentiles(r.latencies(),
                        50, 99));
        table.row("MLLP: messages acknowledged (AA)/s", String.format("%.0f/s (%d in %.1f s, %d connections, %d not AA)",
                r.acked() / secs, r.acked(), secs, options.connections(), r.other()));
        table.row("MLLP: acknowledgement latency, p50 / p99", PipelineBenchmark.percentiles(r.latencies(), 50, 99));
    }

    private record Result(long acked, long other, long nanos, List<Long> latencies) {
    }

    private static Result runMllp(int port, long base, int messages, int connections) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong acked = new AtomicLong();
        AtomicLong other = new AtomicLong();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(connections, PipelineBenchmark.daemon("bench-mllp"));
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            running.add(pool.submit(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(60_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    int i;
                    while ((i = next.getAndIncrement()) < messages) {
                        byte[] m = admission(base + i).getBytes(StandardCharsets.UTF_8);
                        long t0 = System.nanoTime();
                        byte[] frame = new byte[m.length + 3];
                        frame[0] = 0x0B;
                        System.arraycopy(m, 0, frame, 1, m.length);
                        frame[m.length + 1] = 0x1C;
                        frame[m.length + 2] = 0x0D;
                        out.write(frame);
                        out.flush();
                        String ack = readFrame(in);
                        latencies.add((System.nanoTime() - t0) / 1_000_000);
                        if (ack.contains("\rMSA|AA|")) {
                            acked.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        long nanos = System.nanoTime() - start;
        pool.shutdown();
        return new Result(acked.get(), other.get(), nanos, latencies);
    }

    private static String readFrame(InputStream in) throws java.io.IOException {
        int b;
        while ((b = in.read()) != 0x0B) {
            if (b == -1) {
                throw new java.io.EOFException("the MLLP connection closed");
            }
        }
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        while ((b = in.read()) != 0x1C) {
            if (b == -1) {
                throw new java.io.EOFException("the MLLP connection closed inside a frame");
            }
            content.write(b);
        }
        in.read();
        return content.toString(StandardCharsets.UTF_8);
    }

    /** Writes the bundle copies to files (the launcher's heap hosts the broker: 200 copies would crowd it). */
    private List<Path> prepareBundles(Path dir) throws Exception {
        List<Path> bodies = new ArrayList<>();
        if (options.bundles() == 0) {
            return bodies;
        }
        List<PipelineBenchmark.BundleTemplate> templates = new ArrayList<>();
        for (Path p : SharedData.syntheaPatientBundles()) {
            templates.add(PipelineBenchmark.BundleTemplate.of(Files.readString(p, StandardCharsets.UTF_8)));
        }
        Files.createDirectories(dir);
        for (int n = 0; n < options.bundles(); n++) {
            Path file = dir.resolve("bundle-" + n + ".json");
            Files.writeString(file, templates.get(n % templates.size()).copy(n), StandardCharsets.UTF_8);
            bodies.add(file);
        }
        return bodies;
    }

    private void bundles(String url, String token, List<Path> bodies) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        // warm-up: a tenth of the bundles (at least one), not counted
        int warm = Math.max(1, bodies.size() / 10);
        post(http, url, token, bodies.subList(0, warm), options.clients());
        List<Path> measured = bodies.subList(warm, bodies.size());
        long start = System.nanoTime();
        long[] accepted = post(http, url, token, measured, options.clients());
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("POST /fhir: %d Synthea bundles (%d resources) accepted in %.1f s: %.0f resources/s,"
                + " %.1f bundles/s; %d refused%n", accepted[0], accepted[1], secs, accepted[1] / secs,
                accepted[0] / secs, accepted[2]);
        table.row("POST /fhir Synthea bundles: resources accepted/s", String.format("%.0f/s (%d bundles, %d resources in"
                + " %.1f s, %d clients, %d refused)", accepted[1] / secs, accepted[0], accepted[1], secs,
                options.clients(), accepted[2]));
    }

    /** Posts every body from {@code clients} threads; returns bundles accepted, their resources, refusals. */
    private static long[] post(HttpClient http, String url, String token, List<Path> bodies, int clients)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong ok = new AtomicLong();
        AtomicLong resources = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients, PipelineBenchmark.daemon("bench-intake"));
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            running.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < bodies.size()) {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/fhir+json")
                            .POST(HttpRequest.BodyPublishers.ofFile(bodies.get(i))).build();
                    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                        ok.incrementAndGet();
                        String b = r.body();
                        int at = b.indexOf("\"entryCount\":");
                        if (at >= 0) {
                            resources.addAndGet(Long.parseLong(b.substring(at + 13).split("[,}]")[0].trim()));
                        }
                    } else {
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        return new long[] {ok.get(), resources.get(), refused.get()};
    }
}
