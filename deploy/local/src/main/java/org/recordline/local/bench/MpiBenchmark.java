package org.recordline.local.bench;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.local.LocalStack;
import org.recordline.local.StackSettings;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.SharedData;

/**
 * {@code ./recordline bench mpi}: grows a fresh master patient index to {@code --persons} synthetic people (names,
 * addresses and birth dates drawn from FEBRL's originals, so common names are common) with realistic duplicates from
 * other sources (typos, swapped names, moved addresses, missing fields, transposed birth dates), published as
 * validated submissions straight onto {@code ehr.validated.v1} so that only the index-service works. At 10%, 50% and
 * 100% of the people it reports registration throughput (registrations filed per second over the segment, until the
 * consumer group has committed every record and the outbox is empty), the latency of single matches (a demographic
 * search, {@code GET /fhir/Patient}, from one client), the database size per person, and how the duplicates were
 * resolved (linked, split, open for review, false links).
 */
public final class MpiBenchmark {

    private static final String GROUP = "index-service";

    /**
     * The options.
     *
     * @param persons    distinct synthetic people (1,000 to 5,000,000)
     * @param duplicates percentage of people who also come from a second source (0 to 100); a fifth of those from a
     *                   third as well
     * @param probes     single searches at each checkpoint (0 to 10,000)
     */
    public record Options(int persons, int duplicates, int probes) {

        /** Parses {@code [--persons N] [--duplicates P] [--probes Q]}. */
        public static Options parse(List<String> args) {
            Map<String, Integer> v = new LinkedHashMap<>();
            v.put("--persons", 1_000_000);
            v.put("--duplicates", 25);
            v.put("--probes", 500);
            for (int i = 0; i < args.size(); i += 2) {
                if (!v.containsKey(args.get(i))) {
                    throw new PipelineBenchmark.UsageError("unknown option '" + args.get(i) + "' for bench mpi");
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
            Options o = new Options(v.get("--persons"), v.get("--duplicates"), v.get("--probes"));
            if (o.persons() < 1_000 || o.persons() > 5_000_000 || o.duplicates() < 0 || o.duplicates() > 100
                    || o.probes() < 0 || o.probes() > 10_000) {
                throw new PipelineBenchmark.UsageError("bench mpi takes --persons 1000 to 5000000, --duplicates 0 to"
                        + " 100, --probes 0 to 10000");
            }
            return o;
        }
    }

    private final Options options;
    private final Population population;
    private final SummaryTable table = new SummaryTable();
    private String metrics;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private MpiBenchmark(Options options, Population population) {
        this.options = options;
        this.population = population;
    }

    /** Runs the benchmark. */
    public static void run(Path home, Options options) throws Exception {
        new MpiBenchmark(options, Population.fromFebrl(SharedData.root().resolve("febrl"))).execute(home);
    }

    private void execute(Path home) throws Exception {
        Path state = Files.createTempDirectory("recordline-bench-mpi-");
        try {
            StackSettings settings = new StackSettings(home, state, KafkaBroker.freePort(), KafkaBroker.freePort(),
                    KafkaBroker.freePort(), List.of(PipelineBenchmark.spec("index-service")),
                    System.getenv().getOrDefault("RECORDLINE_SERVICE_HEAP", "192m"));
            System.out.printf("Recordline MPI benchmark: %d people, %d%% also from a second source; %d cores%n",
                    options.persons(), options.duplicates(), Runtime.getRuntime().availableProcessors());
            table.row("options", "`bench mpi --persons " + options.persons() + " --duplicates " + options.duplicates()
                    + " --probes " + options.probes() + "`, " + Runtime.getRuntime().availableProcessors()
                    + " cores");
            try (LocalStack stack = new LocalStack(settings)) {
                stack.start(Duration.ofSeconds(240));
                String bootstrap = stack.broker().bootstrapServers();
                String token = stack.tokens().token("bench-technician", Duration.ofHours(6), "records-technician");
                String search = "http://127.0.0.1:" + settings.services().get(0).port() + "/fhir/Patient";
                metrics = "http://127.0.0.1:" + settings.services().get(0).managementPort() + "/q/metrics";
                try (KafkaProducer<String, byte[]> producer = producer(bootstrap);
                     Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    int[] checkpoints = {options.persons() / 10, options.persons() / 2, options.persons()};
                    Generator generator = new Generator(population, options.duplicates(), new Random(20261127));
                    long sent = 0;
                    for (int checkpoint : checkpoints) {
                        long t0 = System.nanoTime();
                        long segment = generator.publishUntil(checkpoint, producer);
                        producer.flush();
                        sent += segment;
                        double publishSecs = (System.nanoTime() - t0) / 1e9;
                        awaitDrained(admin, stack, sent, sent - segment);
                        double secs = (System.nanoTime() - t0) / 1e9;
                        report(checkpoint, segment, publishSecs, secs, stack, search, token, generator);
                    }
                    resolution(stack, generator);
                    statements(stack);
                }
                Path log = stack.logOf("index-service");
                System.out.println("index-service log: " + log + " (" + Files.size(log) / 1024 + " kB)");
            }
            table.print();
        } finally {
            LocalStack.deleteState(state);
        }
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
     * Waits until the index-service's consumer group has committed offsets covering {@code published} records of
     * {@code ehr.validated.v1} and its outbox is empty (every record change and audit event published). Polls once a
     * second: a benchmark's wait, bounded by an hour.
     */
    private static void awaitDrained(Admin admin, LocalStack stack, long published, long before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
        long last = before;
        long lastPrint = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long committed = committed(admin);
            long outbox = outboxSize(stack);
            if (committed >= published && outbox == 0) {
                return;
            }
            if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(30)) {
                System.out.printf("  ... %d of %d registrations committed (%+d in 30 s), outbox %d%n", committed,
                        published, committed - last, outbox);
                last = committed;
                lastPrint = System.nanoTime();
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("the index did not drain within an hour");
    }

    private static long committed(Admin admin) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get();
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(Topics.VALIDATED)
                && e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
    }

    private static long outboxSize(LocalStack stack) throws Exception {
        return longQuery(stack, "SELECT count(*) FROM mpi.outbox_event");
    }

    /**
     * Where the database's time went, when the server loads {@code pg_stat_statements}
     * ({@code RECORDLINE_POSTGRES_SETTINGS=shared_preload_libraries=pg_stat_statements}): the statements that took
     * the most time in all, with their calls and rows.
     */
    private static void statements(LocalStack stack) throws Exception {
        try (Connection c = stack.database().connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT current_setting('shared_preload_libraries')")) {
                if (!rs.next() || !rs.getString(1).contains("pg_stat_statements")) {
                    return;
                }
            }
            st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            System.out.printf("%nthe database's statements by total time (pg_stat_statements):%n");
            try (ResultSet rs = st.executeQuery("SELECT total_exec_time, calls, rows, left(regexp_replace(query,"
                    + " '\\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15")) {
                while (rs.next()) {
                    System.out.printf("  %9.1f s %,9d calls %,11d rows  %s%n", rs.getDouble(1) / 1000,
                            rs.getLong(2), rs.getLong(3), rs.getString(4));
                }
            }
        }
    }

