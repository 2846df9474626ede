package org.recordline.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.recordline.audit.domain.Checkpoint;
import org.recordline.audit.domain.CheckpointSigner;
import org.recordline.audit.domain.LogVerifier;
import org.recordline.audit.domain.MerkleTree;
import org.recordline.events.AuditActions;
import org.recordline.events.AuditEvent;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.Topics;
import org.recordline.local.LocalStack;
import org.recordline.local.StackSettings;
import org.recordline.testsupport.AuditCheckpointKey;
import org.recordline.testsupport.DatabaseRoles;
import org.recordline.testsupport.KafkaBroker;

/**
 * {@code ./recordline bench audit}: grows a fresh audit log to {@code --entries} synthetic audit events (ids only, no
 * patient data: submissions received and indexed, records read, about one event in four sharing its submission with
 * its neighbour), published by one producer straight onto {@code ehr.audit.v1} so that only the audit-service works,
 * and reports:
 * <ul>
 *   <li>the sustained append rate: entries per second from the first publish to the last entry appended, and over the
 *       middle 80% (from the entry that makes 10% of the log to the one that makes 90%), both from the entries'
 *       {@code recorded_at} (the time each batch was appended), while the chain head is polled once a second until
 *       the log holds them all; the checkpoints the service signed on the way and the size of schema {@code audit};</li>
 *   <li>the verify time: {@link LogVerifier} over the whole log as {@code ./recordline audit verify} runs it (the
 *       audit-service's role, one read-only snapshot, trusting the stack's checkpoint key), which must pass;</li>
 *   <li>the proofs at the full size: {@code GET /audit/proofs/inclusion} of the middle entry and
 *       {@code GET /audit/proofs/consistency} from the signed checkpoint at about a third of the log, both in the tree
 *       of a checkpoint of the whole log made for them ({@code POST /audit/checkpoints}), as an auditor: their sizes
 *       (32 bytes a hash) and response times, each proof checked here with {@link MerkleTree} against the signed
 *       roots and the entry's hash as the database holds it.</li>
 * </ul>
 * The audit-service gets the heap the stack gives it ({@link StackSettings#AUDIT_HEAP} unless
 * {@code RECORDLINE_SERVICE_HEAP} says more): proofs
 * read the kept roots of 1024-leaf blocks and a few blocks' leaves, not every entry. Every wait is bounded.
 */
public final class AuditBenchmark {

    private static final String SERVICE = "audit-service";
    private static final String HEAD = "SELECT last_seq FROM audit.audit_chain_head WHERE id = 1";
    /** The targets printed beside the figures. */
    private static final double TARGET_APPENDS_PER_SECOND = 20_000;
    private static final double TARGET_VERIFY_SECONDS_PER_MILLION = 10;
    private static final int TARGET_PROOF_BYTES = 1024;
    /** Calls of each proof: the first one pays for warming up. */
    private static final int PROOF_CALLS = 3;

    /**
     * The options.
     *
     * @param entries audit events to publish and append (10,000 to 5,000,000)
     */
    public record Options(int entries, int instances) {

        /** Parses {@code [--entries N] [--instances I]}. */
        public static Options parse(List<String> args) {
            Map<String, Integer> v = new LinkedHashMap<>();
            v.put("--entries", 1_000_000);
            v.put("--instances", 1);
            for (int i = 0; i < args.size(); i += 2) {
                if (!v.containsKey(args.get(i))) {
                    throw new PipelineBenchmark.UsageError("unknown option '" + args.get(i) + "' for bench audit");
                }
                if (i + 1 >= args.size()) {
                    throw new PipelineBenchmark.UsageError(args.get(i) + " needs a number");
                }
                try {
                    v.put(args.get(i), Integer.parseInt(args.get(i + 1)));
                } catch (NumberFormatException e) {
                    throw new PipelineBenchmark.UsageError(args.get(i) + " takes a whole number");
                }
            }
            Options o = new Options(v.get("--entries"), v.get("--instances"));
            if (o.entries() < 10_000 || o.entries() > 5_000_000) {
                throw new PipelineBenchmark.UsageError("bench audit takes --entries 10000 to 5000000");
            }
            if (o.instances() < 1 || o.instances() > 4) {
                throw new PipelineBenchmark.UsageError("bench audit takes --instances 1 to 4 (audit-service processes"
                        + " sharing ehr.audit.v1's partitions and appending to one log)");
            }
            return o;
        }
    }

