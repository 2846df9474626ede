package org.recordline.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.recordline.testsupport.TokenIssuer;

/**
 * {@code ./recordline}: runs the platform locally ({@code up}) and issues tokens the local stack accepts
 * ({@code token}).
 */
public final class RecordlineLauncher {

    private static final List<String> ROLES = List.of("ehr-publisher", "records-technician", "auditor", "admin");

    private RecordlineLauncher() {
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("recordline.home", ".")).toAbsolutePath().normalize();
        StackSettings settings = StackSettings.fromEnvironment(home, System.getenv());
        String command = args.length == 0 ? "help" : args[0];
        List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        try {
            switch (command) {
                case "up" -> up(settings, rest.contains("--fresh"));
                case "token" -> token(settings, rest);
                case "bench" -> org.recordline.local.bench.PipelineBenchmark.run(home, rest);
                default -> help();
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("recordline: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("recordline: " + e);
            System.exit(1);
        }
    }

    private static void help() {
        System.out.println("""
                usage: ./recordline up [--fresh]        start Kafka, PostgreSQL and the four services; Ctrl-C stops
                       ./recordline token --role ROLE [--user NAME] [--ttl HOURS]
                                                      print a bearer token (roles: %s)
                       ./recordline bench [--patients N] [--clients C]
                                                      start a fresh stack on free ports and measure it
                """.formatted(String.join(", ", ROLES)));
    }

    private static void up(StackSettings settings, boolean fresh) {
        if (fresh) {
            LocalStack.wipeData(settings.stateDir());
            System.out.println("fresh start: removed the data in " + settings.stateDir());
        }
        long t0 = System.nanoTime();
        LocalStack stack = new LocalStack(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping Recordline ...");
            stack.close();
            System.out.println("stopped.");
            stopped.countDown();
        }, "recordline-stop"));
        System.out.println("starting PostgreSQL on " + settings.dbPort() + ", Kafka on " + settings.kafkaPort()
                + " and four services (logs in " + settings.stateDir().resolve("logs") + ") ...");
        stack.start(Duration.ofSeconds(180));
        double secs = (System.nanoTime() - t0) / 1e9;
        StringBuilder out = new StringBuilder();
        out.append(String.format("%nRecordline is ready (%.1f s).%n%n", secs));
        for (StackSettings.ServiceSpec s : settings.services()) {
            out.append(String.format("  %-19s http://localhost:%d   health/metrics http://localhost:%d/q/health%n",
                    s.name(), s.port(), s.managementPort()));
        }
        out.append(String.format("  %-19s localhost:%d%n", "kafka", settings.kafkaPort()));
        out.append(String.format("  %-19s jdbc:postgresql://localhost:%d/recordline (user postgres)%n", "postgresql",
                settings.dbPort()));
        out.append(String.format("%nGet a token and submit a record:%n"));
        out.append(String.format("  T=$(./recordline token --role ehr-publisher)%n"));
        out.append(String.format("  curl -H \"Authorization: Bearer $T\" -H 'Content-Type: application/fhir+json' "
                + "--data @patient.json localhost:%d/fhir%n", settings.services().get(0).port()));
        out.append(String.format("Roles: %s. Press Ctrl-C to stop.%n", String.join(", ", ROLES)));
        System.out.print(out);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void token(StackSettings settings, List<String> args) {
        String role = null;
        String user = null;
        long hours = 8;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String v = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (a) {
                case "--role" -> {
                    role = v;
                    i++;
                }
                case "--user" -> {
                    user = v;
                    i++;
                }
                case "--ttl" -> {
                    try {
                        hours = Long.parseLong(v);
                    } catch (NumberFormatException | NullPointerException e) {
                        throw new IllegalArgumentException("--ttl takes a number of hours");
                    }
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (role == null || !ROLES.contains(role)) {
            throw new IllegalArgumentException("--role must be one of " + String.join(", ", ROLES));
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
        System.out.println(issuer.token(user, Duration.ofHours(hours), role));
    }
}