    private static long longQuery(LocalStack stack, String sql) throws Exception {
        try (Connection c = stack.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void report(int checkpoint, long segment, double publishSecs, double secs, LocalStack stack,
                        String search, String token, Generator generator) throws Exception {
        long persons = longQuery(stack, "SELECT count(*) FROM mpi.enterprise_person");
        long sources = longQuery(stack, "SELECT count(*) FROM mpi.source_record");
        long bytes = longQuery(stack, "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n"
                + " ON n.oid = c.relnamespace WHERE n.nspname = 'mpi' AND c.relkind IN ('r', 'm')");
        long blockKeys = longQuery(stack, "SELECT pg_total_relation_size('mpi.block_key')");
        List<Long> probes = probe(search, token, generator, checkpoint);
        System.out.printf("%n%,d people (%,d source records, %,d enterprise persons):%n", checkpoint, sources, persons);
        System.out.printf("  segment: %,d registrations published in %.1f s, filed in %.1f s = %.0f/s%n", segment,
                publishSecs, secs, segment / secs);
        System.out.printf("  single match (GET /fhir/Patient, one client, ms): %s%n",
                PipelineBenchmark.summary(probes));
        String matching = serverMatching();
        System.out.printf("  of which matching in the index (recordline.index.search.match, ms): %s%n", matching);
        System.out.printf("  database: schema mpi %,d MB = %,d bytes per source record (blocking keys %,d MB)%n",
                bytes >> 20, sources == 0 ? 0 : bytes / sources, blockKeys >> 20);
        String at = String.format("at %,d people", checkpoint);
        table.row("registrations/s " + at, String.format("%.0f/s (%,d in %.0f s)", segment / secs, segment, secs));
        table.row("single match p50 / p99 " + at, PipelineBenchmark.percentiles(probes, 50, 99)
                + " (the index's matching alone: " + matching + ")");
        table.row("database per source record " + at, String.format("%,d bytes (%,d MB in all)",
                sources == 0 ? 0 : bytes / sources, bytes >> 20));
    }

    /** {@code --probes} demographic searches for people already filed, one at a time; the latency of each. */
    private List<Long> probe(String search, String token, Generator generator, int filed) throws Exception {
        Random r = new Random(filed);
        List<Long> out = new ArrayList<>();
        int failures = 0;
        for (int i = 0; i < options.probes(); i++) {
            Person p = population.person(r.nextInt(filed));
            String q = "?family=" + enc(p.family()) + "&given=" + enc(p.given()) + "&birthdate=" + p.birthDate();
            HttpRequest req = HttpRequest.newBuilder(URI.create(search + q)).header("Authorization", "Bearer "
                    + token).timeout(Duration.ofSeconds(30)).GET().build();
            long t0 = System.nanoTime();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (res.statusCode() != 200 || !res.body().contains("\"search\"")) {
                failures++;
            }
            out.add(ms);
        }
        if (failures > 0) {
            System.out.println("  searches answered other than 200 with a match: " + failures);
        }
        return out;
    }

    /**
     * p50 / p99 / max of the index's own timer of the searches' matching (blocking lookup, comparison, scoring),
     * which leaves out HTTP, the golden records, the audit events and the commit; from its Prometheus metrics.
     */
    private String serverMatching() throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(metrics)).GET()
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : res.body().split("\n")) {
            if (!line.startsWith("recordline_index_search_match_seconds")) {
                continue;
            }
            String name = line.contains("quantile=\"0.5\"") ? "p50" : line.contains("quantile=\"0.99\"") ? "p99"
                    : line.startsWith("recordline_index_search_match_seconds_max") ? "max" : null;
            if (name != null) {
                values.put(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) * 1000);
            }
        }
        return values.isEmpty() ? "not reported" : String.format("%.1f / %.1f / %.1f ms", values.getOrDefault("p50",
                Double.NaN), values.getOrDefault("p99", Double.NaN), values.getOrDefault("max", Double.NaN));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** How the index resolved the generated duplicates, from the source record keys (which carry the truth). */
    private void resolution(LocalStack stack, Generator generator) throws Exception {
        String truth = "substring(source_record_key from '\\|[a-z]+-([0-9]+)$')";
        long split = longQuery(stack, "SELECT count(*) FROM (SELECT " + truth + " FROM mpi.source_record GROUP BY 1"
                + " HAVING count(DISTINCT enterprise_person_id) > 1) t");
        long falseLinks = longQuery(stack, "SELECT count(*) FROM (SELECT enterprise_person_id FROM mpi.source_record"
                + " GROUP BY 1 HAVING count(DISTINCT " + truth + ") > 1) t");
        long open = longQuery(stack, "SELECT count(*) FROM mpi.possible_match WHERE status = 'OPEN'");
        long withDuplicates = generator.peopleWithDuplicates();
        System.out.printf("%nduplicates: %,d people came from more than one source; %,d of them are split over"
                + " several persons (%,d possible matches open for review); %,d persons mix two people%n",
                withDuplicates, split, open, falseLinks);
        table.row("people from several sources / split / possible matches open / persons mixing two people",
                String.format("%,d / %,d / %,d / %,d", withDuplicates, split, open, falseLinks));
        if (falseLinks > 0) {
            // a few of the persons that mix two people, with their records and the decision that linked them
            // (synthetic people: printing them is how a wrong link is understood)
            System.out.println("persons mixing two people, for example:");
            try (Connection c = stack.database().connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT s.enterprise_person_id, s.source_record_key, s.demographics,"
                         + " d.rule, d.score, d.explanation->'fields' FROM mpi.source_record s LEFT JOIN LATERAL"
                         + " (SELECT * FROM mpi.match_decision m WHERE m.source_record_id = s.id ORDER BY m.id DESC"
                         + " LIMIT 1) d ON true WHERE s.enterprise_person_id IN (SELECT enterprise_person_id FROM"
                         + " mpi.source_record GROUP BY 1 HAVING count(DISTINCT " + truth + ") > 1 ORDER BY 1"
                         + " LIMIT 4) ORDER BY 1, s.id")) {
                while (rs.next()) {
                    System.out.printf("  %s %s %s%n    %s %s %s%n", rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6));
                }
            }
        }
    }

    // ---------------------------------------------------------------- the synthetic population

    /** One synthetic person as a source would send them. */
    record Person(long n, String given, String family, String sex, String birthDate, String streetNumber,
                  String street, String suburb, String postcode, String state, String phone, String ssn) {
    }

    /** Value pools drawn from FEBRL's original records (with their natural frequencies). */
    record Population(List<String> given, List<String> family, List<String[]> places, List<String> streets) {

        static Population fromFebrl(Path febrl) throws Exception {
            List<String> given = new ArrayList<>();
            List<String> family = new ArrayList<>();
            List<String[]> places = new ArrayList<>();
            List<String> streets = new ArrayList<>();
            for (String file : List.of("dataset1.csv", "dataset2.csv", "dataset3.csv")) {
                List<String> lines = Files.readAllLines(febrl.resolve(file));
                for (String line : lines.subList(1, lines.size())) {
                    String[] c = line.split(",", -1);
                    if (c.length < 11 || !c[0].strip().endsWith("-org")) {
                        continue;
                    }
                    add(given, c[1]);
                    add(family, c[2]);
                    add(streets, c[4]);
                    if (!c[6].isBlank() && c[7].strip().matches("[0-9]{4}")) {
                        places.add(new String[] {c[6].strip(), c[7].strip(), c[8].strip()});
                    }
                }
            }
            return new Population(given, family, places, streets);
        }

        private static void add(List<String> pool, String value) {
            String v = value.strip();
            if (v.matches("[a-z' -]{2,}")) {
                pool.add(v);
            }
        }

        /** Person {@code n}: the same values for the same {@code n}, every time. */
        Person person(long n) {
            Random r = new Random(n * 0x9E3779B97F4A7C15L + 17);
            String[] place = places.get(r.nextInt(places.size()));
            String dob = java.time.LocalDate.of(1925, 1, 1).plusDays(r.nextInt(35_000)).toString();
            return new Person(n, given.get(r.nextInt(given.size())), family.get(r.nextInt(family.size())),
                    r.nextBoolean() ? "female" : "male", dob, String.valueOf(1 + r.nextInt(300)),
                    streets.get(r.nextInt(streets.size())), place[0], place[1], place[2],
                    String.format("04%08d", r.nextInt(100_000_000)),
                    r.nextInt(100) < 60 ? String.format("%09d", Math.floorMod(n * 7_919L + 1_234_567L, 1_000_000_000L))
                            : null);
        }
    }

    /** A second source's record of {@code p}: one or two realistic differences. */
    static Person variant(Person p, Random r) {
        String given = p.given();
        String family = p.family();
        String dob = p.birthDate();
        String number = p.streetNumber();
        String street = p.street();
        String suburb = p.suburb();
        String postcode = p.postcode();
        String phone = p.phone();
        String ssn = p.ssn();
        int changes = 1 + r.nextInt(2);
        for (int i = 0; i < changes; i++) {
            switch (r.nextInt(7)) {
                case 0 -> given = typo(given, r);
                case 1 -> family = typo(family, r);
                case 2 -> {
                    String t = given;
                    given = family;
                    family = t;
                }
                case 3 -> { // moved house: another address and phone
                    number = String.valueOf(1 + r.nextInt(300));
                    street = typo(street, r);
                    postcode = String.valueOf(1000 + r.nextInt(9000));
                    phone = String.format("04%08d", r.nextInt(100_000_000));
                }
                case 4 -> { // missing fields
                    phone = null;
                    ssn = null;
                }
                case 5 -> dob = dob.substring(0, 5) + dob.substring(8, 10) + "-" + dob.substring(5, 7);
                default -> ssn = ssn == null ? null : typo(ssn, r);
            }
        }
        if (!dob.matches("[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")) {
            dob = p.birthDate(); // a transposition that is not a date: the source would not have sent it
        }
        return new Person(p.n(), given, family, p.sex(), dob, number, street, suburb, postcode, p.state(), phone, ssn);
    }

    /** One keying error: a letter dropped, doubled, replaced, or two neighbours swapped. */
    static String typo(String s, Random r) {
        if (s.length() < 3) {
            return s;
        }
        int i = 1 + r.nextInt(s.length() - 2);
        char[] c = s.toCharArray();
        return switch (r.nextInt(4)) {
            case 0 -> s.substring(0, i) + s.substring(i + 1);
            case 1 -> s.substring(0, i) + c[i] + s.substring(i);
            case 2 -> s.substring(0, i) + (Character.isDigit(c[i]) ? (char) ('0' + (c[i] - '0' + 1) % 10)
                    : (char) ('a' + (c[i] - 'a' + 1 + 26) % 26)) + s.substring(i + 1);
            default -> {
                char t = c[i];
                c[i] = c[i + 1];
                c[i + 1] = t;
                yield new String(c);
            }
        };
    }

    /** The Patient a source sends for {@code p}, with the source's MRN. */
    static String patient(Person p, String source, String mrn) {
        StringBuilder b = new StringBuilder(512);
        b.append("{\"resourceType\":\"Patient\",\"id\":\"").append(mrn).append("\",\"identifier\":[{\"system\":")
                .append("\"urn:oid:2.16.840.1.113883.19.").append(source).append("\",\"value\":\"").append(mrn)
                .append("\"}");
        if (p.ssn() != null) {
            b.append(",{\"system\":\"http://hl7.org/fhir/sid/us-ssn\",\"value\":\"").append(p.ssn()).append("\"}");
        }
        b.append("],\"name\":[{\"family\":\"").append(p.family()).append("\",\"given\":[\"").append(p.given())
                .append("\"]}],\"gender\":\"").append(p.sex()).append("\",\"birthDate\":\"").append(p.birthDate())
                .append("\",\"address\":[{\"line\":[\"").append(p.streetNumber()).append(' ').append(p.street())
                .append("\"],\"city\":\"").append(p.suburb()).append("\",\"postalCode\":\"").append(p.postcode())
                .append("\",\"state\":\"").append(p.state()).append("\"}]");
        if (p.phone() != null) {
            b.append(",\"telecom\":[{\"system\":\"phone\",\"value\":\"").append(p.phone()).append("\"}]");
        }
        return b.append('}').toString();
    }

    /**
     * Publishes the registrations of people {@code 0..n}: each person's first record at once, and their records
     * from other sources a while later (after up to 2,000 further people), as two hospitals would.
     */
    static final class Generator {
        private final Population population;
        private final int duplicates;
        private final Random random;
        private final PriorityQueue<long[]> pending = new PriorityQueue<>((x, y) -> Long.compare(x[1], y[1]));
        private long next;
        private long peopleWithDuplicates;

        Generator(Population population, int duplicates, Random random) {
            this.population = population;
            this.duplicates = duplicates;
            this.random = random;
        }

        long peopleWithDuplicates() {
            return peopleWithDuplicates;
        }

        /** Publishes up to person {@code until} (exclusive); returns how many registrations were published. */
        long publishUntil(long until, KafkaProducer<String, byte[]> producer) {
            long sent = 0;
            for (; next < until; next++) {
                Person p = population.person(next);
                send(producer, p, "a");
                sent++;
                if (random.nextInt(100) < duplicates) {
                    peopleWithDuplicates++;
                    pending.add(new long[] {next, next + random.nextInt(2_000), 1});
                    if (random.nextInt(5) == 0) {
                        pending.add(new long[] {next, next + random.nextInt(2_000), 2});
                    }
                }
                sent += flushPending(producer, next, false);
            }
            return sent + flushPending(producer, until, true);
        }

        private long flushPending(KafkaProducer<String, byte[]> producer, long now, boolean all) {
            long sent = 0;
            while (!pending.isEmpty() && (all || pending.peek()[1] <= now)) {
                long[] d = pending.poll();
                send(producer, variant(population.person(d[0]), new Random(d[0] * 31 + d[2])), d[2] == 1 ? "b" : "c");
                sent++;
            }
            return sent;
        }

        private static void send(KafkaProducer<String, byte[]> producer, Person p, String source) {
            String mrn = source + "-" + p.n();
            String key = "mpi-bench-" + source + "|" + mrn;
            String submission = UUID.randomUUID().toString();
            RecordValidated v = new RecordValidated(submission, "mpi-bench-" + source, key, Instant.now(),
                    List.of(), patient(p, source, mrn));
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.VALIDATED, key, EventCodec.encode(v));
            new CloudEventHeaders(UUID.randomUUID().toString(), "/recordline/bench", EventTypes.RECORD_VALIDATED,
                    Instant.now(), submission, submission).asMap().forEach((k, val) -> record.headers()
                    .add(new RecordHeader(k, val.getBytes(StandardCharsets.UTF_8))));
            producer.send(record);
        }
    }
}
