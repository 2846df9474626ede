package org.recordline.local;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.recordline.local.bench.AuditBenchmark;
import org.recordline.local.bench.IntakeBenchmark;
import org.recordline.local.bench.MpiBenchmark;
import org.recordline.local.bench.PipelineBenchmark;
import org.recordline.testsupport.DatabaseRoles;
import org.recordline.testsupport.TokenIssuer;

/**
 * {@code ./recordline}: runs the platform locally with the records console and its local sign-in ({@code up}), issues
 * tokens the local stack accepts ({@code token}), shows the events on a topic ({@code subscribe}) and measures it
 * ({@code bench}). Exit codes: 0 done (or
 * {@code help}); 2 a usage error (the usage goes to standard error) or a reason to refuse (a port taken, a service not
 * built or not ready); 1 anything else.
 */
public final class RecordlineLauncher {

    private static final List<String> ROLES = List.of("ehr-publisher", "records-technician", "auditor", "admin");

    /** The command line was wrong: print the usage and exit 2. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    private RecordlineLauncher() {
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("recordline.home", ".")).toAbsolutePath().normalize();
        int code = run(args, home, System.getenv(), System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs one command; returns the process exit code. */
    static int run(String[] args, Path home, Map<String, String> env, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "" : args[0];
        List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        try {
            switch (command) {
                case "help", "--help", "-h" -> out.print(usage());
                case "up" -> up(StackSettings.fromEnvironment(home, env), upOptions(rest), out);
                case "token" -> token(StackSettings.fromEnvironment(home, env), rest, out);
                case "bench" -> {
                    if (!rest.isEmpty() && rest.get(0).equals("mpi")) {
                        MpiBenchmark.run(home, MpiBenchmark.Options.parse(rest.subList(1, rest.size())));
                    } else if (!rest.isEmpty() && rest.get(0).equals("intake")) {
                        IntakeBenchmark.run(home, IntakeBenchmark.Options.parse(rest.subList(1, rest.size())));
                    } else if (!rest.isEmpty() && rest.get(0).equals("audit")) {
                        AuditBenchmark.run(home, AuditBenchmark.Options.parse(rest.subList(1, rest.size())));
                    } else {
                        PipelineBenchmark.run(home, PipelineBenchmark.Options.parse(rest));
                    }
                }
                case "import" -> {
                    if (!Importer.run(StackSettings.fromEnvironment(home, env), rest, out)) {
                        return 1;
                    }
                }
                case "subscribe" -> Subscribe.run(StackSettings.fromEnvironment(home, env), rest, out, err);
                case "match-model" -> matchModel(StackSettings.fromEnvironment(home, env), rest, out);
                case "audit" -> {
                    if (!AuditVerify.run(StackSettings.fromEnvironment(home, env), rest, out)) {
                        return 1;
                    }
                }
                case "" -> throw new UsageException("no command given");
                default -> throw new UsageException("unknown command " + quoted(command));
            }
            return 0;
        } catch (UsageException e) {
            err.println("recordline: " + e.getMessage());
            err.print(usage());
            return 2;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("recordline: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("recordline: " + e);
            return 1;
        }
    }

    static String usage() {
        return """
                usage: ./recordline up [--fresh]        start Kafka, PostgreSQL, the four services and the records
                                                      console (local sign-in); Ctrl-C stops
                       ./recordline token --role ROLE [--user NAME] [--ttl HOURS]
                                                      print a bearer token (roles: %s)
                       ./recordline bench [--patients N] [--clients C] [--rate R] [--rate-seconds S]
                                          [--bundles K] [--bundle-clients B] [--kill SERVICE]
                                                      start a fresh stack on free ports and measure it
                       ./recordline bench mpi [--persons N] [--duplicates P] [--probes Q]
                                                      grow a fresh patient index to N people and measure
                                                      registrations/s, single-match latency, size
                       ./recordline bench intake [--messages N] [--connections C] [--bundles K] [--clients B]
                                                      the ingestion-service alone: HL7 v2 over MLLP
                                                      (messages AA/s), Synthea bundles (resources/s)
                       ./recordline bench audit [--entries N] [--instances I]
                                                      grow a fresh audit log to N entries and measure
                                                      appends/s, offline verify time, proof sizes
                       ./recordline import PATH [--url URL] [--token TOKEN] [--clients N]
                                                      send FHIR JSON/XML/NDJSON and HL7 v2 files to the
                                                      ingestion-service (resends are safe); summary by outcome
                       ./recordline subscribe TOPIC [--from-beginning] [--payload] [--max N]
                                                      print the running stack's events on TOPIC as they
                                                      arrive, one line each (ids and counts; --payload
                                                      adds the JSON, patient data) until Ctrl-C
                       ./recordline match-model estimate [--records N] [--out FILE]
                                                      re-estimate the index's match model from its own
                                                      records (the running stack's); print or save it
                       ./recordline audit verify [--checkpoint FILE] [--public-key FILE]
                                                      check the running stack's audit log offline against
                                                      its signed checkpoints (and one kept outside, as
                                                      GET /audit/checkpoints/latest returned it)
                       ./recordline help              this text
                """.formatted(String.join(", ", ROLES));
    }

    /** {@code a, b, c or d}. */
    static String orList(List<String> items) {
        if (items.size() < 2) {
            return String.join("", items);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " or " + items.get(items.size() - 1);
    }

    static String quoted(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "'" + cut + "'";
    }

    private static boolean upOptions(List<String> args) {
        boolean fresh = false;
        for (String a : args) {
            if (!"--fresh".equals(a)) {
                throw new UsageException("unknown option " + quoted(a) + " for up");
            }
            fresh = true;
        }
        return fresh;
    }

    private static void up(StackSettings settings, boolean fresh, PrintStream out) {
        long t0 = System.nanoTime();
        LocalStack stack = new LocalStack(settings).withConsole();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("\nstopping Recordline ...");
            stack.close();
            out.println("stopped.");
            stopped.countDown();
        }, "recordline-stop"));
        out.println("starting PostgreSQL on " + settings.dbPort() + ", Kafka on " + settings.kafkaPort()
                + ", four services and the records console (logs in " + settings.stateDir().resolve("logs")
                + ") ...");
        stack.start(Duration.ofSeconds(180), fresh);
        if (fresh) {
            out.println("fresh start: the earlier data in " + settings.stateDir() + " was removed");
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        StringBuilder b = new StringBuilder();
        b.append(String.format("%nRecordline is ready (%.1f s).%n%n", secs));
        for (StackSettings.ServiceSpec s : settings.services()) {
            b.append(String.format("  %-19s http://localhost:%d   health/metrics http://localhost:%d/q/health%n",
                    s.name(), s.port(), s.managementPort()));
        }
        b.append(String.format("  %-19s localhost:%d   (HL7 v2 over MLLP from sending facility %s, recorded as %s)%n",
                "mllp", settings.mllpPort(), StackSettings.LOCAL_MLLP_FACILITY, StackSettings.LOCAL_MLLP_SOURCE));
        b.append(String.format("  %-19s localhost:%d%n", "kafka", settings.kafkaPort()));
        b.append(String.format("  %-19s jdbc:postgresql://localhost:%d/recordline (roles %s; passwords in %s)%n",
                "postgresql", settings.dbPort(), String.join(", ", DatabaseRoles.ALL), stack.credentialsFile()));
        b.append(String.format("  %-19s %s   (OpenID Connect for the records console; this machine only)%n",
                "local sign-in", stack.login().url()));
        b.append(String.format("%nRecords console: %s  (sign in as %s; passwords in %s)%n", stack.consoleUrl(),
                orList(stack.accounts().users()), stack.accountsFile()));
        b.append(String.format("%nGet a token and submit a record:%n"));
        b.append(String.format("  T=$(./recordline token --role ehr-publisher)%n"));
        b.append(String.format("  curl -H \"Authorization: Bearer $T\" -H 'Content-Type: application/fhir+json' "
                + "--data @patient.json localhost:%d/fhir%n", settings.services().get(0).port()));
        b.append(String.format("Roles: %s. Press Ctrl-C to stop.%n", String.join(", ", ROLES)));
        out.print(b);
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void token(StackSettings settings, List<String> args, PrintStream out) {
        String role = null;
        String user = null;
        long hours = 8;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!List.of("--role", "--user", "--ttl").contains(a)) {
                throw new UsageException("unknown option " + quoted(a) + " for token");
            }
            if (i + 1 >= args.size()) {
                throw new UsageException(a + " needs a value");
            }
            String v = args.get(++i);
            switch (a) {
                case "--role" -> role = v;
                case "--user" -> user = v;
                default -> {
                    try {
                        hours = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--ttl takes a whole number of hours, got " + quoted(v));
                    }
                    if (hours < 1 || hours > 24 * 366) {
                        throw new UsageException("--ttl takes 1 to 8784 hours, got " + hours);
                    }
                }
            }
        }
        if (role == null || !ROLES.contains(role)) {
            throw new UsageException("--role must be one of " + String.join(", ", ROLES));
        }
        if (user == null) {
            user = switch (role) {
                case "ehr-publisher" -> "local-ehr";
                case "records-technician" -> "local-technician";
                case "auditor" -> "local-auditor";
                default -> "local-admin";
            };
        }
        TokenIssuer issuer = TokenIssuer.loadOrCreate(settings.stateDir().resolve("keys"));
        out.println(issuer.token(user, Duration.ofHours(hours), role));
    }

    /**
     * {@code match-model estimate [--records N] [--out FILE]}: asks the running index-service for a match model
     * estimated from its own records ({@code POST /match-model/estimate}, as a local administrator) and prints it, or
     * writes it to FILE for review before it is put in force with {@code recordline.index.match.model-file}.
     */
    private static void matchModel(StackSettings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty() || !"estimate".equals(args.get(0))) {
            throw new UsageException("match-model takes the subcommand estimate");
        }
        String records = "100000";
        Path file = null;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (!List.of("--records", "--out").contains(a)) {
                throw new UsageException("unknown option " + quoted(a) + " for match-model estimate");
            }
            if (i + 1 >= args.size()) {
                throw new UsageException(a + " needs a value");
            }
            String v = args.get(++i);
            if ("--records".equals(a)) {
                if (!v.matches("[0-9]{1,7}")) {
                    throw new UsageException("--records takes a whole number, got " + quoted(v));
                }
                records = v;
            } else {
                file = Path.of(v);
            }
        }
        int port = settings.services().stream().filter(s -> s.name().equals("index-service")).findFirst()
                .orElseThrow().port();
        String token = TokenIssuer.loadOrCreate(settings.stateDir().resolve("keys"))
                .token("local-admin", Duration.ofHours(1), "admin");
        java.net.http.HttpResponse<String> r;
        try {
            r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/match-model/estimate?records=" + records))
                    .timeout(Duration.ofMinutes(30)).header("Authorization", "Bearer " + token)
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IllegalStateException("the index-service is not reachable on port " + port
                    + ": start the platform with ./recordline up");
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the index-service answered " + r.statusCode() + ": " + r.body());
        }
        if (file == null) {
            out.println(r.body());
        } else {
            java.nio.file.Files.writeString(file, r.body());
            out.println("match model written to " + file);
        }
    }
}
