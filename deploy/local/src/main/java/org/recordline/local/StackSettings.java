package org.recordline.local;

import java.nio.file.Path;
import java.util.Map;

/**
 * Ports and folders of a local stack. Every value can be set with an environment variable, e.g.
 * {@code RECORDLINE_KAFKA_PORT=19092}.
 *
 * @param home            the project checkout (where the services' {@code target/quarkus-app} folders are)
 * @param stateDir        where the stack keeps its data, keys and logs between runs
 * @param kafkaPort       Kafka client port
 * @param controllerPort  Kafka KRaft controller port
 * @param dbPort          PostgreSQL port
 * @param services        the services to start, in start order
 * @param serviceHeap     maximum heap of each service JVM
 * @param mllpPort        the ingestion-service's MLLP (HL7 v2) port
 * @param consolePort     the records console's port (started only when asked, {@link LocalStack#withConsole()})
 * @param consoleManagementPort the records console's health port
 * @param loginPort       the local sign-in's port ({@link LocalLogin}, on 127.0.0.1)
 */
public record StackSettings(Path home, Path stateDir, int kafkaPort, int controllerPort, int dbPort,
                            java.util.List<ServiceSpec> services, String serviceHeap, int mllpPort, int consolePort,
                            int consoleManagementPort, int loginPort) {

    /** The records console's module folder (not one of {@link #services()}: it owns no schema and no topic). */
    public static final String CONSOLE = "records-console";

    /** The sending facility (MSH-4) the local stack takes HL7 v2 over MLLP from, and the source system it names. */
    public static final String LOCAL_MLLP_FACILITY = "LOCAL";
    /** The {@code ce_source} the local stack takes records from on {@code ehr.inbound.v1}. */
    public static final String LOCAL_INBOUND_SOURCE = "/local/ehr";
    public static final String LOCAL_MLLP_SOURCE = "local-ehr";

    /**
     * Settings with the MLLP listener, the records console and the local sign-in on free ports (benchmarks and tests
     * on free ports).
     */
    public StackSettings(Path home, Path stateDir, int kafkaPort, int controllerPort, int dbPort,
                         java.util.List<ServiceSpec> services, String serviceHeap) {
        this(home, stateDir, kafkaPort, controllerPort, dbPort, services, serviceHeap,
                org.recordline.testsupport.KafkaBroker.freePort());
    }

    /** Settings with the records console and the local sign-in on free ports. */
    public StackSettings(Path home, Path stateDir, int kafkaPort, int controllerPort, int dbPort,
                         java.util.List<ServiceSpec> services, String serviceHeap, int mllpPort) {
        this(home, stateDir, kafkaPort, controllerPort, dbPort, services, serviceHeap, mllpPort,
                org.recordline.testsupport.KafkaBroker.freePort(), org.recordline.testsupport.KafkaBroker.freePort(),
                org.recordline.testsupport.KafkaBroker.freePort());
    }

    /**
     * One service.
     *
     * @param name           module folder and application name
     * @param port           API port
     * @param managementPort health and metrics port
     * @param instance       1 for the first instance of the service, 2 for a second one in the same consumer group
     */
    public record ServiceSpec(String name, int port, int managementPort, int instance) {

        /** The first (usually only) instance of a service. */
        public ServiceSpec(String name, int port, int managementPort) {
            this(name, port, managementPort, 1);
        }

        /** The instance's own name: the service's name, with {@code -2}, {@code -3}... for further instances. */
        public String id() {
            return instance == 1 ? name : name + "-" + instance;
        }
    }

    /** The records console as a process to start: not one of {@link #services()}, which own schemas and topics. */
    public ServiceSpec console() {
        return new ServiceSpec(CONSOLE, consolePort, consoleManagementPort);
    }

    /**
     * The validation-service keeps the FHIR R4 definitions its review is compiled from in memory (about 110 MB live,
     * docs/benchmarks.md), so it gets at least this heap.
     */
    public static final String VALIDATION_HEAP = "448m";

    /**
     * The audit-service takes every event of the platform: at 20,000 a second a poll waiting beside the one being
     * written outlives young collections, and on 192 MB a full collection came every 1.5 s and held the appends back
     * by a fifth (issue 9, docs/benchmarks.md), so it gets at least this heap.
     */
    public static final String AUDIT_HEAP = "320m";

    /**
     * The maximum heap of {@code s}: {@link #serviceHeap}, and at least {@link #VALIDATION_HEAP} for validation and
     * {@link #AUDIT_HEAP} for the audit-service.
     */
    public String heapFor(ServiceSpec s) {
        String least = switch (s.name()) {
            case "validation-service" -> VALIDATION_HEAP;
            case "audit-service" -> AUDIT_HEAP;
            default -> serviceHeap;
        };
        return megabytes(serviceHeap) < megabytes(least) ? least : serviceHeap;
    }

    /** A JVM size ({@code 192m}, {@code 1g}, {@code 300000k}) in megabytes; unknown forms count as large. */
    static long megabytes(String size) {
        try {
            String s = size.trim().toLowerCase(java.util.Locale.ROOT);
            long n = Long.parseLong(s.replaceAll("[kmg]$", ""));
            return s.endsWith("g") ? n * 1024 : s.endsWith("m") ? n : s.endsWith("k") ? n / 1024 : n / (1024 * 1024);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Every port the stack listens on, by the environment variable that moves it, in start order. */
    public java.util.LinkedHashMap<String, Integer> portsByVariable() {
        java.util.LinkedHashMap<String, Integer> m = new java.util.LinkedHashMap<>();
        m.put("RECORDLINE_KAFKA_PORT", kafkaPort);
        m.put("RECORDLINE_KAFKA_CONTROLLER_PORT", controllerPort);
        m.put("RECORDLINE_DB_PORT", dbPort);
        m.put("RECORDLINE_MLLP_PORT", mllpPort);
        m.put("RECORDLINE_LOGIN_PORT", loginPort);
        for (ServiceSpec s : services) {
            String prefix = "RECORDLINE_" + s.id().replace("-service", "").replace('-', '_')
                    .toUpperCase(java.util.Locale.ROOT);
            m.put(prefix + "_PORT", s.port());
            m.put(prefix + "_MANAGEMENT_PORT", s.managementPort());
        }
        m.put("RECORDLINE_CONSOLE_PORT", consolePort);
        m.put("RECORDLINE_CONSOLE_MANAGEMENT_PORT", consoleManagementPort);
        return m;
    }

    /** Settings from the environment, with the documented defaults. */
    public static StackSettings fromEnvironment(Path home, Map<String, String> env) {
        Path state = Path.of(env.getOrDefault("RECORDLINE_STATE_DIR", home.resolve(".recordline").toString()));
        return new StackSettings(home, state,
                port(env, "RECORDLINE_KAFKA_PORT", 9092),
                port(env, "RECORDLINE_KAFKA_CONTROLLER_PORT", 9093),
                port(env, "RECORDLINE_DB_PORT", 5433),
                java.util.List.of(
                        service(env, "ingestion-service", "INGESTION", 8081, 9081),
                        service(env, "validation-service", "VALIDATION", 8082, 9082),
                        service(env, "index-service", "INDEX", 8083, 9083),
                        service(env, "audit-service", "AUDIT", 8084, 9084)),
                env.getOrDefault("RECORDLINE_SERVICE_HEAP", "192m"),
                port(env, "RECORDLINE_MLLP_PORT", 2575),
                port(env, "RECORDLINE_CONSOLE_PORT", 8085),
                port(env, "RECORDLINE_CONSOLE_MANAGEMENT_PORT", 9085),
                port(env, "RECORDLINE_LOGIN_PORT", 8180));
    }

    private static ServiceSpec service(Map<String, String> env, String name, String prefix, int port, int mgmt) {
        return new ServiceSpec(name, port(env, "RECORDLINE_" + prefix + "_PORT", port),
                port(env, "RECORDLINE_" + prefix + "_MANAGEMENT_PORT", mgmt));
    }

    private static int port(Map<String, String> env, String name, int def) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return def;
        }
        try {
            int p = Integer.parseInt(v.trim());
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, got " + v);
        }
    }
}