    private final Options options;
    private final SummaryTable table = new SummaryTable();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private AuditBenchmark(Options options) {
        this.options = options;
    }

    /** Runs the benchmark. */
    public static void run(Path home, Options options) throws Exception {
        new AuditBenchmark(options).execute(home);
    }

    private void execute(Path home) throws Exception {
        Path state = Files.createTempDirectory("recordline-bench-audit-");
        try {
            StackSettings settings = new StackSettings(home, state, KafkaBroker.freePort(), KafkaBroker.freePort(),
                    KafkaBroker.freePort(), instances(options.instances()), serviceHeap(options.entries()));
            String heap = settings.heapFor(settings.services().get(0));
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf("Recordline audit log benchmark: %,d audit events from one producer; audit-service"
                    + " heap %s; %d cores%n", options.entries(), heap, cores);
            table.row("options", "`bench audit --entries " + options.entries() + (options.instances() > 1
                    ? " --instances " + options.instances() : "") + "`, audit-service heap " + heap + ", "
                    + cores + " cores");
            try (LocalStack stack = new LocalStack(settings)) {
                stack.start(Duration.ofSeconds(240));
                String api = "http://127.0.0.1:" + settings.services().get(0).port() + "/audit";
                String token = stack.tokens().token("bench-auditor", Duration.ofHours(6), "auditor");
                PublicKey key = trustedKey(state);
                long size = append(stack);
                verify(stack, key, size);
                proofs(stack, api, token, key);
                Path log = stack.logOf(SERVICE);
                System.out.println("audit-service log: " + log + " (" + Files.size(log) / 1024 + " kB)");
            }
            table.print();
        } finally {
            LocalStack.deleteState(state);
        }
    }


