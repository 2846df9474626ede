package org.recordline.kubernetes;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.recordline.events.Topics;

/**
 * What the services' own configuration and code say they read, write and are configured by: the evidence the
 * manifests are checked against. Paths are relative to this module (deploy/kubernetes).
 */
final class Sources {

    static final Path ROOT = Path.of("../..");
    static final Set<String> SERVICES = Set.of("ingestion-service", "validation-service", "index-service",
            "audit-service");
    /** The records console: web pages over the services' APIs; it owns no schema and no topic. */
    static final String CONSOLE = "records-console";
    /** Everything that runs as a Deployment of ours: the services and the records console. */
    static final Set<String> DEPLOYABLES = Set.of("ingestion-service", "validation-service", "index-service",
            "audit-service", CONSOLE);
    private static final Pattern TOPIC_CONSTANT = Pattern.compile("\\bTopics\\.([A-Z_]+)\\b");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^}:]+)(?::[^}]*)?}");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern REST_CLIENT = Pattern.compile(
            "@RegisterRestClient\\(\\s*configKey\\s*=\\s*\"([^\"]+)\"");

    private Sources() {
    }

    /** {@code service}'s application.properties, without the settings of test and dev profiles. */
    static Map<String, String> properties(String module) {
        Path file = ROOT.resolve(module).resolve(module.equals("service-commons")
                ? "src/main/resources/META-INF/microprofile-config.properties"
                : "src/main/resources/application.properties");
        return load(file);
    }

    static Map<String, String> load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> parse(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).sorted()
                .forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    /** Whether {@code module} depends on service-commons, whose configuration it then inherits. */
    static boolean usesCommons(String module) {
        try {
            return Files.readString(ROOT.resolve(module).resolve("pom.xml"))
                    .contains("<artifactId>service-commons</artifactId>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The config keys of {@code module}'s REST clients ({@code @RegisterRestClient(configKey = "...")}). */
    static Set<String> restClients(String module) {
        Set<String> out = new TreeSet<>();
        Matcher m = REST_CLIENT.matcher(code(module));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The topics {@code service} consumes: its incoming channels' topics. */
    static Set<String> reads(String service) {
        return incoming(service, ".topic");
    }

    /** The consumer groups of {@code service}'s incoming channels. */
    static Set<String> groups(String service) {
        return incoming(service, ".group.id");
    }

    /** The values of {@code service}'s incoming channels' setting {@code suffix}. */
    private static Set<String> incoming(String service, String suffix) {
        Set<String> out = new TreeSet<>();
        properties(service).forEach((k, v) -> {
            if (k.startsWith("mp.messaging.incoming.") && k.endsWith(suffix)) {
                out.add(v);
            }
        });
        return out;
    }

    /**
     * The topics {@code service} produces to: those its code names ({@code Topics.X}) that it does not consume, the
     * dead-letter topic of each one it consumes (service-commons' BatchConsumer), and the audit topic unless the
     * service keeps the audit log itself (its own AccessDenialSink, and no AuditTrail).
     */
    static Set<String> writes(String service) {
        Set<String> reads = reads(service);
        Set<String> out = new TreeSet<>();
        String code = code(service);
        Matcher m = TOPIC_CONSTANT.matcher(code);
        while (m.find()) {
            String topic = topicConstant(m.group(1));
            if (topic != null && !reads.contains(topic)) {
                out.add(topic);
            }
        }
        reads.forEach(t -> out.add(Topics.deadLetterOf(t)));
        boolean ownLog = code.contains("implements AccessDenialSink") && !code.contains("AuditTrail");
        if (!ownLog) {
            out.add(Topics.AUDIT);
        }
        return out;
    }

    /** The value of {@code Topics.<name>} when it is a topic name (a String constant), else null. */
    private static String topicConstant(String name) {
        try {
            Field f = Topics.class.getField(name);
            return Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
                    && !name.equals("DEAD_LETTER_SUFFIX") ? (String) f.get(null) : null;
        } catch (NoSuchFieldException e) {
            return null;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** All of {@code module}'s main Java sources, as one text. */
    static String code(String module) {
        try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
            StringBuilder b = new StringBuilder();
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                b.append(Files.readString(f)).append('\n');
            }
            return b.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The configuration keys {@code module} reads, as far as its sources say: the keys of its properties and of
     * service-commons' (when it depends on service-commons), the names their values refer to ({@code ${name:default}}),
     * the names of {@code @ConfigProperty} injections, and the URL of each of its REST clients
     * ({@code quarkus.rest-client.<configKey>.url}). A key under a {@code @ConfigMapping} prefix counts only when a
     * properties file sets it, so that a misspelt one is caught.
     */
    static Set<String> knownKeys(String module) {
        Set<String> keys = new TreeSet<>();
        Set<String> modules = new LinkedHashSet<>(Set.of(module));
        if (usesCommons(module)) {
            modules.add("service-commons");
        }
        for (String m : modules) {
            properties(m).forEach((k, v) -> {
                keys.add(k);
                Matcher e = EXPRESSION.matcher(v);
                while (e.find()) {
                    keys.add(e.group(1));
                }
            });
            String code = code(m);
            Matcher p = CONFIG_PROPERTY.matcher(code);
            while (p.find()) {
                keys.add(p.group(1));
            }
            restClients(m).forEach(c -> keys.add("quarkus.rest-client." + c + ".url"));
        }
        return keys;
    }
}