    /** {@code n} audit-service processes on free ports, in one consumer group, appending to one log. */
    private static List<StackSettings.ServiceSpec> instances(int n) {
        List<StackSettings.ServiceSpec> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(new StackSettings.ServiceSpec(SERVICE, KafkaBroker.freePort(), KafkaBroker.freePort(), i));
        }
        return out;
    }

    /** {@code RECORDLINE_SERVICE_HEAP} when set, else the stack's usual 192 MB. */
    static String serviceHeap(int entries) {
        String set = System.getenv("RECORDLINE_SERVICE_HEAP");
        return set != null && !set.isBlank() ? set.trim() : "192m";
    }

    private static String met(boolean met) {
        return met ? "met" : "**not met**";
    }

    // ---------------------------------------------------------------- appending

    /** Publishes the events, waits until the log holds them, reports the rates; returns the log's size. */
    private long append(LocalStack stack) throws Exception {
        int n = options.entries();
        long base = longQuery(stack, HEAD);
        long target = base + n;
        AtomicLong failed = new AtomicLong();
        Instant firstPublish;
        double publishSecs;
        System.out.printf("publishing %,d audit events to %s ...%n", n, Topics.AUDIT);
        try (KafkaProducer<String, byte[]> producer = producer(stack.broker().bootstrapServers())) {
            firstPublish = Instant.now();
            long t0 = System.nanoTime();
            String submission = null;
            for (int k = 0; k < n; k++) {
                // events 4j and 4j + 1 are one submission received and then indexed; the others stand alone
                if (k % 4 != 1) {
                    submission = UUID.randomUUID().toString();
                }
                send(producer, event(k, submission), failed);
            }
            producer.flush();
            publishSecs = (System.nanoTime() - t0) / 1e9;
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + n + " audit events could not be published");
        }
        System.out.printf("  published in %.1f s = %,.0f/s (one producer)%n", publishSecs, n / publishSecs);

        long size = awaitAppended(stack, target);
        long tenth = base + (n + 9) / 10;
        long ninetyth = base + (9L * n + 9) / 10;
        Instant firstAppend;
        Instant atTenth;
        Instant atNinetyth;
        Instant lastAppend;
        try (Connection c = stack.database().connect()) {
            firstAppend = recordedAt(c, base + 1);
            atTenth = recordedAt(c, tenth);
            atNinetyth = recordedAt(c, ninetyth);
            lastAppend = recordedAt(c, target);
        }
        double overallSecs = seconds(firstPublish, lastAppend);
        double steadySecs = seconds(atTenth, atNinetyth);
        long steadyEntries = ninetyth - tenth;
        double overall = overallSecs > 0 ? n / overallSecs : Double.NaN;
        double steady = steadySecs > 0 ? steadyEntries / steadySecs : Double.NaN;
        long checkpoints = longQuery(stack, "SELECT count(*) FROM audit.audit_checkpoint");
        long bytes = longQuery(stack, "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = 'audit' AND c.relkind IN ('r', 'm')");
        // the log's monthly partitions with their indexes
        long entryTable = longQuery(stack, "SELECT sum(pg_total_relation_size(relid))"
                + " FROM pg_partition_tree('audit.audit_entry')");

        System.out.printf("%n%,d entries in the log (%,d appended by this run):%n", size, n);
        System.out.printf("  first entry appended %.1f s after the first publish, the last %.1f s after%n",
                seconds(firstPublish, firstAppend), overallSecs);
        System.out.printf("  append rate: %,.0f entries/s overall, %,.0f entries/s steady (entries %,d to %,d in"
                + " %.1f s)%n", overall, steady, tenth, ninetyth, steadySecs);
        System.out.printf("  checkpoints: %,d%n", checkpoints);
        System.out.printf("  database: schema audit %,d MB = %,d bytes per entry (audit_entry with its indexes %,d"
                + " MB)%n", bytes >> 20, size == 0 ? 0 : bytes / size, entryTable >> 20);
        table.row("append rate overall (first publish to last append)", String.format("%,.0f entries/s (%,d entries in"
                + " %.1f s; published in %.1f s by one producer); target ≥ %,.0f/s: %s", overall, n, overallSecs,
                publishSecs, TARGET_APPENDS_PER_SECOND, met(overall >= TARGET_APPENDS_PER_SECOND)));
        table.row("append rate steady (10% to 90% of the entries appended)", String.format("%,.0f entries/s (%,d entries"
                + " in %.1f s); target ≥ %,.0f/s: %s", steady, steadyEntries, steadySecs, TARGET_APPENDS_PER_SECOND,
                met(steady >= TARGET_APPENDS_PER_SECOND)));
        table.row("checkpoints made while appending", String.format("%,d (one per %,d entries on average)", checkpoints,
                checkpoints == 0 ? 0 : size / checkpoints));
        table.row("schema audit on disk", String.format("%,d MB = %,d bytes per entry (audit_entry with its indexes %,d MB)",
                bytes >> 20, size == 0 ? 0 : bytes / size, entryTable >> 20));
        return size;
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /**
     * Audit event {@code k} of the run, about {@code submission}: {@code k % 4 == 0} a submission received from one of
     * 20 EHRs, {@code 1} the same submission indexed (the same patient), otherwise a record read by one of 500
     * technicians. Ids only: the patient is {@code ehr-bench|p<k>}.
     */
    static AuditEvent event(int k, String submission) {
        int patient = k % 4 == 1 ? k - 1 : k;
        String[] what = switch (k % 4) {
            case 0 -> new String[] {"ingestion-service", AuditActions.SUBMISSION_RECEIVED, "ehr-bench-" + (k % 20),
                    "ehr-publisher", "Patient, 1 resource"};
            case 1 -> new String[] {"index-service", AuditActions.RECORD_INDEXED, "index-service", null, "filed"};
            default -> new String[] {"index-service", AuditActions.RECORD_READ, "technician-" + (k % 500),
                    "records-technician", "GET /fhir/Patient/{id}"};
        };
        AuditEvent.Context context = new AuditEvent.Context(what[3] == null ? null : List.of(what[3]), null,
                "10.0.0." + (k % 250), "corr-" + k, "person-" + (patient % 50_000), null,
                List.of("ehr-bench|p" + patient), null, null);
        return new AuditEvent(UUID.randomUUID().toString(), Instant.now(), what[0], what[1], AuditActions.SUCCESS,
                what[2], submission, "ehr-bench|p" + patient, "TREAT", what[4], context);
    }

    private static void send(KafkaProducer<String, byte[]> producer, AuditEvent e, AtomicLong failed) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.AUDIT, e.submissionId(),
                EventCodec.encode(e));
        new CloudEventHeaders(e.eventId(), "/recordline/bench", EventTypes.AUDIT, e.occurredAt(), e.submissionId(),
                e.submissionId()).writeTo(record.headers());
        producer.send(record, (metadata, exception) -> {
            if (exception != null) {
                failed.incrementAndGet();
            }
        });
    }

    /**
     * Polls the chain head once a second until the log holds {@code target} entries; returns its size then. Fails
     * when the log stops growing for two minutes (an event dead-lettered, the service down) or after an hour.
     */
    private static long awaitAppended(LocalStack stack, long target) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.HOURS.toNanos(1);
        long lastMove = start;
        long lastPrint = start;
        long seen = -1;
        long printed = 0;
        try (Connection c = stack.database().connect(); PreparedStatement ps = c.prepareStatement(HEAD)) {
            while (true) {
                long seq;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seq = rs.getLong(1);
                }
                if (seq >= target) {
                    return seq;
                }
                long now = System.nanoTime();
                if (seq != seen) {
                    seen = seq;
                    lastMove = now;
                }
                if (now - lastMove > TimeUnit.MINUTES.toNanos(2)) {
                    throw new IllegalStateException("the audit log stopped growing at " + seq + " of " + target
                            + " entries for two minutes; see " + stack.logOf(SERVICE) + " and "
                            + Topics.deadLetterOf(Topics.AUDIT));
                }
                if (now > deadline) {
                    throw new IllegalStateException("the audit log did not reach " + target + " entries within an"
                            + " hour (" + seq + ")");
                }
                if (now - lastPrint > TimeUnit.SECONDS.toNanos(10)) {
                    System.out.printf("  ... %,d of %,d entries appended (%+,d in 10 s)%n", seq, target,
                            seq - printed);
                    printed = seq;
                    lastPrint = now;
                }
                Thread.sleep(1000);
            }
        }
    }

    /** When entry {@code seq} was appended (its batch's time, as the service stored it). */
    private static Instant recordedAt(Connection c, long seq) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT recorded_at FROM audit.audit_entry WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("audit log entry " + seq + " is missing");
                }
                return rs.getTimestamp(1).toInstant();
            }
        }
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static long longQuery(LocalStack stack, String sql) throws Exception {
        try (Connection c = stack.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------- verifying

    /** The stack's checkpoint key, as {@code ./recordline audit verify} trusts it by default. */
    private static PublicKey trustedKey(Path state) throws Exception {
        Path file = AuditCheckpointKey.loadOrCreate(state.resolve("keys"));
        List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        // the private key, then the public one
        return CheckpointSigner.publicKey(lines.get(lines.size() - 1));
    }

    /**
     * Verifies the whole log as {@code ./recordline audit verify} does: the audit-service's role, one read-only
     * snapshot, the stack's key. Fails the benchmark when the log does not verify.
     */
    private void verify(LocalStack stack, PublicKey key, long size) throws Exception {
        System.out.printf("%nverifying the whole log offline (LogVerifier) ...%n");
        long t0 = System.nanoTime();
        LogVerifier.Result result;
        try (Connection c = stack.database().connect(DatabaseRoles.AUDIT)) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            result = new LogVerifier(List.of(key)).verify(c, "audit", List.of());
            c.rollback();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("  %s in %.1f s (%,.0f entries/s)%n", result, secs, result.entries() / secs);
        if (!result.ok()) {
            throw new IllegalStateException("the audit log did not verify: " + result.fault()
                    + (result.position() == null ? "" : " (first fault at entry " + result.position() + ")"));
        }
        if (result.entries() < size) {
            throw new IllegalStateException("the verifier read " + result.entries() + " entries, the log holds "
                    + size);
        }
        double target = TARGET_VERIFY_SECONDS_PER_MILLION * result.entries() / 1_000_000.0;
        table.row("verify the whole log (LogVerifier, offline, one snapshot)", String.format("%.1f s for %,d entries and"
                + " %,d checkpoints, verified OK (%,.0f entries/s); target < 10 s per 1,000,000 entries: %s", secs,
                result.entries(), result.checkpoints(), result.entries() / secs, met(secs < target)));
    }

    // ---------------------------------------------------------------- proofs

    /** An answer of the API: its JSON, its length in characters and how long it took. */
    private record Answer(JsonNode json, int chars, long ms) {
    }

    private Answer call(HttpRequest.Builder request, String token) throws Exception {
        HttpRequest req = request.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(10)).build();
        long t0 = System.nanoTime();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (res.statusCode() != 200) {
            throw new IllegalStateException(req.method() + " " + req.uri() + " answered " + res.statusCode() + ": "
                    + res.body());
        }
        return new Answer(EventCodec.mapper().readTree(res.body()), res.body().length(), ms);
    }

    /** Calls {@code url} {@link #PROOF_CALLS} times; the last answer, with the times of all in {@code ms}. */
    private Answer proof(String url, String token, List<Long> ms) throws Exception {
        Answer last = null;
        for (int i = 0; i < PROOF_CALLS; i++) {
            last = call(HttpRequest.newBuilder(URI.create(url)).GET(), token);
            ms.add(last.ms());
        }
        return last;
    }

    private static String times(List<Long> ms) {
        StringJoiner j = new StringJoiner(" / ", "", " ms");
        ms.forEach(v -> j.add(String.valueOf(v)));
        return j.toString();
    }

    /**
     * Proves the middle entry's inclusion in, and the tree of the signed checkpoint at about a third of the log
     * extended by, a checkpoint of the whole log signed now; checks both proofs here against the signed roots.
     */
    private void proofs(LocalStack stack, String api, String token, PublicKey key) throws Exception {
        System.out.printf("%nproofs at the full size (as an auditor) ...%n");
        Answer made = call(HttpRequest.newBuilder(URI.create(api + "/checkpoints"))
                .POST(HttpRequest.BodyPublishers.noBody()), token);
        Checkpoint whole = checkpoint(made.json());
        if (!whole.verify(key)) {
            throw new IllegalStateException("the checkpoint of the whole log is not signed by the stack's key");
        }
        long size = whole.treeSize();
        System.out.printf("  checkpoint of the whole log: %,d entries, root %s%n", size,
                MerkleTree.hex(whole.rootHash()));

        // inclusion of the middle entry, checked with its hash as the database holds it
        long seq = Math.max(1, size / 2);
        List<Long> inclusionMs = new ArrayList<>();
        Answer inclusion = proof(api + "/proofs/inclusion?seq=" + seq + "&treeSize=" + size, token, inclusionMs);
        List<byte[]> inclusionPath = hashes(inclusion.json().path("path"));
        byte[] entryHash = entryHash(stack, seq);
        byte[] leaf = MerkleTree.leafHash(entryHash);
        byte[] otherEntry = entryHash.clone();
        otherEntry[0] ^= 1;
        boolean included = MerkleTree.hex(leaf).equals(inclusion.json().path("leafHash").asText())
                && MerkleTree.hex(whole.rootHash()).equals(inclusion.json().path("rootHash").asText())
                && MerkleTree.verifyInclusion(seq - 1, size, leaf, inclusionPath, whole.rootHash())
                && !MerkleTree.verifyInclusion(seq - 1, size, MerkleTree.leafHash(otherEntry), inclusionPath,
                whole.rootHash());
        if (!included) {
            throw new IllegalStateException("the inclusion proof of entry " + seq + " does not verify against the"
                    + " signed checkpoint of " + size + " entries");
        }
        int inclusionBytes = inclusionPath.size() * 32;
        System.out.printf("  inclusion of entry %,d in %,d: %d hashes = %,d bytes (JSON %,d characters), %s;"
                + " verified%n", seq, size, inclusionPath.size(), inclusionBytes, inclusion.chars(),
                times(inclusionMs));
        table.row("inclusion proof at full size", String.format("%d hashes = %,d bytes, %s (%d calls; entry %,d in a tree of"
                + " %,d, verified against the signed root); target < 1 KB: %s", inclusionPath.size(), inclusionBytes,
                times(inclusionMs), PROOF_CALLS, seq, size, met(inclusionBytes < TARGET_PROOF_BYTES)));

        // consistency from the signed checkpoint at about a third of the log to the whole log's
        Checkpoint earlier = storedCheckpointAtMost(stack, Math.max(1, size / 3));
        if (earlier != null && !earlier.verify(key)) {
            throw new IllegalStateException("the stored checkpoint at tree size " + earlier.treeSize()
                    + " is not signed by the stack's key");
        }
        long first = earlier != null ? earlier.treeSize() : Math.max(1, size / 3);
        List<Long> consistencyMs = new ArrayList<>();
        Answer consistency = proof(api + "/proofs/consistency?first=" + first + "&second=" + size, token,
                consistencyMs);
        List<byte[]> consistencyPath = hashes(consistency.json().path("path"));
        // without a stored checkpoint at or below a third (none was made), the first root is the service's word
        byte[] firstRoot = earlier != null ? earlier.rootHash()
                : MerkleTree.unhex(consistency.json().path("firstRoot").asText());
        byte[] rewritten = firstRoot.clone();
        rewritten[31] ^= 1;
        boolean consistent = MerkleTree.hex(firstRoot).equals(consistency.json().path("firstRoot").asText())
                && MerkleTree.hex(whole.rootHash()).equals(consistency.json().path("secondRoot").asText())
                && MerkleTree.verifyConsistency(first, size, firstRoot, whole.rootHash(), consistencyPath)
                && !MerkleTree.verifyConsistency(first, size, rewritten, whole.rootHash(), consistencyPath);
        if (!consistent) {
            throw new IllegalStateException("the consistency proof from " + first + " to " + size + " entries does"
                    + " not verify against the signed roots");
        }
        int consistencyBytes = consistencyPath.size() * 32;
        String from = earlier != null ? "the signed checkpoint at " : "an unsigned tree of ";
        System.out.printf("  consistency of %,d with %,d: %d hashes = %,d bytes (JSON %,d characters), %s;"
                + " verified%n", first, size, consistencyPath.size(), consistencyBytes, consistency.chars(),
                times(consistencyMs));
        table.row("consistency proof at full size", String.format("%d hashes = %,d bytes, %s (%d calls; from %s%,d entries"
                + " to %,d, verified against the signed roots); target < 1 KB: %s", consistencyPath.size(),
                consistencyBytes, times(consistencyMs), PROOF_CALLS, from, first, size,
                met(consistencyBytes < TARGET_PROOF_BYTES)));
    }

    private static List<byte[]> hashes(JsonNode path) {
        if (!path.isArray()) {
            throw new IllegalStateException("a proof without a path array");
        }
        List<byte[]> out = new ArrayList<>();
        for (JsonNode h : path) {
            out.add(MerkleTree.unhex(h.asText()));
        }
        return out;
    }

    /** A checkpoint as the API returns it (as {@code ./recordline audit verify --checkpoint} reads one). */
    private static Checkpoint checkpoint(JsonNode n) {
        return new Checkpoint(n.get("treeSize").asLong(), MerkleTree.unhex(n.get("rootHash").asText()),
                Instant.parse(n.get("createdAt").asText()), n.get("keyId").asText(),
                Base64.getDecoder().decode(n.get("signature").asText()));
    }

    /** The stored checkpoint with the largest tree of at most {@code size} entries, or null. */
    private static Checkpoint storedCheckpointAtMost(LocalStack stack, long size) throws Exception {
        try (Connection c = stack.database().connect(); PreparedStatement ps = c.prepareStatement("SELECT tree_size,"
                + " root_hash, created_at, key_id, signature FROM audit.audit_checkpoint WHERE tree_size <= ?"
                + " ORDER BY tree_size DESC LIMIT 1")) {
            ps.setLong(1, size);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Checkpoint(rs.getLong(1), rs.getBytes(2), rs.getTimestamp(3).toInstant(),
                        rs.getString(4), rs.getBytes(5)) : null;
            }
        }
    }

    /** The chain hash of entry {@code seq} as the database holds it. */
    private static byte[] entryHash(LocalStack stack, long seq) throws Exception {
        try (Connection c = stack.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT entry_hash FROM audit.audit_entry WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("audit log entry " + seq + " is missing");
                }
                return rs.getBytes(1);
            }
        }
    }
}
